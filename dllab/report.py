"""Results as files: the comparison as JSON (the CLI's contract) and as CSV tables.

Functions return ``bytes`` ready for a download button or a file write; they
only reshape what the result object holds.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .models import FAMILY_LABELS

__all__ = ["comparison_json", "comparison_csv", "split_scores_csv"]


def _plain(value):
    # json.dumps fallback for numpy scalars and arrays; NaN/inf become null.
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        v = float(value)
        return v if np.isfinite(v) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (set, tuple)):
        return list(value)
    raise TypeError(f"internal error: {type(value).__name__} is not JSON serialisable")


def _finite(obj):
    # Python floats NaN/inf are valid for json.dumps but not JSON; make them null.
    if isinstance(obj, float):
        return obj if np.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def comparison_json(cmp, *, indent: int = 2) -> bytes:
    """``cmp.to_dict()`` as UTF-8 JSON: the same document as ``python -m dllab compare --json``.

    Examples
    --------
    >>> class Stub:
    ...     def to_dict(self):
    ...         return {"metric": "accuracy", "models": [{"mean": float("nan")}]}
    >>> comparison_json(Stub(), indent=None)
    b'{"metric": "accuracy", "models": [{"mean": null}]}'
    """
    return json.dumps(_finite(cmp.to_dict()), indent=indent, default=_plain,
                      allow_nan=False, ensure_ascii=False).encode("utf-8")


def comparison_csv(cmp) -> bytes:
    """One row per family: every metric's mean and 95% CI, timings, device, status and reason.

    Columns: ``family``, ``label``, then ``<metric>``, ``<metric>_ci_low``,
    ``<metric>_ci_high`` for each of ``cmp.metric_names``, then ``fit_seconds``,
    ``predict_seconds`` (mean per split), ``device``, ``status``, ``reason``.
    """
    rows = []
    for fam in cmp.families:
        r = cmp.overall.loc[fam]
        row = {"family": fam, "label": FAMILY_LABELS[fam]}
        for m in cmp.metric_names:
            row[m], row[f"{m}_ci_low"], row[f"{m}_ci_high"] = r[m], r[f"{m}_low"], r[f"{m}_high"]
        row.update(fit_seconds=r["fit_seconds"], predict_seconds=r["predict_seconds"], device=r["device"],
                   status=r["status"], reason=r["reason"])
        rows.append(row)
    return pd.DataFrame(rows).to_csv(index=False).encode("utf-8")


def split_scores_csv(cmp) -> bytes:
    """One row per (family, split): repeat, fold and every metric (empty where the fit failed)."""
    scores = cmp.scores.copy()
    labels = [cmp.splits.label(int(i)) for i in scores["split"]]
    scores.insert(2, "repeat", [r + 1 for r, _ in labels])
    scores.insert(3, "fold", [f + 1 for _, f in labels])
    return scores.to_csv(index=False).encode("utf-8")
