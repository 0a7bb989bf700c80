"""The :class:`Comparison`: scores, costs and paired tests of every family on shared splits.

Built once from the runner's per-(family, split) records; every accessor only
reads what was computed (like fairlearn's ``MetricFrame``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..metrics import METRICS, ROW_METRICS, metrics_for, primary_metric, row_scores
from ..stats import PairedTest, corrected_ci, cv_score_interval, cv_score_test, paired_test
from .. import families as registry

__all__ = ["FitRecord", "Comparison", "describe_test"]

_MISMATCH = ("the comparison was run on {n_cmp} rows but dataset {name!r} has {n_ds}; pass the dataset the "
             "comparison was run on.")
_TARGET_MISMATCH = ("the comparison's targets differ from those of dataset {name!r}; pass the dataset the "
                    "comparison was run on.")


@dataclass
class FitRecord:
    """What one (family, split) task produced.

    ``prediction`` holds class probabilities (n_test x n_classes, class-index
    order) or regression values for the split's test rows; it is ``None`` when
    the fit failed, and ``reason`` says why.
    """

    family: str
    split: int
    status: str
    test_idx: np.ndarray
    prediction: np.ndarray | None = None
    fit_seconds: float = float("nan")
    predict_seconds: float = float("nan")
    device: str = "cpu"
    reason: str = ""
    n_train: int = 0
    model: object = None
    info: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class Comparison:
    """Scores with 95% CIs, costs and deep-vs-baseline tests for one dataset.

    Use :func:`dllab.compare` (or ``Comparison(records, ...)`` with records
    from elsewhere). Attributes are computed at construction.

    Attributes
    ----------
    fits_at_a_time : int or None
        Fits that ran at once in this machine's worker processes (None: on a cluster, or not known).
    task : str
    metric : str
        Primary metric name (accuracy or rmse).
    higher_is_better : bool
    families : list of str
        Families in the run, in canonical order.
    scores : DataFrame
        One row per (family, split), one column per metric (NaN for failed fits).
    overall : DataFrame
        One row per family: ``mean``, ``ci_low``, ``ci_high`` of the primary
        metric, every metric's mean and CI (``<metric>``, ``<metric>_low``,
        ``<metric>_high``), ``fit_seconds``, ``predict_seconds`` (mean per split),
        ``device``, ``status`` and ``reason``.
    tests : dict of (str, str) to PairedTest
        Every pair the verdict weighs, ``(more complex, simpler)`` in the
        simplicity order (``("gbm", "linear")``, ``("deep", "linear")``,
        ``("deep", "gbm")``), on the primary metric: the cross-validation test
        of :meth:`difference`.
    baseline : DataFrame
        One row (index ``"baseline"``) with the columns of ``overall``: a model
        that ignores the columns (the training fold's majority class, or its
        mean), scored on the same splits. The floor every family must clear.
    """

    def __init__(self, records, *, y, task: str, splits, dataset: dict | None = None,
                 config: dict | None = None, wall_seconds: float = float("nan"), n_classes: int | None = None,
                 fits_at_a_time: int | None = None):
        records = list(records)
        order = {f: i for i, f in enumerate(registry.ordered(r.family for r in records))}
        self.records = sorted(records, key=lambda r: (order[r.family], r.split))
        self.y = np.asarray(y)
        self.task = task
        self.splits = splits
        self.dataset = dataset or {}
        self.config = config or {}
        self.wall_seconds = float(wall_seconds)
        self.fits_at_a_time = fits_at_a_time
        self.n_classes = n_classes
        primary = primary_metric(task)
        self.metric = primary.name
        self.higher_is_better = primary.higher_is_better
        self.metric_names = [m.name for m in metrics_for(task)]
        self.families = list(order)
        self.scores = self._score_table()
        self.overall = self._overall_table()
        self.tests = self._tests()
        self.baseline = self._baseline_table()

    # ------------------------------------------------------------------ construction
    def _score_table(self) -> pd.DataFrame:
        rows = []
        for r in self.records:
            row = {"family": r.family, "split": r.split}
            for m in self.metric_names:
                row[m] = (METRICS[m](self.y[r.test_idx], r.prediction, n_classes=self.n_classes)
                          if r.ok else np.nan)
            rows.append(row)
        return pd.DataFrame(rows, columns=["family", "split", *self.metric_names])

    def _overall_table(self) -> pd.DataFrame:
        out = []
        for fam in self.families:
            recs = [r for r in self.records if r.family == fam]
            sc = self.scores[self.scores.family == fam]
            row = {"family": fam, "label": registry.label(fam)}
            for m in self.metric_names:
                mean, lo, hi = self._interval(fam, m, sc[m].to_numpy())
                row[m], row[f"{m}_low"], row[f"{m}_high"] = mean, METRICS[m].clip(lo), METRICS[m].clip(hi)
            row["mean"], row["ci_low"], row["ci_high"] = row[self.metric], row[f"{self.metric}_low"], \
                row[f"{self.metric}_high"]
            ok = [r for r in recs if r.ok]
            row["fit_seconds"] = float(np.mean([r.fit_seconds for r in ok])) if ok else np.nan
            row["predict_seconds"] = float(np.mean([r.predict_seconds for r in ok])) if ok else np.nan
            row["device"] = ok[0].device if ok else (recs[0].device if recs else "cpu")
            failed = [r for r in recs if not r.ok]
            row["n_failed"] = len(failed)
            row["status"] = "ok" if not failed else ("failed" if not ok else "partial")
            row["reason"] = failed[0].reason if failed else ""
            out.append(row)
        return pd.DataFrame(out).set_index("family")

    def _interval(self, family: str, metric: str, split_scores, *, oof=None) -> tuple[float, float, float]:
        # The mean of the split scores (what every page shows) with its 95% interval: over the test
        # rows for accuracy and RMSE (the cross-validation interval of Bayle et al., as the paired
        # tests), over the splits with the Nadeau-Bengio correction for the other metrics.
        mean, lo, hi = corrected_ci(split_scores, test_fraction=self.splits.test_fraction)
        if metric not in ROW_METRICS or not np.isfinite(mean):
            return mean, lo, hi
        lo, hi = cv_score_interval(self._row_scores(family, metric, oof=oof), self._row_folds, mean=mean,
                                   root=metric == "rmse")
        return mean, lo, hi

    def _tests(self) -> dict:
        # Every pair of families in the simplicity order, the more complex first: the verdict's
        # rule weighs each, and Compare shows each, so every test the verdict cites is on the page.
        fams = registry.by_simplicity(self.families)
        return {(c, s): self.difference(c, s) for i, s in enumerate(fams) for c in fams[i + 1:]}

    def _baseline_table(self) -> pd.DataFrame:
        # The floor: sklearn's dummy models (most frequent class, with its training-fold class
        # shares as probabilities; the training-fold mean) on the same splits as the families.
        from sklearn.dummy import DummyClassifier, DummyRegressor

        regression = self.task == "regression"
        records = []
        for i, (train, test) in enumerate(self.splits):
            if regression:
                model = DummyRegressor(strategy="mean").fit(np.zeros((len(train), 1)), self.y[train])
                pred = model.predict(np.zeros((len(test), 1)))
            else:
                k = self.n_classes or int(self.y.max()) + 1
                model = DummyClassifier(strategy="prior").fit(np.zeros((len(train), 1)), self.y[train])
                pred = np.zeros((len(test), k))
                pred[:, model.classes_.astype(int)] = model.predict_proba(np.zeros((len(test), 1)))
            records.append(FitRecord("baseline", i, "ok", test, prediction=pred, fit_seconds=0.0,
                                     predict_seconds=0.0))
        oof = self._out_of_fold(records)
        row = {"label": "Baseline (mean)" if regression else "Baseline (majority class)"}
        for m in self.metric_names:
            vals = np.array([METRICS[m](self.y[r.test_idx], r.prediction, n_classes=self.n_classes)
                             for r in records])
            mean, lo, hi = self._interval("baseline", m, vals, oof=oof)  # the families' interval
            row[m], row[f"{m}_low"], row[f"{m}_high"] = mean, METRICS[m].clip(lo), METRICS[m].clip(hi)
        row["mean"], row["ci_low"], row["ci_high"] = row[self.metric], row[f"{self.metric}_low"], \
            row[f"{self.metric}_high"]
        row.update(fit_seconds=0.0, predict_seconds=0.0, device="cpu", n_failed=0, status="ok", reason="")
        return pd.DataFrame([row], index=pd.Index(["baseline"], name="family"))

    # ------------------------------------------------------------------ reading
    def check_dataset(self, ds) -> None:
        """Raise ``DataError`` unless ``ds`` is the data this comparison ran on (same rows, same target).

        Later analyses (subgroups, explanations) read its predictions row by row, so a
        different dataset would silently misalign them.
        """
        from ..errors import DataError

        if len(self.y) != ds.n_rows:
            raise DataError(_MISMATCH.format(n_cmp=len(self.y), name=ds.name, n_ds=ds.n_rows))
        same = (np.allclose(self.y, ds.y, equal_nan=True) if ds.task == "regression"
                else np.array_equal(self.y, ds.y))
        if not same:
            raise DataError(_TARGET_MISMATCH.format(name=ds.name))

    def split_scores(self, family: str, metric: str | None = None) -> np.ndarray:
        """Per-split scores of ``family``, one entry per split of ``splits`` (NaN where it failed or did not run)."""
        metric = metric or self.metric
        sc = self.scores[self.scores.family == family]
        out = np.full(len(self.splits), np.nan)
        out[sc["split"].to_numpy(dtype=int)] = sc[metric].to_numpy(dtype=float)
        return out

    def difference(self, a: str, b: str, metric: str | None = None) -> PairedTest:
        """Paired test of ``a`` against ``b`` on the same rows and splits (a lookup, no refit).

        Accuracy and RMSE (the primary metrics) are means of per-row scores, so the
        test is the cross-validation test over the test rows
        (:func:`dllab.stats.cv_paired_test`); the difference is the one of the
        split means that Compare shows, on the splits both families share. Other
        metrics use the corrected resampled t-test over the splits
        (:func:`dllab.stats.paired_test`).
        """
        metric = metric or self.metric
        m = METRICS[metric]
        sa, sb = self.split_scores(a, metric), self.split_scores(b, metric)
        if metric not in ROW_METRICS:
            return paired_test(sa, sb, test_fraction=self.splits.test_fraction,
                               higher_is_better=m.higher_is_better, a=a, b=b, metric=metric)
        d = sa - sb
        point = float(np.nanmean(d)) if np.isfinite(d).any() else float("nan")
        return cv_score_test(self._row_scores(a, metric), self._row_scores(b, metric), self._row_folds,
                             difference=point, root=metric == "rmse", higher_is_better=m.higher_is_better,
                             a=a, b=b, metric=metric)

    def _row_scores(self, family: str, metric: str, *, oof=None) -> np.ndarray:
        """Per-row score of ``family`` (or of the out-of-fold predictions ``oof``) for a row metric,
        (n_rows, n_repeats): 1/0 correct, or the squared error."""
        return np.column_stack([row_scores(metric, self.y, pred) for pred in (oof or self.oof[family])])


    @cached_property
    def _row_folds(self) -> np.ndarray:
        folds = np.full((len(self.y), self.splits.n_repeats), -1)
        for i, (_, test) in enumerate(self.splits):
            rep, fold = self.splits.label(i)
            folds[test, rep] = fold
        return folds

    def best(self, metric: str | None = None) -> str | None:
        """Family with the best mean on ``metric`` (None if every family failed)."""
        metric = metric or self.metric
        col = self.overall[metric].dropna()
        if col.empty:
            return None
        return col.idxmax() if METRICS[metric].higher_is_better else col.idxmin()

    @cached_property
    def oof(self) -> dict:
        """Out-of-fold predictions per family and repeat: ``{family: [array per repeat]}``.

        Each array has one row per data row (NaN where that repeat's fit failed).
        """
        return {fam: self._out_of_fold([r for r in self.records if r.family == fam]) for fam in self.families}

    def _out_of_fold(self, records) -> list:
        """``records``' predictions laid out per repeat, one row per data row (NaN where none)."""
        out = []
        for rep in range(self.splits.n_repeats):
            recs = [r for r in records if self.splits.label(r.split)[0] == rep]
            width = next((r.prediction.shape[1] for r in recs if r.ok and r.prediction.ndim == 2), None)
            arr = np.full((len(self.y), width) if width else len(self.y), np.nan)
            for r in recs:
                if r.ok:
                    arr[r.test_idx] = r.prediction
            out.append(arr)
        return out

    def models(self, family: str) -> list:
        """Fitted models of ``family``, one per split (None where not kept or failed)."""
        return [r.model for r in self.records if r.family == family]

    def statements(self) -> list[str]:
        """The paired tests in words, in the order of ``tests``."""
        return [describe_test(t, metric=self.metric) for t in self.tests.values()]

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict:
        """The JSON contract of ``python -m dllab compare --json`` (see docs/ARCHITECTURE.md)."""
        models = []
        b = self.baseline.loc["baseline"]
        for fam in self.families:
            row = self.overall.loc[fam]
            models.append({
                "name": fam,
                "label": registry.label(fam),
                "status": row["status"],
                "reason": row["reason"],
                "scores": [_num(v) for v in self.split_scores(fam)],
                "mean": _num(row["mean"]), "ci_low": _num(row["ci_low"]), "ci_high": _num(row["ci_high"]),
                "metrics": {m: _num(row[m]) for m in self.metric_names},
                "metrics_ci": {m: [_num(row[f"{m}_low"]), _num(row[f"{m}_high"])] for m in self.metric_names},
                "fit_seconds": _num(row["fit_seconds"]),
                "predict_seconds": _num(row["predict_seconds"]),
                "device": row["device"],
            })
        return {
            "dataset": self.dataset,
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "models": models,
            "baseline": {"label": b["label"], "mean": _num(b["mean"]), "ci_low": _num(b["ci_low"]),
                         "ci_high": _num(b["ci_high"]), "metrics": {m: _num(b[m]) for m in self.metric_names}},
            "tests": [dict(t.to_dict(), statement=describe_test(t, metric=self.metric))
                      for t in self.tests.values()],
            "splits": self.splits.to_dict(),
            "config": self.config,
            "runtime": {"wall_seconds": _num(self.wall_seconds),
                        "fits_at_a_time": getattr(self, "fits_at_a_time", None),  # None in results kept before it
                        "fit_seconds_total": _num(sum(r.fit_seconds for r in self.records if r.ok)),
                        "predict_seconds_total": _num(sum(r.predict_seconds for r in self.records if r.ok))},
        }

    def table(self) -> pd.DataFrame:
        """Display table: one row per family and the baseline's, ``mean [low, high]`` per metric and timings."""
        rows = []
        for fam in [*self.families, "baseline"]:
            r = self.overall.loc[fam] if fam != "baseline" else self.baseline.loc[fam]
            row = {"model": registry.label(fam) if fam != "baseline" else r["label"]}
            for m in self.metric_names:
                row[METRICS[m].label] = format_ci(r[m], r[f"{m}_low"], r[f"{m}_high"])
            row["fit s"] = _fmt_s(r["fit_seconds"])
            row["predict s"] = _fmt_s(r["predict_seconds"])
            row["device"] = r["device"]
            row["status"] = r["status"] if r["status"] == "ok" else f"{r['status']}: {r['reason']}"
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self):
        return f"Comparison(task={self.task!r}, families={self.families}, metric={self.metric!r})"


