"""The result object of a data-size curve: :class:`LearningCurve` and the :class:`Prediction` it returns.

:class:`LearningCurve` does all its statistics when built (fits, bands, slopes,
the findings of the deep net against boosting and the crossover read off them)
and is read-only afterwards; it also writes the curve's sentences (from the
findings, see :mod:`~dllab.analyses.curves.wording`), display table and JSON block.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._common import _num
from .analysis import _Analysis, _nanmean_rows, _t_band
from .crossover import crossover_from, outlook
from .findings import CurveFindings, compare_at, compute_findings
from .wording import describe_design, leader_sentence, slope_sentence
from ...errors import ConfigError
from ...metrics import METRICS, format_interval, format_score
from ... import families as registry

_UNKNOWN_FAMILY = "family={value!r} is not in this curve; choose one of {choices}."
_NO_FIT = "{family!r} has no fitted curve: {reason}."


@dataclass(frozen=True)
class Prediction:
    """A value read off a fitted curve: unpacks as ``(score, low, high)``.

    Attributes
    ----------
    score, low, high : float or ndarray
        Fitted value and 95% band (percentiles over the resampled fits).
    n : float or ndarray
    extrapolated : bool or ndarray
        True where ``n`` lies outside the observed sizes: the value is then an
        extrapolation of the fitted power law, not a measurement.
    note : str
        A warning sentence when any value is extrapolated, else "".
    """

    score: object
    low: object
    high: object
    n: object
    extrapolated: object
    note: str = ""

    def __iter__(self):
        return iter((self.score, self.low, self.high))


class LearningCurve:
    """Scores of every family at increasing training sizes, fitted curves, findings and the crossover.

    Use :func:`learning_curve` to train and build one, or the constructor with
    scores computed elsewhere (e.g. reloaded, or made up in a test). All
    statistics are computed here; reading an attribute never refits.

    Parameters
    ----------
    sizes : sequence of int, increasing
    scores : dict of str to array, shape (n_sizes, n_replicates)
        Primary-metric scores per family (NaN for a failed or missing fit).
    metric : str
        Name in :data:`dllab.metrics.METRICS` (gives the direction and range).
    fit_seconds : dict of str to array, optional
        Same shape as ``scores``.
    metric_scores : dict of str to dict of str to array, optional
        Every metric per family, same shapes.
    row_scores : RowScores, optional
        Every test row's score of every fit (kept by :func:`learning_curve`): the paired test
        at each size then runs over the test rows, as Compare's does. Without it, over the replicates.
    n_boot : int, default=200
        Resamples for the fit uncertainty.
    random_state : int or None, default=0
    notes : sequence of str, default=()
        What was skipped, dropped, reused or failed.
    dataset, config, design : dict, optional
        Copied into :meth:`to_dict`; ``design`` (from :func:`learning_curve`) also says which splits
        and subsamples were used, for :meth:`describe_design`.

    Attributes
    ----------
    sizes : ndarray of int
    families : list of str
    metric : str
    higher_is_better : bool
    summary : DataFrame
        One row per (family, size): ``mean``, ``ci_low``, ``ci_high``,
        ``fit_seconds``, ``n_ok``. The interval is Compare's (over the test rows, with
        the spread between splits) when row scores are kept, else a t interval over the replicates.
    fits : dict of str to PowerLaw or None
    slopes : dict of str to (float, float, float)
        Change of the score per doubling of rows at the largest size, with its
        95% interval, in the metric's units (negative is better for errors).
    pair : (str, str)
        The challenger and the incumbent the findings compare: the first deep family and the first
        tree family of the curve (the deep net and XGBoost).
    crossover : Crossover
        Where the challenger overtakes the incumbent, as the findings support it.
    transfer_crossover : Crossover or None
        With ``transfer`` and ``linear`` run (text): where the linear model (TF-IDF) overtakes the
        pretrained encoder + head, which leads on few rows.
    notes : tuple of str

    Examples
    --------
    >>> import numpy as np
    >>> n = [100, 300, 1000, 3000]
    >>> lc = LearningCurve(n, {"gbm": np.array([[.80, .81], [.84, .85], [.86, .87], [.87, .88]]),
    ...                         "linear": np.array([[.78, .80], [.80, .81], [.81, .81], [.81, .82]])},
    ...                    metric="accuracy", n_boot=20)
    >>> lc.leaders()
    ['gbm', 'gbm', 'gbm', 'gbm']
    >>> [(m["name"], round(m["mean"][-1], 3)) for m in lc.to_dict()["models"]]
    [('linear', 0.815), ('gbm', 0.875)]
    >>> lc.crossover.kind
    'unavailable'
    >>> lc.conclusion().split(";")[0]
    'At the largest size (3,000 rows) XGBoost scores highest, 87.5%'
    >>> score, low, high = lc.predict("gbm", 30_000)
    >>> low <= score <= high, lc.predict("gbm", 30_000).extrapolated
    (True, True)
    """

    def __init__(self, sizes, scores: dict, *, metric: str, fit_seconds: dict | None = None,
                 metric_scores: dict | None = None, row_scores=None, n_boot: int = 200,
                 random_state: int | None = 0, notes=(), dataset: dict | None = None, config: dict | None = None,
                 design: dict | None = None):
        if metric not in METRICS:
            raise ConfigError(f"metric={metric!r} is not valid; choose one of {', '.join(METRICS)}.")
        self.sizes = np.asarray(sizes, dtype=np.int64)
        if self.sizes.ndim != 1 or np.any(np.diff(self.sizes) <= 0):
            raise ConfigError(f"sizes={self.sizes.tolist()!r} is not valid; they must be strictly increasing.")
        m = METRICS[metric]
        self.metric, self.higher_is_better = metric, m.higher_is_better
        self.families = registry.ordered(scores)
        self.scores = {f: np.asarray(scores[f], dtype=float).reshape(len(self.sizes), -1) for f in self.families}
        self.fit_seconds = {f: np.asarray(fit_seconds[f], dtype=float).reshape(len(self.sizes), -1)
                            if fit_seconds and f in fit_seconds else np.full_like(self.scores[f], np.nan)
                            for f in self.families}
        self.metric_scores = metric_scores or {}
        self.row_scores = row_scores
        self.notes = tuple(notes)
        self.dataset, self.config, self.design = dataset or {}, config or {}, design or {}
        self.n_boot, self.random_state = int(n_boot), random_state
        self._an = _Analysis(self.sizes, self.scores, higher_is_better=self.higher_is_better,
                             metric_bounds=m.bounds, n_boot=self.n_boot, random_state=random_state)
        self.fits = dict(self._an.fits)
        self.slopes = {f: self._an.slope(f) for f in self.families}
        self._findings: dict = {}
        self.pair = _main_pair(self.families)
        self.crossover = crossover_from(self.findings())
        # Transfer learning's lesson runs the other way: the pretrained encoder leads on few rows, and
        # the question is where TF-IDF + linear catches up.
        self.transfer_crossover = (crossover_from(self.findings("linear", "transfer"))
                                   if {"linear", "transfer"} <= set(self.families) else None)
        self.summary = self._summary_table()

    # ------------------------------------------------------------------ construction
    def _summary_table(self) -> pd.DataFrame:
        rows = []
        bounds = METRICS[self.metric].bounds
        rows_kept = self.row_scores is not None and self.row_scores.metric == self.metric
        for f in self.families:
            mean, lo, hi, _ = _t_band(self.scores[f], bounds)
            if rows_kept:  # Compare's interval, over the test rows (and the spread between splits)
                for i in range(len(self.sizes)):
                    lo[i], hi[i] = np.clip(self.row_scores.interval(f, i, mean=mean[i]), *bounds)
            secs = _nanmean_rows(self.fit_seconds[f])
            n_ok = np.isfinite(self.scores[f]).sum(axis=1)
            for i, n in enumerate(self.sizes):
                rows.append({"family": f, "label": registry.label(f), "size": int(n), "mean": mean[i],
                             "ci_low": lo[i], "ci_high": hi[i], "fit_seconds": secs[i], "n_ok": int(n_ok[i])})
        return pd.DataFrame(rows, columns=["family", "label", "size", "mean", "ci_low", "ci_high",
                                           "fit_seconds", "n_ok"])

    # ------------------------------------------------------------------ reading
    def _check_family(self, family):
        if family not in self.families:
            raise ConfigError(_UNKNOWN_FAMILY.format(value=family, choices=", ".join(self.families)))

    @property
    def _test_fraction(self) -> float:
        # The corrected replicate test's term: only when the replicates come from several splits.
        return float(self.design.get("replicate_test_fraction") or 0.0)

    def findings(self, challenger: str | None = None, incumbent: str | None = None) -> CurveFindings:
        """What the curve says about ``challenger`` against ``incumbent`` (default :attr:`pair`).

        Per size, whether the challenger is ahead, behind or tied beyond noise (a paired test at
        that size), the pattern over sizes, a crossover only where it is supported, and what the
        fitted curves say beyond the data (with whether that agrees with the measured points).
        Computed once per pair from the stored scores (no refit).

        Returns
        -------
        CurveFindings
        """
        key = (challenger or self.pair[0], incumbent or self.pair[1])
        if key not in self._findings:
            self._findings[key] = compute_findings(self._an, challenger=key[0], incumbent=key[1], metric=self.metric,
                                                   rows=self.row_scores, test_fraction=self._test_fraction)
        return self._findings[key]

    def compare_at(self, a: str, b: str, n: int):
        """``a`` against ``b`` at the observed size ``n``: a :class:`~dllab.analyses.curves.findings.SizeFinding`."""
        self._check_family(a), self._check_family(b)
        where = np.flatnonzero(self.sizes == int(n))
        if len(where) == 0:
            raise ConfigError(f"n={n!r} is not a size of this curve; sizes are {', '.join(map(str, self.sizes))}.")
        return compare_at(self._an, int(where[0]), a, b, metric=self.metric, rows=self.row_scores,
                          test_fraction=self._test_fraction)

    def band(self, family: str) -> pd.DataFrame:
        """Per-size ``mean``, ``ci_low``, ``ci_high``, ``fit_seconds`` of one family (indexed by size)."""
        self._check_family(family)
        return self.summary[self.summary.family == family].set_index("size").drop(columns=["family", "label"])

    def leaders(self) -> list:
        """The family with the best mean score at each size (None where every fit failed).

        A mean ranking only: :meth:`findings` and :meth:`compare_at` say which gaps are beyond noise.
        """
        out = []
        for i in range(len(self.sizes)):
            means = {f: self._an.mean[f][i] for f in self.families if np.isfinite(self._an.mean[f][i])}
            if not means:
                out.append(None)
                continue
            pick = max if self.higher_is_better else min
            out.append(pick(means, key=means.get))
        return out

    def predict(self, family: str, n) -> Prediction:
        """Read the fitted curve of ``family`` at ``n`` rows, with a 95% band.

        Beyond the largest observed size (or below the smallest) the value is an
        extrapolation of the power law: ``Prediction.extrapolated`` is True and
        ``Prediction.note`` says so.

        Parameters
        ----------
        family : str
        n : int, float or array of them

        Returns
        -------
        Prediction
            Unpacks as ``score, low, high``.

        Raises
        ------
        ConfigError
            If ``family`` is not in the curve or has no fitted curve (fewer than 3 sizes).
        """
        self._check_family(family)
        if self.fits[family] is None:
            raise ConfigError(_NO_FIT.format(family=family, reason=f"the curve has {len(self.sizes)} usable "
                                                                    f"sizes and a fit needs at least 3"))
        arr = np.asarray(n, dtype=float)
        point, lo, hi = self._an.band(family, arr)
        outside = (arr > self.sizes.max()) | (arr < self.sizes.min())
        note = ""
        if np.any(outside):
            note = (f"Extrapolated: beyond the observed sizes ({self.sizes.min():,} to {self.sizes.max():,} rows) "
                    f"this is the fitted power law, not a measurement; the band covers the fit's uncertainty, "
                    f"not whether the curve keeps its shape.")
        if arr.ndim == 0:
            return Prediction(float(point), float(lo), float(hi), float(arr), bool(outside), note)
        return Prediction(point, lo, hi, arr, outside, note)

    # ------------------------------------------------------------------ words
    def conclusion(self) -> str:
        """The curve in a few plain sentences, each read from the findings: measured first, then extrapolated."""
        parts = self.conclusion_parts()
        return " ".join(parts["measured"] + parts["extrapolated"])

    def conclusion_parts(self) -> dict:
        """The sentences of :meth:`conclusion`: ``{"measured": [...], "extrapolated": [...]}``.

        ``measured``: who scores highest at the largest size and which gaps are beyond noise, then
        the deep net against XGBoost over the sizes (and, on text, TF-IDF against the pretrained
        encoder). ``extrapolated``: what the fitted curves say beyond the data, each sentence
        labelled as such, with any disagreement with the measured points said.
        """
        measured, extrapolated = [leader_sentence(self)], []
        pairs = [self.findings()]
        if self.transfer_crossover is not None:
            pairs.append(self.findings("linear", "transfer"))
        for f in pairs:
            if f.available:
                measured.append(f.statement)
                extrapolated.append(outlook(f))
        extrapolated.append(slope_sentence(self, labelled=not any(extrapolated)))
        return {"measured": [p for p in measured if p], "extrapolated": [p for p in extrapolated if p]}

    def describe_design(self) -> list[str]:
        """How the curve's numbers were made and how they relate to Compare's, in plain sentences."""
        return describe_design(self)

    # ------------------------------------------------------------------ export
    def to_dict(self) -> dict:
        """The ``curve`` block of the JSON report (NaN becomes null).

        ``models[i].scores`` is ``[[replicate, ...] per size]``; replicate ``r``
        is used split ``r // n_seeds``, seed ``r % n_seeds`` (null where a fit
        failed, was skipped, or where the comparison's single fit stands in for
        the full-size point). ``findings`` is :meth:`findings` (the deep net against
        XGBoost), ``design_text`` is :meth:`describe_design`.
        """
        models = []
        for f in self.families:
            b = self.band(f)
            slope = self.slopes[f]
            models.append({
                "name": f,
                "label": registry.label(f),
                "scores": [[_num(v) for v in row] for row in self.scores[f]],
                "mean": [_num(v) for v in b["mean"]],
                "ci_low": [_num(v) for v in b["ci_low"]],
                "ci_high": [_num(v) for v in b["ci_high"]],
                "fit_seconds": [_num(v) for v in b["fit_seconds"]],
                "metrics": {m: [_num(v) for v in _nanmean_rows(a)] for m, a in self.metric_scores.get(f, {}).items()},
                "power_law": None if self.fits[f] is None else self.fits[f].to_dict(),
                "slope_per_doubling": _num(slope[0]),
                "slope_per_doubling_ci": [_num(slope[1]), _num(slope[2])],
            })
        main = self.findings()
        return {
            "sizes": [int(n) for n in self.sizes],
            "metric": self.metric,
            "higher_is_better": self.higher_is_better,
            "models": models,
            "crossover": self.crossover.to_dict(),
            "transfer_crossover": None if self.transfer_crossover is None else self.transfer_crossover.to_dict(),
            "findings": main.to_dict() if main.available else None,
            "conclusion": self.conclusion(),
            "design_text": self.describe_design(),
            "notes": list(self.notes),
            "design": dict(self.design, n_boot=self.n_boot, random_state=self.random_state),
            "dataset": self.dataset,
            "config": self.config,
        }

    def table(self) -> pd.DataFrame:
        """Display table: one row per size; per family its mean score, 95% band and seconds per fit, in words."""
        rows = []
        for i, n in enumerate(self.sizes):
            row = {"Training rows": f"{int(n):,}"}
            for f in self.families:
                r = self.summary[(self.summary.family == f) & (self.summary["size"] == n)].iloc[0]
                band = format_interval(self.metric, r["ci_low"], r["ci_high"])
                row[registry.label(f)] = format_score(self.metric, r["mean"]) + ("" if band == "—" else f" ({band})")
                row[f"{registry.label(f)}: seconds per fit"] = ("—" if not np.isfinite(r["fit_seconds"])
                                                                else f"{r['fit_seconds']:.2f}")
            rows.append(row)
        return pd.DataFrame(rows)

    def __repr__(self):
        return (f"LearningCurve(metric={self.metric!r}, families={self.families}, "
                f"sizes={self.sizes.tolist()}, crossover={self.crossover.kind!r})")


def _kind(name: str) -> str | None:
    try:
        return registry.get(name).kind
    except ConfigError:  # a name from an old JSON that no record describes
        return None


def _main_pair(families) -> tuple[str, str]:
    """The challenger (first deep family) and the incumbent (first tree family); the built-ins if absent."""
    deep = next((f for f in families if _kind(f) == "deep"), None)
    trees = next((f for f in families if _kind(f) == "trees"), None)
    return deep or "deep", trees or "gbm"
