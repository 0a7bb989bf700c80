"""The shift test: train without one group of a column, test on it, and compare with a random split of the same size.

:func:`shift_test` runs it; :func:`shift_summary` and :func:`shift_conclusion` read
its rows (which family drops most, by how much, and whether the drop is beyond
noise). The default column and the expected cost are in :mod:`.shift_plan`.

Beyond noise
    Each drop's 95% interval comes from resampling both test sets (the fitted
    models are fixed). Its two-sided p-value is the normal approximation with
    the bootstrap's standard deviation, and the p-values of one test (every
    group x family) are corrected with Benjamini-Hochberg: a drop is beyond
    noise when it is positive and its q-value is below 0.05. The interval leaves
    out the noise of refitting (one fit per group and family).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as sps

from ... import families as registry
from ...datasets.schema import NUMERIC, TEXT
from ...errors import ConfigError, DataError, preview
from ...metrics import METRICS, format_diff, format_diff_interval, format_score, metrics_for
from ...stats import benjamini_hochberg
from ._common import _UNKNOWN_COLUMN, _check_int, _num, _quiet
from .slices import _level_slices, _numeric_bins
from ...engine.compute import in_session

__all__ = ["shift_test", "shift_summary", "shift_conclusion", "is_beyond_noise", "NOISE_ALPHA"]

#: False discovery rate under which a drop counts as beyond noise.
NOISE_ALPHA = 0.05

_FEW_GROUPS = ("column {name!r} has {k} group(s) with at least {min_size} rows; the shift test needs 2 or "
               "more. Choose a column with several well-filled levels, or lower min_size.")
_BAD_FAMILIES = "families={value!r} is not valid; choose one or more of {families}."
_NOTE_HELD_OUT = "the held-out group has no rows of class(es) {classes}; scores use the classes present"
_NOTE_TRAIN = "the training rows have no class(es) {classes}, which the models cannot predict"


def _shift_groups(ds, column, *, max_groups, min_size):
    values = ds.frame[column].reset_index(drop=True)
    role = ds.roles.get(column)
    numeric = role == NUMERIC or (pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
                                  and values.nunique(dropna=True) > max_groups)
    if role == TEXT:  # free text: hold out texts by their length in words (short ones, long ones ...)
        cand = _numeric_bins(column, values, n_bins=max_groups, measure="words")
    elif numeric and values.nunique(dropna=True) > max_groups:
        cand = _numeric_bins(column, values, n_bins=max_groups)
    else:
        cand = _level_slices(column, values, min_size=min_size, max_levels=max_groups)
        cand = [(s, m) for s, m in cand if s.conditions[0]["op"] == "=="]  # held-out groups are real levels
    cand = [(s, m) for s, m in cand if m.sum() >= min_size and (~m).sum() >= min_size]
    return cand[:max_groups]


#: The shift test's split seeds are keyed apart from the families' seed keys. It is 4 because
#: it used to be ``len(FAMILIES)`` (then four): fixed, so adding a family changes no split.
_SHIFT_SPLIT_KEY = 4


def _split_seed(seed: int, group: int) -> int:
    ss = np.random.SeedSequence(seed, spawn_key=(_SHIFT_SPLIT_KEY, group))
    return int(ss.generate_state(1, dtype=np.uint32)[0])


@in_session
def shift_test(ds, *, column: str, config, families=None, max_groups: int = 5, min_size: int = 30,
               progress=None) -> list[dict]:
    """Train on all but one group of ``column``, test on that group, and compare with a random split.

    Groups are the largest levels of a categorical column (those with at least ``min_size`` rows),
    the quantile bins of a numeric one, or of a text column's words per text, at most ``max_groups``.
    For each group every family is fitted on the other rows (rows where ``column`` is missing always
    train) and scored on the group; for reference the same family is fitted on a random split with the
    same test size (seeded, stratified for classification). The column stays a feature as the dataset's roles say, so a
    categorical group is a level the model never saw.

    Parameters
    ----------
    ds : Dataset
    column : str
        Any column of the data but the target (also one excluded from training).
    config : RunConfig
        Budget, seed, device, n_jobs and (unless ``families`` is given) the families.
    families : sequence of str, optional
    max_groups : int, default=5
    min_size : int, default=30
    progress : callable, optional
        Called with a :class:`dllab.engine.runner.Progress` after each fit.

    Returns
    -------
    list of dict
        One row per (group, family): ``column``, ``group`` (description), ``conditions``, ``size``,
        ``n_train``, ``family``, ``metric``, ``higher_is_better``, ``shift_score``, ``random_score``,
        ``drop`` (random minus held-out score, signed so that positive = worse under shift),
        ``drop_ci_low``, ``drop_ci_high`` (95% bootstrap interval over the two test sets' rows; the
        fitted models are fixed, so it leaves out training noise), ``drop_p`` (two-sided p-value of
        "no drop"), ``drop_q`` (Benjamini-Hochberg over every ok row of this test), ``beyond_noise``
        (a positive drop with ``drop_q`` below :data:`NOISE_ALPHA`),
        ``secondary_metric``, ``shift_secondary``, ``random_secondary``, ``secondary_drop``,
        ``status`` ("ok" or "failed"), ``reason`` and ``note`` (e.g. classes missing in the group).

    Raises
    ------
    DataError
        If ``column`` is not in the data or has fewer than two usable groups.
    """
    from ...engine.runner import Task, model_factory, run_tasks, task_seed

    cols = [c for c in ds.frame.columns if c != ds.target]
    if column not in cols:
        raise DataError(_UNKNOWN_COLUMN.format(what="shift", name=column, columns=preview(cols),
                                               arg="column=... (or --shift)"))
    _check_int("max_groups", max_groups, 2, 50)
    _check_int("min_size", min_size, 1, 10**9)
    families = tuple(families) if families is not None else tuple(config.families)
    bad = [f for f in families if f not in registry.names()]
    if bad or not families:
        raise ConfigError(_BAD_FAMILIES.format(value=families, families=", ".join(registry.names())))
    groups = _shift_groups(ds, column, max_groups=max_groups, min_size=min_size)
    if len(groups) < 2:
        raise DataError(_FEW_GROUPS.format(name=column, k=len(groups), min_size=min_size))
    X, y = ds.X, ds.y
    n = len(y)
    classify = ds.task != "regression"
    tasks, meta = [], []
    for gi, (s, mask) in enumerate(groups):
        test = np.flatnonzero(mask)
        train = np.flatnonzero(~mask)
        rtrain, rtest = _random_split(y, len(test), classify=classify, seed=_split_seed(config.seed, gi))
        for fam in families:
            for kind, (tr, te) in enumerate(((train, test), (rtrain, rtest))):
                where = f"held out {s.description}" if kind == 0 else f"random split ({len(te)} rows)"
                tasks.append(Task(family=fam, split=2 * gi + kind, train_idx=tr, test_idx=te,
                                  seed=task_seed(config.seed, fam, gi, 1000 + kind),
                                  label=f"{registry.label(fam)}, {where}"))
        meta.append((s, mask, train, test))
    records = run_tasks(tasks, X, y, problem=ds.task, budget=config.budget, device=config.device,
                        n_jobs=config.n_jobs, cluster=config.cluster, progress=progress, keep_models=False,
                        make=model_factory(config, ds))
    ms = metrics_for(ds.task)
    prim, sec = ms[0], ms[1]
    n_classes = len(ds.classes) if classify else None
    by = {(t.split, t.family): r for t, r in zip(tasks, records)}
    out = []
    for gi, (s, mask, train, test) in enumerate(meta):
        note = []
        if classify:
            seen, held = set(np.unique(y[train]).tolist()), set(np.unique(y[test]).tolist())
            if seen - held:
                note.append(_NOTE_HELD_OUT.format(classes=preview([ds.classes[k] for k in sorted(seen - held)])))
            if held - seen:
                note.append(_NOTE_TRAIN.format(classes=preview([ds.classes[k] for k in sorted(held - seen)])))
        for fam in families:
            rs, rr = by[(2 * gi, fam)], by[(2 * gi + 1, fam)]
            row = {"column": column, "group": s.description, "conditions": s.conditions, "size": int(len(test)),
                   "n_train": int(len(train)), "family": fam, "metric": prim.name,
                   "higher_is_better": prim.higher_is_better, "secondary_metric": sec.name,
                   "status": "ok", "reason": "", "note": "; ".join(note)}
            if not (rs.ok and rr.ok):
                bad_rec = rs if not rs.ok else rr
                row.update(status="failed", reason=bad_rec.reason, shift_score=None, random_score=None, drop=None,
                           drop_ci_low=None, drop_ci_high=None, drop_p=None, drop_q=None, beyond_noise=False,
                           shift_secondary=None, random_secondary=None, secondary_drop=None)
                out.append(row)
                continue
            with _quiet():
                a = prim(y[rs.test_idx], rs.prediction, n_classes=n_classes)
                b = prim(y[rr.test_idx], rr.prediction, n_classes=n_classes)
                a2 = sec(y[rs.test_idx], rs.prediction, n_classes=n_classes)
                b2 = sec(y[rr.test_idx], rr.prediction, n_classes=n_classes)
            sign = 1.0 if prim.higher_is_better else -1.0
            sign2 = 1.0 if sec.higher_is_better else -1.0
            lo, hi, sd = _drop_ci(prim, y[rs.test_idx], rs.prediction, y[rr.test_idx], rr.prediction, sign=sign,
                                  n_classes=n_classes, random_state=_split_seed(config.seed, 1000 + gi))
            drop = sign * (b - a)
            row.update(shift_score=_num(a), random_score=_num(b), drop=_num(drop),
                       drop_ci_low=_num(lo), drop_ci_high=_num(hi), drop_p=_num(_drop_p(drop, sd)),
                       shift_secondary=_num(a2), random_secondary=_num(b2), secondary_drop=_num(sign2 * (b2 - a2)))
            out.append(row)
    assert n == len(y), "internal error: rows changed during the shift test"
    _correct(out)
    return out


def _drop_p(drop, sd):
    # Normal approximation with the bootstrap's spread; no spread and no drop: nothing to explain.
    if not np.isfinite(drop):
        return float("nan")
    if not np.isfinite(sd) or sd <= 0:
        return 1.0 if drop == 0 else float("nan")
    return float(2 * sps.norm.sf(abs(drop) / sd))


def _correct(rows):
    ok = [r for r in rows if r["status"] == "ok"]
    q = benjamini_hochberg([np.nan if r["drop_p"] is None else r["drop_p"] for r in ok])
    for r, v in zip(ok, q):
        r["drop_q"] = _num(v)
        r["beyond_noise"] = bool(np.isfinite(v) and v < NOISE_ALPHA and (r["drop"] or 0) > 0)


def _drop_ci(metric, y_a, p_a, y_b, p_b, *, sign, n_classes, random_state, n_boot=200):
    # Both test sets resampled independently (the fitted models are fixed, so training noise is not in it).
    rng = np.random.default_rng(random_state)
    ia = rng.integers(0, len(y_a), (n_boot, len(y_a)))
    ib = rng.integers(0, len(y_b), (n_boot, len(y_b)))
    if metric.name == "accuracy":
        a = (p_a.argmax(axis=1) == y_a)[ia].mean(axis=1)
        b = (p_b.argmax(axis=1) == y_b)[ib].mean(axis=1)
    elif metric.name == "rmse":
        a = np.sqrt(((p_a - y_a) ** 2)[ia].mean(axis=1))
        b = np.sqrt(((p_b - y_b) ** 2)[ib].mean(axis=1))
    else:
        with _quiet():
            a = np.array([metric(y_a[i], p_a[i], n_classes=n_classes) for i in ia])
            b = np.array([metric(y_b[i], p_b[i], n_classes=n_classes) for i in ib])
    d = sign * (b - a)
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return float("nan"), float("nan"), float("nan")
    lo, hi = np.percentile(d, [2.5, 97.5])
    return float(lo), float(hi), float(np.std(d, ddof=1)) if len(d) > 1 else float("nan")


def _random_split(y, n_test, *, classify, seed):
    from sklearn.model_selection import train_test_split

    idx = np.arange(len(y))
    strat = None
    if classify:
        _, counts = np.unique(y, return_counts=True)
        if counts.min() >= 2 and n_test >= len(counts) and len(y) - n_test >= len(counts):
            strat = y
    tr, te = train_test_split(idx, test_size=int(n_test), random_state=seed, stratify=strat)
    return np.sort(tr), np.sort(te)


# --------------------------------------------------------------------------- reading the rows
def is_beyond_noise(r) -> bool:
    """Whether a shift row's drop is beyond noise (``beyond_noise``; rows without it: its interval is above 0)."""
    if "beyond_noise" in r:
        return bool(r["beyond_noise"])
    return r.get("drop_ci_low") is not None and r["drop_ci_low"] > 0  # rows without the corrected test


