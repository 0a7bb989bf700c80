"""The subgroup report: per-slice scores with intervals, each model's worst slices, disagreement, the heat-map table."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ... import families as registry
from ...errors import ConfigError, DataError, preview
from ...metrics import METRICS, format_interval, format_score, metrics_for
from ...stats import benjamini_hochberg, bootstrap_ci, welch_test
from ._common import _UNKNOWN_COLUMN, _check_int, _num, _quiet
from .row_stats import _SUPPORTED, _RowStats, _one_sample_t, _per_row, _scores_from_sums
from .shift import shift_conclusion
from .slices import _pair_slices, _single_slices

__all__ = ["SubgroupReport", "subgroup_report", "slice_table"]

_BAD_ALPHA = "alpha={value!r} is not valid; it must be a number between 0 and 1 (e.g. 0.05)."
_BAD_PAIR = ("pair={value!r} is not valid; it must be two different families of the comparison "
             "({families}).")
_BAD_FAMILY = "family={value!r} is not in this report; choose one of {families}."
_NO_PREDICTIONS = ("no model of the comparison has out-of-fold predictions (every fit failed); "
                   "fix the failures shown in the comparison first.")
_BAD_DIRECTION = "direction={value!r} is not valid; choose one of above, below, both."


class SubgroupReport:
    """Per-slice scores, the worst slices of every model, where two families disagree, and shift results.

    Built once from a :class:`~dllab.analyses.comparison.Comparison` and the :class:`~dllab.datasets.Dataset` it
    was run on (use :func:`subgroup_report`); every accessor reads what the constructor computed. See
    the :mod:`dllab.analyses.subgroups` docstring for the method.

    Parameters
    ----------
    cmp : Comparison
    ds : Dataset
        The dataset the comparison was run on (same rows, same order).
    groups : sequence of str, default=()
        Grouping or sensitive columns to slice by, also when excluded from training.
    min_size : int, default=30
        Slices with fewer rows are ``uncertain``: reported, never tested or ranked.
    n_boot : int, default=200
        Bootstrap replicates for the 95% intervals.
    alpha : float, default=0.05
        False discovery rate of the Benjamini-Hochberg correction (per model).
    max_conditions : {1, 2}, default=2
        Columns a slice may condition on.
    n_bins : int, default=5
        Quantile bins per numeric column.
    max_levels : int, default=20
        Levels of a categorical column shown on their own (the rest join "other").
    top_k : int, default=10
        Length of the ranked lists (``worst``, ``disagreement``).
    pair : (str, str), optional
        Families compared per row; default ``("deep", "gbm")``, else ``("gbm", "linear")``.
    shift : list of dict, optional
        Rows from :func:`shift_test` to keep with the report (``to_dict()["shift"]``).
    random_state : int or None, default=0
        Seeds the bootstrap.

    Attributes
    ----------
    families : tuple of str
        Families with predictions, in canonical order.
    metric, secondary_metric : str
        Primary and secondary metric names (``metrics_for(task)[0]`` and ``[1]``).
    higher_is_better : bool
    slices : list of Slice
    overall : DataFrame
        One row per family: ``score``, ``ci_low``, ``ci_high`` on all rows (pooled out-of-fold).
    frame : DataFrame
        One row per (slice, family): ``slice`` (index into ``slices``), ``description``, ``size``,
        ``n_conditions``, ``family``, ``score``, ``ci_low``, ``ci_high``, ``gap``, the secondary
        metric's ``secondary``, ``secondary_low``, ``secondary_high``, ``secondary_gap``, ``p_value``,
        ``q_value``, ``significant``, ``uncertain``, ``rank_score`` (= gap * sqrt(size)).
    pair : tuple of str or None
    settings : dict
        Parameters and method names (test, correction, ranking, repeats).

    Examples
    --------
    >>> from dllab.datasets import load_builtin                            # doctest: +SKIP
    >>> ds = load_builtin("planted_subgroup")                              # doctest: +SKIP
    >>> report = subgroup_report(compare(ds), ds)                          # doctest: +SKIP
    >>> report.findings()[0]                                               # doctest: +SKIP
    'On rows with region = North and age < 26 (n = 651), the linear model's accuracy is ...'
    """

    def __init__(self, cmp, ds, *, groups=(), min_size: int = 30, n_boot: int = 200, alpha: float = 0.05,
                 max_conditions: int = 2, n_bins: int = 5, max_levels: int = 20, top_k: int = 10,
                 pair=None, shift=None, random_state: int | None = 0):
        t0 = time.perf_counter()
        groups = (groups,) if isinstance(groups, str) else tuple(groups)
        self._check(cmp, ds, groups=groups, min_size=min_size, n_boot=n_boot, alpha=alpha,
                    max_conditions=max_conditions, n_bins=n_bins, max_levels=max_levels, top_k=top_k)
        self.task = cmp.task
        ms = metrics_for(cmp.task)
        self.metric, self.secondary_metric = ms[0].name, ms[1].name
        self.higher_is_better = ms[0].higher_is_better
        self._sec_higher = ms[1].higher_is_better
        self.families = tuple(f for f in cmp.families if any(r.ok for r in cmp.records if r.family == f))
        if not self.families:
            raise DataError(_NO_PREDICTIONS)
        self.pair = self._resolve_pair(pair)
        self._alpha, self._top_k = float(alpha), int(top_k)
        self._min_size = int(min_size)
        n_repeats = cmp.splits.n_repeats
        self._settings = {
            "groups": list(groups), "min_size": int(min_size), "n_boot": int(n_boot), "alpha": float(alpha),
            "max_conditions": int(max_conditions), "n_bins": int(n_bins), "max_levels": int(max_levels),
            "top_k": int(top_k), "random_state": random_state,
            "test": ("Welch t-test of per-row " + ("0/1 error" if cmp.task != "regression" else "squared error")
                     + " inside vs outside the slice"),
            "correction": "Benjamini-Hochberg (false discovery rate alpha, per model)",
            "ranking": "gap * sqrt(size) (most negative first)",
            "bootstrap": "Poisson bootstrap over rows, percentile 95% interval",
            "disagreement_loss": "log_loss" if cmp.task != "regression" else "squared_error",
            "repeats": (f"per-row losses averaged over the {n_repeats} repeats" if n_repeats > 1
                        else "one repeat"),
        }
        singles = _single_slices(ds, groups, min_size=min_size, n_bins=n_bins, max_levels=max_levels)
        pairs = _pair_slices(singles, min_size=min_size) if max_conditions >= 2 else []
        everything = singles + pairs
        self._slices = tuple(s for s, _ in everything)
        self._masks = [m for _, m in everything]
        self._compute(cmp, n_boot=n_boot, random_state=random_state)
        self._shift = [dict(r) for r in (shift or [])]
        self.seconds = time.perf_counter() - t0

    # ------------------------------------------------------------------ construction
    @staticmethod
    def _check(cmp, ds, *, groups, min_size, n_boot, alpha, max_conditions, n_bins, max_levels, top_k):
        cmp.check_dataset(ds)
        cols = [c for c in ds.frame.columns if c != ds.target]
        for g in groups:
            if g not in cols:
                raise DataError(_UNKNOWN_COLUMN.format(what="group", name=g, columns=preview(cols),
                                                       arg="groups=... (or --group)"))
        _check_int("min_size", min_size, 1, 10**9)
        _check_int("n_boot", n_boot, 10, 100_000)
        _check_int("max_conditions", max_conditions, 1, 2)
        _check_int("n_bins", n_bins, 2, 20)
        _check_int("max_levels", max_levels, 1, 1000)
        _check_int("top_k", top_k, 1, 10_000)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
            raise ConfigError(_BAD_ALPHA.format(value=alpha))

    def _resolve_pair(self, pair):
        fams = self.families
        if pair is None:
            # The first family of the most complex kind against the first of the next kind down
            # (the deep net vs boosting; boosting vs the linear model), else the first two.
            firsts = list({registry.get(f).kind: f for f in reversed(registry.by_simplicity(fams))}.values())
            firsts = sorted(firsts, key=lambda f: registry.get(f).rank, reverse=True)
            if len(firsts) >= 2:
                return (firsts[0], firsts[1])
            return (fams[0], fams[1]) if len(fams) >= 2 else None
        pair = tuple(pair)
        if len(pair) != 2 or pair[0] == pair[1] or any(p not in fams for p in pair):
            raise ConfigError(_BAD_PAIR.format(value=pair, families=", ".join(fams)))
        return pair

    def _compute(self, cmp, *, n_boot, random_state):
        y = cmp.y
        n = len(y)
        classify = self.task != "regression"
        n_classes = (cmp.n_classes or int(y.max()) + 1) if classify else 0
        st = _RowStats()
        losses = {}
        self._valid = {}
        for fam in self.families:
            valid, per = _per_row(cmp, fam, y, self.task, n_classes)
            v = valid.astype(float)
            st.add((fam, "v"), v)
            test_loss = per["err"] if classify else per["se"]
            losses[fam] = per["ll"] if classify else per["se"]
            st.add((fam, "t1"), v * test_loss)
            st.add((fam, "t2"), v * test_loss**2)
            for key, arr in per.items():
                st.add((fam, key), v * arr)
            if classify:
                for k in range(n_classes):
                    st.add((fam, "n", k), v * (y == k))
                    st.add((fam, "c", k), v * (y == k) * (1.0 - per["err"]))
            self._valid[fam] = valid
        if self.pair:
            a, b = self.pair
            vab = (self._valid[a] & self._valid[b]).astype(float)
            d = np.where(vab > 0, losses[a] - losses[b], 0.0)
            st.add(("pair", "v"), vab)
            st.add(("pair", "s"), d)
            st.add(("pair", "q"), d**2)
        Z = st.matrix()
        idx = st.index
        metrics = [self.metric, self.secondary_metric]
        vectorised = all(m in _SUPPORTED for m in metrics)

        # Poisson bootstrap: one Poisson(1) weight per (row, replicate), shared by every slice and model.
        # Rows x replicates layout so a slice's weights are a contiguous row gather; only the columns
        # the metrics need are bootstrapped.
        rng = np.random.default_rng(random_state)
        Wt = rng.poisson(1.0, size=(n, n_boot)).astype(np.float32)
        needed = {"accuracy": ("err",), "log_loss": ("ll",), "rmse": ("se",), "mae": ("ae",),
                  "balanced_accuracy": ()}
        keys = [k for k in idx if k[0] in self.families and
                (k[1] == "v" or any(k[1] in needed.get(m, ()) for m in metrics)
                 or (k[1] in ("n", "c") and "balanced_accuracy" in metrics))]
        bidx = {k: j for j, k in enumerate(keys)}
        Zb = Z[:, [idx[k] for k in keys]].astype(np.float32)
        n_sl = len(self._masks)
        point = np.empty((n_sl + 1, Z.shape[1]))
        boot = {(f, m): np.empty((n_sl + 1, n_boot)) for f in self.families for m in metrics}
        all_rows = np.ones(n, dtype=bool)
        # The products are small (replicates x rows x a few columns): one BLAS thread is faster
        # than many fighting over shared cores (the limit is scoped and restored).
        with threadpool_limits(limits=1, user_api="blas"):
            for i, mask in enumerate([all_rows, *self._masks]):
                rows = np.flatnonzero(mask)
                point[i] = Z[rows].sum(axis=0)
                if vectorised:
                    B = (Wt[rows].T @ Zb[rows]).astype(np.float64)
                    for f in self.families:
                        for m in metrics:
                            boot[(f, m)][i] = _scores_from_sums(m, B, bidx, f, n_classes)
        total = point[0]
        self._point_sums, self._idx = point, idx

        # scores and intervals
        res = {}
        for f in self.families:
            for m in metrics:
                if vectorised:
                    sc = _scores_from_sums(m, point, idx, f, n_classes)
                    with _quiet():
                        lo, hi = np.nanpercentile(boot[(f, m)], [2.5, 97.5], axis=1)
                else:
                    sc, lo, hi = self._fallback_scores(cmp, f, m, [all_rows, *self._masks], n_boot, random_state)
                met = METRICS[m]
                res[(f, m)] = (sc, np.array([met.clip(v) for v in lo]), np.array([met.clip(v) for v in hi]))

        rows, overall = [], []
        for f in self.families:
            sc, lo, hi = res[(f, self.metric)]
            sc2, lo2, hi2 = res[(f, self.secondary_metric)]
            sign = 1.0 if self.higher_is_better else -1.0
            sign2 = 1.0 if self._sec_higher else -1.0
            overall.append({"family": f, "score": sc[0], "ci_low": lo[0], "ci_high": hi[0],
                            "secondary": sc2[0], "secondary_low": lo2[0], "secondary_high": hi2[0],
                            "n": int(total[idx[(f, "v")]])})
            sizes = point[1:, idx[(f, "v")]]
            p = welch_test(point[1:, idx[(f, "v")]], point[1:, idx[(f, "t1")]], point[1:, idx[(f, "t2")]],
                       total[idx[(f, "v")]] - point[1:, idx[(f, "v")]],
                       total[idx[(f, "t1")]] - point[1:, idx[(f, "t1")]],
                       total[idx[(f, "t2")]] - point[1:, idx[(f, "t2")]])
            uncertain = sizes < self._min_size
            p = np.where(uncertain, np.nan, p)
            q = benjamini_hochberg(p)
            gap = sign * (sc[1:] - sc[0])
            gap2 = sign2 * (sc2[1:] - sc2[0])
            for i, s in enumerate(self.slices):
                rows.append({"slice": i, "description": s.description, "size": int(self._masks[i].sum()),
                             "n_conditions": s.n_conditions, "family": f, "n": int(sizes[i]),
                             "score": sc[i + 1], "ci_low": lo[i + 1], "ci_high": hi[i + 1], "gap": gap[i],
                             "secondary": sc2[i + 1], "secondary_low": lo2[i + 1], "secondary_high": hi2[i + 1],
                             "secondary_gap": gap2[i], "p_value": p[i], "q_value": q[i],
                             "significant": bool(np.isfinite(q[i]) and q[i] < self._alpha),
                             "uncertain": bool(uncertain[i]),
                             "rank_score": gap[i] * math.sqrt(sizes[i]) if sizes[i] > 0 else np.nan})
        cols = ["slice", "description", "size", "n_conditions", "family", "n", "score", "ci_low", "ci_high",
                "gap", "secondary", "secondary_low", "secondary_high", "secondary_gap", "p_value", "q_value",
                "significant", "uncertain", "rank_score"]
        self._frame = pd.DataFrame(rows, columns=cols)
        self._overall = pd.DataFrame(overall).set_index("family")

        # disagreement
        if self.pair:
            m = point[1:, idx[("pair", "v")]]
            mu, lo, hi, p = _one_sample_t(m, point[1:, idx[("pair", "s")]], point[1:, idx[("pair", "q")]])
            uncertain = m < self._min_size
            p = np.where(uncertain, np.nan, p)
            q = benjamini_hochberg(p)
            mt, _, _, _ = _one_sample_t(np.array([total[idx[("pair", "v")]]]), np.array([total[idx[("pair", "s")]]]),
                                        np.array([total[idx[("pair", "q")]]]))
            self._pair_overall = float(mt[0])
            self._disagreement = pd.DataFrame({
                "slice": np.arange(n_sl), "description": [s.description for s in self.slices],
                "size": [int(mk.sum()) for mk in self._masks], "n": m.astype(int),
                "mean_diff": mu, "ci_low": lo, "ci_high": hi, "p_value": p, "q_value": q,
                "significant": np.isfinite(q) & (q < self._alpha), "uncertain": uncertain,
                "rank_score": mu * np.sqrt(np.maximum(m, 0))})
        else:
            self._pair_overall = float("nan")
            self._disagreement = pd.DataFrame(columns=["slice", "description", "size", "n", "mean_diff", "ci_low",
                                                       "ci_high", "p_value", "q_value", "significant",
                                                       "uncertain", "rank_score"])

    def _fallback_scores(self, cmp, fam, metric, masks, n_boot, random_state):
        # Metrics without a vectorised form: repeat 0 predictions and dllab.stats.bootstrap_ci per slice.
        pred = cmp.oof[fam][0]
        ok = np.isfinite(pred).all(axis=1) if pred.ndim == 2 else np.isfinite(pred)
        sc, lo, hi = [], [], []
        for mask in masks:
            rows = np.flatnonzero(mask & ok)
            if len(rows) == 0:
                sc.append(np.nan), lo.append(np.nan), hi.append(np.nan)
                continue
            s, a, b = bootstrap_ci(METRICS[metric], cmp.y[rows], pred[rows], n_boot=n_boot,
                                   random_state=random_state, n_classes=cmp.n_classes)
            sc.append(s), lo.append(a), hi.append(b)
        return np.array(sc), np.array(lo), np.array(hi)

    # ------------------------------------------------------------------ reading
    @property
    def slices(self) -> tuple:
        """The slices, one-condition slices first (``frame.slice`` indexes this tuple)."""
        return self._slices

    @property
    def settings(self) -> dict:
        """Parameters and method names (a copy)."""
        return dict(self._settings)

    @property
    def frame(self) -> pd.DataFrame:
        """Long table: one row per (slice, family) (a copy)."""
        return self._frame.copy()

    @property
    def overall(self) -> pd.DataFrame:
        """One row per family: scores with 95% intervals on all rows (a copy)."""
        return self._overall.copy()

    def _check_family(self, family):
        if family not in self.families:
            raise ConfigError(_BAD_FAMILY.format(value=family, families=", ".join(self.families)))

    def worst(self, family: str, *, top_k: int | None = None) -> pd.DataFrame:
        """Significantly worse slices of ``family``, most harmful first (ranked by ``gap * sqrt(size)``)."""
        self._check_family(family)
        f = self._frame
        sel = f[(f.family == family) & f.significant & ~f.uncertain & (f.gap < 0)]
        return sel.sort_values(["rank_score", "slice"]).head(top_k or self._top_k).reset_index(drop=True)

    def ranked(self, family: str) -> pd.DataFrame:
        """Every slice of ``family`` ranked by ``gap * sqrt(size)`` (uncertain slices last), significant or not."""
        self._check_family(family)
        f = self._frame[self._frame.family == family]
        return f.sort_values(["uncertain", "rank_score", "slice"]).reset_index(drop=True)

    def disagreement(self, *, direction: str = "both", top_k: int | None = None,
                     significant_only: bool = True) -> pd.DataFrame:
        """Slices where ``pair[0]``'s per-row loss is above (``"above"``) or below (``"below"``) ``pair[1]``'s.

        ``mean_diff`` is loss(pair[0]) - loss(pair[1]) averaged over the slice's rows (positive: the
        first family is worse there). ``"both"`` returns the top ``top_k`` of each direction.
        """
        d = self._disagreement
        if significant_only:
            d = d[d.significant & ~d.uncertain]
        above = d[d.mean_diff > 0].sort_values(["rank_score", "slice"], ascending=[False, True])
        below = d[d.mean_diff < 0].sort_values(["rank_score", "slice"])
        k = top_k or self._top_k
        parts = {"above": [above.head(k)], "below": [below.head(k)], "both": [above.head(k), below.head(k)]}
        if direction not in parts:
            raise ConfigError(_BAD_DIRECTION.format(value=direction))
        out = pd.concat(parts[direction]) if any(len(p) for p in parts[direction]) else d.head(0)
        return out.assign(direction=np.where(out.mean_diff > 0, "above", "below")).reset_index(drop=True)

    def disagreement_table(self) -> pd.DataFrame:
        """Every slice's mean per-row loss difference of ``pair`` (for a chart), a copy."""
        return self._disagreement.copy()

    @property
    def disagreement_overall(self) -> float:
        """``pair``'s mean per-row loss difference on all rows (NaN without a pair)."""
        return self._pair_overall

    @property
    def shift(self) -> list[dict]:
        """The shift-test rows kept with the report (see :func:`shift_test`)."""
        return [dict(r) for r in self._shift]

    # ------------------------------------------------------------------ export
    def _slice_dict(self, i: int, by_slice) -> dict:
        s = self._slices[i]
        models = {}
        for fam in self.families:
            r = by_slice[(i, fam)]
            models[fam] = {"score": _num(r.score), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                           "gap": _num(r.gap), "n": int(r.n),
                           "secondary": {"metric": self.secondary_metric, "score": _num(r.secondary),
                                         "ci_low": _num(r.secondary_low), "ci_high": _num(r.secondary_high),
                                         "gap": _num(r.secondary_gap)},
                           "p_value": _num(r.p_value), "q_value": _num(r.q_value),
                           "significant": bool(r.significant), "uncertain": bool(r.uncertain)}
        return {"description": s.description, "conditions": s.conditions, "size": int(self._masks[i].sum()),
                "n_conditions": s.n_conditions, "models": models,
                "significant": any(m["significant"] for m in models.values()),
                "uncertain": int(self._masks[i].sum()) < self._min_size}

    @staticmethod
    def _record(row, slice_obj, extra=()) -> dict:
        out = {"description": slice_obj.description, "conditions": slice_obj.conditions, "size": int(row["size"])}
        for k in extra:
            v = row[k]
            out[k] = bool(v) if isinstance(v, (bool, np.bool_)) else (int(v) if k == "n" else _num(v))
        return out

    def to_dict(self) -> dict:
        """The ``subgroups`` block of the JSON report.

        ``slices`` lists every slice (one-condition slices first). Each list in ``worst`` holds that
        model's significantly worse slices as flat records (``description``, ``conditions``, ``size``,
        ``score``, ``ci_low``, ``ci_high``, ``gap``, ``overall``, ``p_value``, ``q_value``,
        ``rank_score``), most harmful first. ``disagreement`` holds the same kind of records for
        ``pair`` (``mean_diff`` = loss of ``a`` minus loss of ``b``, with ``direction`` "above" when
        ``a`` is worse), the top ``top_k`` of each direction. ``shift`` holds :func:`shift_test` rows.
        """
        by_slice = {(r.slice, r.family): r for r in self._frame.itertuples(index=False)}
        worst = {}
        for fam in self.families:
            recs = []
            for _, r in self.worst(fam).iterrows():
                rec = self._record(r, self.slices[int(r["slice"])],
                                   ("n", "score", "ci_low", "ci_high", "gap", "p_value", "q_value", "rank_score"))
                rec["overall"] = _num(self._overall.loc[fam, "score"])
                recs.append(rec)
            worst[fam] = recs
        dis = []
        if self.pair:
            for _, r in self.disagreement().iterrows():
                rec = self._record(r, self.slices[int(r["slice"])],
                                   ("n", "mean_diff", "ci_low", "ci_high", "p_value", "q_value", "rank_score"))
                rec.update(a=self.pair[0], b=self.pair[1], loss=self.settings["disagreement_loss"],
                           direction=r["direction"], significant=bool(r["significant"]))
                dis.append(rec)
        return {
            "metric": self.metric,
            "secondary_metric": self.secondary_metric,
            "higher_is_better": self.higher_is_better,
            "families": list(self.families),
            "overall": {f: {"score": _num(r.score), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                            "n": int(r.n)} for f, r in self._overall.iterrows()},
            "slices": [self._slice_dict(i, by_slice) for i in range(len(self._slices))],
            "worst": worst,
            "disagreement_pair": list(self.pair) if self.pair else None,
            "disagreement_overall": _num(self._pair_overall),
            "disagreement": dis,
            "shift": self.shift,
            "settings": dict(self.settings),
        }

    def findings(self, *, per_model: int = 2) -> list[str]:
        """Plain-language sentences with numbers: worst slices, disagreements, the shift test's conclusion."""
        out = []
        m = self.metric
        label = _metric_word(m)
        for fam in self.families:
            name = registry.model_noun(fam)
            overall = self._overall.loc[fam, "score"]
            w = self.worst(fam, top_k=per_model)
            if w.empty:
                mine = self._frame[self._frame.family == fam]
                n_tested = int(np.isfinite(mine.p_value.to_numpy(dtype=float)).sum())
                out.append(_cap(f"{name}: no slice of at least {self._min_size} rows is significantly worse than "
                                f"the rest, after correcting for the {n_tested:,} slices tested."))
            for _, r in w.iterrows():
                out.append(f"On rows with {r.description} (n = {int(r['size']):,}), {name}'s {label} is "
                           f"{format_score(m, r.score)} against {format_score(m, overall)} on all rows "
                           f"(95% CI {format_interval(m, r.ci_low, r.ci_high)}).")
        if self.pair:
            a, b = (registry.model_noun(p) for p in self.pair)
            loss = "log loss" if self.task != "regression" else "squared error"
            for _, r in self.disagreement(top_k=1).iterrows():
                word = "higher" if r.mean_diff > 0 else "lower"
                out.append(_cap(f"On rows with {r.description} (n = {int(r['size']):,}), {a}'s per-row {loss} is "
                                f"{abs(r.mean_diff):.3g} {word} than {b}'s (95% CI {r.ci_low:.3g} to "
                                f"{r.ci_high:.3g}; {self._pair_overall:+.3g} on all rows)."))
        if self._shift:
            out.append(shift_conclusion(self._shift))
        return out

    def __repr__(self):
        return (f"SubgroupReport(task={self.task!r}, families={list(self.families)}, slices={len(self.slices)}, "
                f"metric={self.metric!r})")