# ---------------------------------------------------------------------------- words

def describe_test(test: PairedTest, *, metric: str) -> str:
    """A paired test as a sentence.

    Accuracy-like metrics are stated in percentage points; others in their units.

    Examples
    --------
    >>> from dllab.stats import paired_test
    >>> t = paired_test([.80, .81, .80], [.81, .81, .81], test_fraction=1/3, higher_is_better=True,
    ...                 a="deep", b="gbm", metric="accuracy")
    >>> describe_test(t, metric="accuracy")
    'the deep net is 0.7 points worse than XGBoost in accuracy; the difference is not significant (p = 0.33)'
    """
    m = METRICS[metric]
    a, b = registry.model_noun(test.a), registry.model_noun(test.b)
    if not np.isfinite(test.difference):
        return f"{a} vs {b}: no comparison possible (a model failed on every split)"
    gap = abs(test.difference)
    is_rate = m.name in ("accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2")
    label = m.label if m.label.isupper() else m.label.lower()
    shown = f"{gap * 100:.1f}" if is_rate else f"{gap:.3g}"
    if test.better is None or float(shown) == 0:
        head = f"{a} and {b} score the same in {label}"
    else:
        word = "better" if test.better == test.a else "worse"
        if is_rate:
            head = f"{a} is {shown} points {word} than {b} in {label}"
        else:
            head = f"{a} is {word} than {b} by {shown} in {label}"
    p = format_p(test.p_value)
    if not np.isfinite(test.p_value):
        return f"{head}; too few splits to test significance"
    sig = "significant" if test.significant else "not significant"
    return f"{head}; the difference is {sig} ({p})"


def _num(v):
    v = float(v)
    return v if np.isfinite(v) else None


def format_p(p: float) -> str:
    """``"p = 0.31"``, ``"p = 0.004"`` below 0.01 (never ``"p = 0.00"``), ``"p < 0.001"``.

    Examples
    --------
    >>> format_p(0.3149), format_p(0.0043), format_p(2e-5)
    ('p = 0.31', 'p = 0.004', 'p < 0.001')
    """
    if not np.isfinite(p):
        return "p not computable"
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def format_ci(mean, lo, hi) -> str:
    """``"0.8123 [0.8010, 0.8236]"``; the mean alone when there is no interval, "—" when there is no mean."""
    if not np.isfinite(mean):
        return "—"
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return f"{mean:.4f}"
    return f"{mean:.4f} [{lo:.4f}, {hi:.4f}]"


def _fmt_s(s) -> str:
    return "—" if not np.isfinite(s) else (f"{s:.2f}" if s < 100 else f"{s:.0f}")