def shift_summary(rows) -> dict | None:
    """Each family's largest drop under the shift, and the family that drops most (None without a scored row).

    Parameters
    ----------
    rows : list of dict
        As :func:`shift_test` returns them.

    Returns
    -------
    dict or None
        ``column``, ``metric``, ``n_groups``, ``n_tests`` (scored rows), ``families``: one dict per family
        with a scored row, in canonical order, holding that family's row with the largest ``drop`` plus
        ``n_beyond_noise`` (its groups whose drop is beyond noise); ``most``: the family with the
        largest drop, or None when no family scores worse on any held-out group than on a random split.
    """
    ok = [r for r in rows if r.get("status") == "ok" and r.get("drop") is not None]
    if not ok:
        return None
    fams = {}
    for fam in registry.ordered(dict.fromkeys(r["family"] for r in ok)):
        mine = [r for r in ok if r["family"] == fam]
        worst = max(mine, key=lambda r: r["drop"])
        fams[fam] = {**worst, "beyond_noise": is_beyond_noise(worst),
                     "n_beyond_noise": sum(is_beyond_noise(r) for r in mine)}
    most = max(fams, key=lambda f: fams[f]["drop"])  # ties: the first in canonical order
    return {"column": ok[0]["column"], "metric": ok[0]["metric"],
            "n_groups": len(dict.fromkeys(r["group"] for r in rows)), "n_tests": len(ok), "families": fams,
            "most": most if fams[most]["drop"] > 0 else None}


