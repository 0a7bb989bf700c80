"""The shift test: train without one group of a column, test on it, and compare with a random split of the same size."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import families as registry
from ...datasets.schema import NUMERIC, TEXT
from ...errors import ConfigError, DataError, preview
from ...metrics import metrics_for
from ._common import _UNKNOWN_COLUMN, _check_int, _num, _quiet
from .slices import _level_slices, _numeric_bins

__all__ = ["shift_test"]

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


def shift_test(ds, *, column: str, config, families=None, max_groups: int = 5, min_size: int = 30,
               progress=None) -> list[dict]:
    """Train on all but one group of ``column``, test on that group, and compare with a random split.

    Groups are the largest levels of a categorical column (those with at least ``min_size`` rows),
    the quantile bins of a numeric one, or of a text column's words per text, at most ``max_groups``. For each group every family is fitted
    on the other rows (rows where ``column`` is missing always train) and scored on the group; for
    reference the same family is fitted on a random split with the same test size (seeded,
    stratified for classification). The column stays a feature as the dataset's roles say, so a
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
        fitted models are fixed, so it leaves out training noise),
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
                        n_jobs=config.n_jobs, progress=progress, keep_models=False, make=model_factory(config, ds))
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
                           drop_ci_low=None, drop_ci_high=None,
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
            lo, hi = _drop_ci(prim, y[rs.test_idx], rs.prediction, y[rr.test_idx], rr.prediction, sign=sign,
                              n_classes=n_classes, random_state=_split_seed(config.seed, 1000 + gi))
            row.update(shift_score=_num(a), random_score=_num(b), drop=_num(sign * (b - a)),
                       drop_ci_low=_num(lo), drop_ci_high=_num(hi),
                       shift_secondary=_num(a2), random_secondary=_num(b2), secondary_drop=_num(sign2 * (b2 - a2)))
            out.append(row)
    assert n == len(y), "internal error: rows changed during the shift test"
    return out


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
        return float("nan"), float("nan")
    lo, hi = np.percentile(d, [2.5, 97.5])
    return float(lo), float(hi)


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
