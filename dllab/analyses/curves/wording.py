"""The curve's sentences besides the findings': who scores highest, what doubling the data would do, how it was made.

Each function reads a built :class:`~dllab.analyses.curves.LearningCurve` and
returns plain sentences with computed numbers. A ranking is said to hold only
where the paired test at that size says the gap is beyond noise; what comes
from the fitted curves is labelled as extrapolated.
"""

from __future__ import annotations

import numpy as np

from ._common import _cap
from ...metrics import METRICS, format_diff, format_score
from ... import families as registry


def _label(metric: str) -> str:
    label = METRICS[metric].label
    return label if label.isupper() else label.lower()


def leader_sentence(lc) -> str:
    """Who scores highest, and which gaps to the others are beyond noise.

    "X has the best accuracy at every size" only when X leads every other family beyond
    noise at every size; otherwise the ranking at the largest size with each gap's standing.
    """
    n_max = int(lc.sizes.max())
    means = {f: lc.band(f)["mean"].to_numpy(dtype=float) for f in lc.families}
    last = {f: m[-1] for f, m in means.items() if np.isfinite(m[-1])}
    if not last:
        return f"Every fit failed at the largest size ({n_max:,} rows)."
    leaders = lc.leaders()
    best = leaders[-1]
    others = [f for f in lc.families if f != best and f in last]
    label = _label(lc.metric)
    where = f"{n_max:,} rows" + (", Compare's setting" if lc.design.get("matches_comparison") else "")
    if not others:
        return (f"At the largest size ({where}) {registry.model_noun(best)} scores "
                f"{format_score(lc.metric, last[best])}.")
    everywhere = all(leaders[i] == best and all(lc.compare_at(best, o, n).standing == "ahead" for o in others)
                     for i, n in enumerate(lc.sizes))
    if everywhere and len(lc.sizes) > 1:
        return (f"{_cap(registry.model_noun(best))} has the best {label} at every size up to {n_max:,} rows, "
                f"ahead of every other model beyond noise.")
    tied, behind = [], []
    for o in others:
        s = lc.compare_at(best, o, n_max)
        named = f"{registry.model_noun(o)} ({format_score(lc.metric, last[o])})"
        (behind if s.standing == "ahead" else tied).append(named)
    text = (f"At the largest size ({where}) {registry.model_noun(best)} scores highest, "
            f"{format_score(lc.metric, last[best])}")
    if tied:
        text += f"; {_and(tied)} {'is' if len(tied) == 1 else 'are'} within noise of it"
    if behind:
        text += f"; {_and(behind)} {'is' if len(behind) == 1 else 'are'} behind it beyond noise"
    return text + "."


def slope_sentence(lc, *, labelled: bool = True) -> str:
    """What doubling the data would change, per family, from the fitted curves.

    ``labelled`` opens with "Extrapolated from the fitted curves (not measured)"; without it the
    sentence says "on the fitted curves" (for when the sentence before is labelled already).
    """
    have = [f for f in lc.families if np.isfinite(lc.slopes[f][0])]
    if not have:
        return ""
    n_max = int(lc.sizes.max())
    bits = [f"{format_diff(lc.metric, lc.slopes[f][0], signed=True)} for {registry.model_noun(f)}" for f in have]
    if labelled:
        return (f"Extrapolated from the fitted curves (not measured): doubling the data from {n_max:,} rows would "
                f"change {_label(lc.metric)} by {_and(bits)}.")
    return (f"On the fitted curves, doubling the data from {n_max:,} rows would change {_label(lc.metric)} by "
            f"{_and(bits)}.")


def describe_design(lc) -> list[str]:
    """Which rows, how many splits and subsamples per size, and how the numbers relate to Compare's."""
    d = lc.design
    if not d.get("folds_used"):
        return []
    used, n_splits, seeds = list(d["folds_used"]), int(d.get("n_splits") or len(d["folds_used"])), int(d["n_seeds"])
    n_test, n_train = list(d.get("n_test") or []), int(d.get("n_train_available") or lc.sizes.max())
    n_max = int(lc.sizes.max())
    per_split = "" if seeds == 1 else f", {seeds} different subsamples per split"
    out = []
    if len(used) == n_splits and n_splits > 1:
        out.append(f"Every size is trained on each of Compare's {n_splits} splits{per_split}, and scored on that "
                   f"split's held-out rows: all {int(d.get('rows_tested') or sum(n_test)):,} rows are scored at "
                   f"every size, each once per subsample.")
    else:
        which = f"split {used[0]}" if len(used) == 1 else f"splits {', '.join(map(str, used))}"
        out.append(f"Every size is trained on {seeds} subsample{'s' if seeds > 1 else ''} of the {n_train:,} training "
                   f"rows of {which} (of Compare's {n_splits}) and scored on the same {sum(n_test):,} held-out rows "
                   f"at every size.")
    out.append("A smaller size is a random subsample of a split's training rows, with each class in its share; "
               "each larger size contains the smaller ones.")
    last = {f: lc.band(f)["mean"].iloc[-1] for f in lc.families}
    scores = _and([f"{registry.model_noun(f)} {format_score(lc.metric, v)}" for f, v in last.items() if np.isfinite(v)])
    if d.get("matches_comparison"):
        out.append(f"The largest size, {n_max:,} rows, is Compare's setting: its scores are Compare's own fits on the "
                   f"same {n_splits} splits, so they are Compare's numbers ({scores}).")
    elif d.get("reused_comparison"):
        out.append(f"The largest size, {n_max:,} rows, reuses Compare's fits on {_splits(used)} only ({scores}). "
                   f"Compare averages all {n_splits} of its splits, so its numbers can differ from these by a point "
                   f"or two: other test rows, and fewer of them.")
    else:
        fewer = "" if len(used) == n_splits else ", on fewer test rows"
        out.append(f"The largest size, {n_max:,} rows, is the training size of Compare's splits, but its fits are new "
                   f"(no comparison with the same settings was reused){fewer}: its numbers ({scores}) can differ "
                   f"from Compare's by the luck of the model's seed.")
    out.append("Beyond noise means that a paired test of two models at that size (the same training and test rows "
               "for both) finds the gap unlikely to be chance (p below 0.05); a gap within noise could go either "
               "way with other rows.")
    return out


def _splits(used) -> str:
    return f"split {used[0]}" if len(used) == 1 else f"splits {', '.join(map(str, used))}"


def _and(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