def _interval(metric, lo, hi) -> str:
    text = "" if lo is None or hi is None else format_diff_interval(metric, lo, hi).replace("—", "")
    return f"95% CI {text}" if text else ""


def _metric_word(metric: str) -> str:
    label = METRICS[metric].label
    return label if label.isupper() else label.lower()


def shift_conclusion(rows) -> str:
    """The shift test's conclusion in words, every number computed from ``rows`` ('' without rows).

    Which family drops most when the population shifts along the column, on which held-out group,
    by how much (with its 95% interval), whether that is beyond noise, and the other families'
    largest drops.

    Examples
    --------
    >>> rows = [{"column": "port", "group": "port = Q", "size": 77, "family": "gbm", "metric": "accuracy",
    ...          "status": "ok", "shift_score": 0.70, "random_score": 0.85, "drop": 0.15, "drop_ci_low": 0.03,
    ...          "drop_ci_high": 0.27, "beyond_noise": True}]
    >>> print(shift_conclusion(rows))  # doctest: +NORMALIZE_WHITESPACE
    Holding out each group of port in turn (1 group), XGBoost drops most: trained without port = Q and tested on
    it (77 rows), its accuracy is 70.0% against 85.0% on a random split of the same size, 15.0 points lower
    (95% CI +3.0 to +27.0 points): beyond noise, even after correcting for the 1 comparison made.
    """
    if not rows:
        return ""
    s = shift_summary(rows)
    column = rows[0]["column"]
    if s is None:
        return f"The shift test on {column} has no scores: every fit failed (the table below gives the reasons)."
    m, k = s["metric"], s["n_groups"]
    groups = f"{k} group{'s' if k != 1 else ''}"
    if s["most"] is None:
        return (f"No model scores worse on a held-out group of {column} than on a random split of the same size "
                f"({groups} held out in turn): on this column the models carry over to a new population.")
    r = s["families"][s["most"]]
    shown = format_diff(m, r["drop"])
    tied = [registry.model_noun(f) for f, o in s["families"].items()
            if f != s["most"] and format_diff(m, o["drop"]) == shown]
    most = registry.model_noun(s["most"]) + " drops most" + (f" (as much as {' and '.join(tied)} at this "
                                                              "precision)" if tied else "")
    tests = f"{s['n_tests']} comparison{'s' if s['n_tests'] != 1 else ''} made"
    noise = (f"beyond noise, even after correcting for the {tests}." if r["beyond_noise"] else
             "within noise: a drop this size can come from which rows land in the test sets.")
    ci = _interval(m, r.get("drop_ci_low"), r.get("drop_ci_high"))
    text = (f"Holding out each group of {column} in turn ({groups}), {most}: "
            f"trained without {r['group']} and tested on it ({r['size']:,} rows), its {_metric_word(m)} is "
            f"{format_score(m, r['shift_score'])} against {format_score(m, r['random_score'])} on a random split "
            f"of the same size, {format_diff(m, r['drop'])} lower" + (f" ({ci})" if ci else "") + f": {noise}")
    others = []
    for fam, o in s["families"].items():
        if fam == s["most"]:
            continue
        if o["drop"] <= 0:
            others.append(f"{registry.model_noun(fam)} scores no worse on any group")
            continue
        ci = _interval(m, o.get("drop_ci_low"), o.get("drop_ci_high"))
        others.append(f"{registry.model_noun(fam)} drops at most {format_diff(m, o['drop'])}, on {o['group']} "
                      f"({ci + ', ' if ci else ''}{'beyond' if o['beyond_noise'] else 'within'} noise)")
    if others:
        text += " Of the others, " + "; ".join(others) + "."
    return text
