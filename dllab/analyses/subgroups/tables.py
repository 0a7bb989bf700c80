"""The subgroup results as tables in words, for the Subgroups page and the HTML report (no streamlit).

Headers are words ("95% CI", "Corrected p (q)", "Gap to overall"), scores read as
the metric reads everywhere (:func:`dllab.metrics.format_score`: "80.8%",
differences "1.2 points"), and q-values as "< 0.001" rather than 0.0000.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ... import families as registry
from ...metrics import METRICS, format_diff, format_diff_interval, format_interval, format_score
from .report import slice_table
from .shift import NOISE_ALPHA

__all__ = ["format_q", "worst_table", "side_by_side_table", "heatmap_table", "shift_table", "Q_HEADER",
           "CI_HEADER", "WORSE_MARK"]

Q_HEADER = "Corrected p (q)"
#: Marks, in :func:`side_by_side_table`, a cell whose slice is significantly worse for that family.
WORSE_MARK = "▼"
CI_HEADER = "95% CI"


def format_q(q) -> str:
    """A q-value (or p-value) in words: '< 0.001', '0.018', '0.42'; '—' when missing.

    Examples
    --------
    >>> format_q(3e-7), format_q(0.01834), format_q(0.4213), format_q(None)
    ('< 0.001', '0.018', '0.42', '—')
    """
    if q is None or not np.isfinite(q):
        return "—"
    if q < 0.001:
        return "< 0.001"
    return f"{q:.2g}" if q >= 0.01 else f"{q:.3f}"


def worst_table(rep, family: str) -> pd.DataFrame:
    """The ranked worst slices of ``family``: rank, slice, rows, score, 95% CI, gap to overall, corrected p (q)."""
    m = rep.metric
    w = rep.worst(family)
    return pd.DataFrame({
        "Rank": np.arange(1, len(w) + 1),
        "Slice": w["description"].astype(str).tolist(),
        "Rows": w["size"].astype(int).tolist(),
        METRICS[m].label: [format_score(m, v) for v in w["score"]],
        CI_HEADER: [format_interval(m, lo, hi) for lo, hi in zip(w["ci_low"], w["ci_high"])],
        "Gap to overall": [format_diff(m, v, signed=True) for v in w["gap"]],
        Q_HEADER: [format_q(q) for q in w["q_value"]],
    })


def side_by_side_table(rep, *, top_k: int | None = None) -> pd.DataFrame:
    """Every family's worst slices in one table: one row per slice, one score column per family.

    Rows are the union of each family's :meth:`~SubgroupReport.worst` slices, the most harmful for
    any family first (its lowest ``gap * sqrt(size)``). A family's cell reads its score and its gap to
    its own overall score ("58.0% (-21.9 points)"), marked :data:`WORSE_MARK` where the slice is one of
    that family's significantly worse slices.
    """
    m = rep.metric
    worst = {fam: rep.worst(fam, top_k=top_k) for fam in rep.families}
    picked = pd.concat([w.assign(family=fam) for fam, w in worst.items() if len(w)] or [pd.DataFrame()])
    columns = ["Slice", "Rows", *(registry.label(f) for f in rep.families)]
    if picked.empty:
        return pd.DataFrame(columns=columns)
    order = picked.groupby("slice")["rank_score"].min().sort_values(kind="stable").index
    f = rep.frame.set_index(["slice", "family"])
    rows = []
    for sl in order:
        first = f.loc[(sl, rep.families[0])]
        row = {"Slice": str(first["description"]), "Rows": int(first["size"])}
        for fam in rep.families:
            r = f.loc[(sl, fam)]
            mark = f"{WORSE_MARK} " if (worst[fam]["slice"] == sl).any() else ""
            row[registry.label(fam)] = f"{mark}{format_score(m, r['score'])} ({format_diff(m, r['gap'], signed=True)})"
        rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def heatmap_table(rep, *, top: int = 12, max_conditions: int = 1) -> pd.DataFrame:
    """The ``top`` slices with the most harmful gap for any family, as :func:`slice_table` rows.

    Slices with fewer than ``min_size`` rows (uncertain) are left out; slices are ordered by
    their worst ``gap * sqrt(size)`` over the families, most harmful first. ``attrs`` are
    :func:`slice_table`'s (the report's overall scores), so the heat map's colours are those of
    the full table.
    """
    wide = slice_table(rep, values="score", max_conditions=max_conditions)
    f = rep.frame
    f = f[(f.n_conditions <= max_conditions) & ~f.uncertain]
    order = f.groupby("description", sort=False)["rank_score"].min().sort_values(kind="stable")
    keep = [d for d in order.index[:top] if d in wide.index]
    out = wide.loc[keep]
    out.attrs = dict(wide.attrs)
    return out


def _noise_word(r) -> str:
    # A significant change either way is beyond noise; only a drop counts against the model.
    q = r.get("drop_q")
    if q is None or not np.isfinite(q) or q >= NOISE_ALPHA or not r.get("drop"):
        return "no"
    return "yes, worse" if r["drop"] > 0 else "yes, better"


def shift_table(rows) -> pd.DataFrame:
    """Shift-test rows: group, rows, model, held-out and random-split scores, drop, its 95% CI, beyond noise, q.

    A "Note" column (classes missing in a group, why a fit failed) is there when a row has one.

    "Beyond noise" reads "yes, worse" for a drop whose corrected p (q) is below
    :data:`~dllab.analyses.subgroups.NOISE_ALPHA`, "yes, better" for such a gain, else "no".
    """
    columns = ["Held-out group", "Rows", "Model", "Held out", "Random split", "Drop", CI_HEADER,
               "Beyond noise", Q_HEADER, "Note"]
    out = []
    for r in rows:
        m = r["metric"]
        base = {"Held-out group": r["group"], "Rows": int(r["size"]), "Model": registry.label(r["family"]),
                "Note": r.get("note", "")}
        if r.get("status") != "ok" or r.get("drop") is None:
            out.append({**base, "Held out": "—", "Random split": "—", "Drop": "—", CI_HEADER: "—",
                        "Beyond noise": "—", Q_HEADER: "—",
                        "Note": "; ".join(x for x in (f"failed: {r.get('reason', '')}", base["Note"]) if x)})
            continue
        ci = format_diff_interval(m, r.get("drop_ci_low"), r.get("drop_ci_high"))
        out.append({**base, "Held out": format_score(m, r["shift_score"]),
                    "Random split": format_score(m, r["random_score"]),
                    "Drop": format_diff(m, r["drop"], signed=True), CI_HEADER: ci,
                    "Beyond noise": _noise_word(r), Q_HEADER: format_q(r.get("drop_q"))})
    table = pd.DataFrame(out, columns=columns)
    return table if (table["Note"] != "").any() else table.drop(columns="Note")  # no note: no empty column
