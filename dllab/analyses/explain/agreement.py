"""Importance with bootstrap bands, rank agreement between families, and the sentences that say where they differ."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ... import families as registry

_PAIRS = (("deep", "gbm"), ("deep", "linear"), ("gbm", "linear"))
_TOP_K = 5


def _abs_per_row(phi: np.ndarray) -> np.ndarray:
    a = np.abs(phi)  # (n, M) or (n, M, K)
    return a.mean(axis=2) if a.ndim == 3 else a


def _bootstrap_importance(phi: dict, columns, *, n_boot, seed) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Mean ``|SHAP|`` per column and family (``phi``: family -> values), and its 95% bootstrap band.

    Returns ``(importance, low, high)``: one row per column, one column per family, in ``phi``'s order.
    """
    imp, low, high = {}, {}, {}
    for fam, values in phi.items():
        a = _abs_per_row(values)
        imp[fam] = a.mean(axis=0)
        # One child per family, keyed by its seed_key: adding a family changes no other band.
        child = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, registry.seed_key(fam)))
        rng = np.random.default_rng(child)
        n = len(a)
        boot = np.empty((n_boot, a.shape[1]))
        for b in range(n_boot):
            boot[b] = np.bincount(rng.integers(0, n, n), minlength=n) @ a / n
        low[fam], high[fam] = np.percentile(boot, [2.5, 97.5], axis=0)
    idx = pd.Index(columns, name="column")
    families = list(phi)
    return (pd.DataFrame(imp, index=idx)[families], pd.DataFrame(low, index=idx)[families],
            pd.DataFrame(high, index=idx)[families])


def _shares(importance: pd.DataFrame) -> pd.DataFrame:
    """Each family's importances divided by their sum (columns sum to 1)."""
    tot = importance.sum(axis=0).replace(0.0, np.nan)
    return (importance / tot).fillna(0.0)


def _rank_agreement(importance: pd.DataFrame, families) -> tuple[dict, dict]:
    """Spearman correlation of importances per pair of ``families``, and the columns they weigh most differently."""
    agreement, disagreements = {}, {}
    share = _shares(importance)
    for a, b in _PAIRS:
        if a not in families or b not in families:
            continue
        key = f"{a}~{b}"
        x, y = importance[a].to_numpy(), importance[b].to_numpy()
        rho = np.nan
        if len(x) >= 2 and np.ptp(x) > 0 and np.ptp(y) > 0:
            rho = float(stats.spearmanr(x, y).statistic)
        agreement[key] = rho
        gap = (share[a] - share[b]).abs().sort_values(ascending=False, kind="stable")
        disagreements[key] = [c for c in gap.index[:3] if gap[c] > 0]
    return agreement, disagreements


def _statements(importance: pd.DataFrame, agreement: dict, families, columns) -> list[str]:
    """Agreement in plain words: shared top features, and columns one family relies on far more.

    Column names are in quotation marks (“Sex”), never in code formatting: the app and the report show
    these sentences as they are.

    With one column (a text-only dataset, say) there is nothing to rank: one sentence says how far
    that column moves each family's output.
    """
    if len(columns) == 1:
        sizes = ", ".join(f"{importance.iloc[0][f]:.3g} for {registry.noun(f)}" for f in families)
        return [f"“{columns[0]}” is the only column, so it alone moves each model's prediction away from the "
                f"average (average size of its contribution: {sizes})"]
    out = []
    k = min(_TOP_K, max(1, len(columns) // 2))
    for a, b in _PAIRS:
        key = f"{a}~{b}"
        if key not in agreement:
            continue
        ta = set(importance[a].nlargest(k).index)
        tb = set(importance[b].nlargest(k).index)
        both = len(ta & tb)
        rho = agreement[key]
        tail = f" (rank correlation {rho:.2f})" if np.isfinite(rho) else ""
        if both == k == 1:
            out.append(f"{registry.noun(b)} and {registry.noun(a)} agree on the top feature{tail}")
        elif both == k:
            out.append(f"{registry.noun(b)} and {registry.noun(a)} agree on the top {k} features{tail}")
        elif k == 1:
            out.append(f"{registry.noun(b)} and {registry.noun(a)} differ on the top feature{tail}")
        else:
            out.append(f"{registry.noun(b)} and {registry.noun(a)} share {both} of their top {k} features{tail}")
    share = _shares(importance)
    if len(families) >= 2:
        for f in families:
            others = share[[g for g in families if g != f]].mean(axis=1)
            excess = share[f] - others
            col = excess.idxmax()
            if excess[col] >= 0.10 and share.loc[col, f] >= 2 * others[col]:
                out.append(f"{registry.noun(f)} relies on “{col}” far more ({share.loc[col, f]:.0%} of its "
                           f"importance vs {others[col]:.0%} for the others)")
    return out