def subgroup_report(cmp, ds, *, groups=(), min_size: int = 30, n_boot: int = 200, alpha: float = 0.05,
                    max_conditions: int = 2, n_bins: int = 5, max_levels: int = 20, top_k: int = 10,
                    pair=None, shift=None, random_state: int | None = 0) -> SubgroupReport:
    """Slice the data, score every model on every slice and find where each fails (no refitting).

    Parameters are those of :class:`SubgroupReport`.

    Raises
    ------
    DataError
        If ``ds`` is not the data ``cmp`` was run on, or a ``groups`` column is not in it.
    ConfigError
        If a setting is out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from dllab.analyses.comparison import Comparison, FitRecord
    >>> from dllab.datasets import from_frame
    >>> from dllab.engine.splits import make_splits
    >>> df = pd.DataFrame({"g": ["a", "b"] * 100, "target": [0, 1, 1, 0] * 50})
    >>> ds = from_frame(df, target="target")
    >>> sp = make_splits(ds.y, task="binary", n_folds=2)
    >>> wrong_in_b = lambda te: np.c_[1.0 - ds.y[te], ds.y[te]] * (ds.frame.g.to_numpy()[te] == "a")[:, None] \\
    ...     + np.c_[ds.y[te], 1.0 - ds.y[te]] * (ds.frame.g.to_numpy()[te] == "b")[:, None]
    >>> recs = [FitRecord("linear", i, "ok", te, prediction=wrong_in_b(te)) for i, (tr, te) in enumerate(sp)]
    >>> cmp = Comparison(recs, y=ds.y, task="binary", splits=sp, n_classes=2)
    >>> report = subgroup_report(cmp, ds, n_boot=50)
    >>> report.worst("linear")[["description", "score", "gap"]].values.tolist()
    [['g = b', 0.0, -0.5]]
    """
    return SubgroupReport(cmp, ds, groups=groups, min_size=min_size, n_boot=n_boot, alpha=alpha,
                          max_conditions=max_conditions, n_bins=n_bins, max_levels=max_levels, top_k=top_k,
                          pair=pair, shift=shift, random_state=random_state)


