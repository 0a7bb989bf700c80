"""Small helpers shared by the curve modules: JSON-safe numbers, sentence capitals, the row floor."""

from __future__ import annotations

import numpy as np

_MIN_ROWS = 20                   # no curve point below this many rows


def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]
