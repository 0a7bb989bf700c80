"""Which families, which model and which explainer: the comparison's kept model, and the registry's ``explainer``.

The family registry's ``explainer`` field names the method: ``"tree"`` (exact TreeSHAP),
``"linear"`` (exact linear SHAP), ``"permutation"`` (antithetic permutation sampling, also for
families the registry does not know) or a callable, the family's own explainer. On text data the
exact methods sum a text column's terms (linear) or LSA components (trees) back to it; where one
SVD mixes several text columns, trees are explained by permutation sampling instead, and the
method says so.
"""

from __future__ import annotations

import numpy as np

from ... import families as registry
from ...errors import ConfigError
from .linear import _explain_linear
from .permutation import _explain_permutation
from .tree import _exact_per_column, _explain_gbm

_BAD_FAMILIES = "families={value!r} is not valid; choose one or more of {families}."
_NO_MODEL = ("the comparison kept no fitted {family} model for split {split} ({reason}); run it with "
             "keep_models=True, or pick another split.")


def _resolve_families(cmp, families):
    """The families to explain, in the registry's order (``None``: every family of ``cmp``)."""
    if families is None:
        return list(cmp.families)
    wanted = [families] if isinstance(families, str) else list(families)
    if not wanted or any(f not in cmp.families for f in wanted):
        raise ConfigError(_BAD_FAMILIES.format(value=families, families=", ".join(cmp.families)))
    return registry.ordered(wanted)


def _model_of(cmp, family, split):
    rec = next((r for r in cmp.records if r.family == family and r.split == split), None)
    if rec is None or rec.model is None:
        reason = "not run" if rec is None else (rec.reason or "the models were not kept")
        raise ConfigError(_NO_MODEL.format(family=family, split=split, reason=reason))
    return rec.model


def _unwrap(model):
    """The fitted estimator inside a ``thorough`` search wrapper (or the model itself)."""
    return getattr(model, "best_estimator_", model)


def _explain_family(family, model, ds, rows, bg_rows, groups, columns, image_shape, *, n_permutations, max_evals,
                    rows_seed, perm_seed):
    """Explain ``rows`` by ``model`` with the explainer the registry names for ``family``.

    Returns
    -------
    phi, base, output : ndarray
        Contributions per row and column (and class), base values and outputs.
    pos : ndarray
        Positions in ``rows`` of the explained rows (every row, except for permutation sampling).
    method : str
        How the values were made, for ``Explanation.methods``.
    settings : dict
        Extra entries for ``Explanation.settings`` (permutation sampling's budget and patch side).
    """
    how = registry.get(family).explainer if family in registry.names() else "permutation"
    if callable(how):  # a registered family's own explainer
        phi, base, out = (np.asarray(v, dtype=float) for v in how(model, ds, rows, bg_rows))
        method = (how.__doc__ or getattr(how, "__name__", "own explainer")).strip().splitlines()[0]
    elif how == "tree" and _exact_per_column(model):
        phi, base, out = _explain_gbm(model, ds, rows, groups, columns)
        method = "exact TreeSHAP (XGBoost pred_contribs, path-dependent)" + _text_sums("tree", model)
    elif how == "linear":
        phi, base, out = _explain_linear(model, ds, rows, bg_rows, columns)
        method = "exact linear SHAP (coef x (value - background mean))" + _text_sums("linear", model)
    else:
        found = _explain_permutation(model, ds, rows, bg_rows, groups, image_shape, n_permutations=n_permutations,
                                     max_evals=max_evals, rows_seed=rows_seed, perm_seed=perm_seed)
        if how == "tree":  # several text columns share one SVD: no exact value per column
            found = (*found[:4], _MIXED_SVD + found[4], found[5])
        return found
    return phi, base, out, np.arange(len(rows)), method, {}


_TEXT_SUMS = {"tree": "; each text column's LSA components summed to it",
              "linear": "; each text column's TF-IDF terms summed to it"}
_MIXED_SVD = "no exact TreeSHAP per column (one SVD mixes the text columns' terms), so: "


def _text_sums(how, model) -> str:
    """What an exact method adds up on a text model (one that reads free-text columns), for its method."""
    return _TEXT_SUMS[how] if getattr(model, "text_columns_", None) else ""