def slice_table(report: SubgroupReport, *, values: str = "score", max_conditions: int | None = None,
                sort_by: str | None = None) -> pd.DataFrame:
    """Wide table for a heat map: one row per slice (its description), one column per family.

    Parameters
    ----------
    report : SubgroupReport
    values : str, default="score"
        Any numeric column of ``report.frame`` (``score``, ``gap``, ``secondary``, ``q_value`` ...).
    max_conditions : int, optional
        Keep only slices on at most this many columns (1 gives a compact heat map).
    sort_by : str, optional
        A family: order rows by that family's ``rank_score`` (worst first); default keeps slice order.

    Returns
    -------
    DataFrame
        Index ``description``; extra columns ``size`` and ``uncertain``. ``attrs`` holds ``metric`` (the
        report's metric), ``values`` and ``overall`` (``{family: score on all rows}``), so a figure
        centres its colours on the overall scores of the whole report, whichever rows it draws.
    """
    f = report.frame
    if max_conditions is not None:
        f = f[f.n_conditions <= max_conditions]
    # reindex, not [...]: a report without slices still has one (empty) column per family
    wide = f.pivot(index="slice", columns="family", values=values).reindex(columns=list(report.families))
    meta = f.drop_duplicates("slice").set_index("slice")[["description", "size"]]
    wide = meta.join(wide)
    wide["uncertain"] = wide["size"] < report.settings["min_size"]
    if sort_by is not None:
        report._check_family(sort_by)
        order = f[f.family == sort_by].set_index("slice")["rank_score"]
        wide = wide.loc[order.sort_values(kind="stable").index]
    wide.columns.name = None
    wide = wide.set_index("description")
    wide.attrs = {"metric": report.metric, "values": values,
                  "overall": {fam: float(report.overall.loc[fam, "score"]) for fam in report.families}}
    return wide


def _metric_word(metric: str) -> str:
    label = METRICS[metric].label
    return label if label.isupper() else label.lower()


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]
