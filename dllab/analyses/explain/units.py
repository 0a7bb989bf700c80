"""Contributions in probability: the log-odds (or log-probability) contributions carried through the link.

Every family is explained in one output space (log-odds for two classes, centred log-probability for
more; see :mod:`dllab.analyses.explain`), where the exact explainers are exact and the values add up.
People read probabilities. This module turns each row's contributions into **percentage points of the
probability of a class**, so that they add up to ``p(row) - p(base)``, with ``p(base)`` the probability
at the model's base value (its average output).

Method: integrated gradients of the link along the straight path
----------------------------------------------------------------
A row's contributions ``phi_j`` (vectors over the classes) lead from the base value ``b`` to the output
``b + sum_j phi_j``. Walk that straight line, ``z(t) = b + t * sum_j phi_j`` for ``t`` from 0 to 1, and
give column ``j`` the change of ``p_k`` that its own share of each step causes::

    c_jk = integral_0^1  grad p_k(z(t)) . phi_j  dt

(integrated gradients of the link function, Sundararajan et al. 2017, applied to the link and not to
the model). The ``c_jk`` add up to ``p_k(b + sum phi) - p_k(b)`` exactly, since their sum is the integral of
``dp_k/dt``.

- **Two classes** (sigmoid link) the gradient is a number, so the integral has a closed form: each
  log-odds contribution is *scaled* by the same factor ``(p(row) - p(base)) / (logodds(row) -
  logodds(base))``. Signs and the order of the columns within a row are those of the exact log-odds
  values; only the unit changes. When the row's log-odds equal the base's, the factor is the slope of
  the sigmoid there, ``p (1 - p)``.
- **More classes** (softmax link) a column's effect on ``p_k`` also counts what it does to the other
  classes (raising a rival class lowers ``p_k``), which scaling ``phi_jk`` alone cannot say; the
  integral is taken by Gauss-Legendre quadrature (:data:`QUADRATURE_NODES` nodes; exact to float
  precision for the smooth softmax).

Why this and not SHAP of the probability itself: exact probability SHAP would need an interventional
explainer per family (XGBoost's path-dependent TreeSHAP and the linear model's exact values hold for
log-odds only) and a second round of model evaluations for the deep net, for numbers that add up no
better. This costs nothing (no model call), keeps every exact log-odds value's sign, and says what a
person asks: how many points each column adds to or takes from the probability. A column moves a row
near 50% more points than one near 99%, as the sigmoid does; the log-odds view shows the same evidence
on a scale where it adds up without that squeeze.
"""

from __future__ import annotations

import numpy as np

__all__ = ["OUTPUT", "PROBABILITY", "QUADRATURE_NODES", "to_probability"]

#: The units of the explainers: log-odds, centred log-probability, or the predicted value.
OUTPUT = "output"
#: Percentage points of a class's probability (classification only; see the module docstring).
PROBABILITY = "probability"
#: Gauss-Legendre nodes of the softmax path integral (more than two classes).
QUADRATURE_NODES = 64

_FLAT = 1e-9  # |log-odds(row) - log-odds(base)| below this: the sigmoid's slope is the factor


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))  # no overflow for large |z|


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def to_probability(phi: np.ndarray, base: np.ndarray, output: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                 np.ndarray]:
    """Contributions, base values and outputs as probabilities (see the module docstring).

    Parameters
    ----------
    phi : ndarray of shape (n, m) or (n, m, k)
        Log-odds of the positive class (two classes) or centred log-probabilities (per class).
    base, output : ndarray of shape (n,) or (n, k)
        Base values and the model's outputs, in the same space.

    Returns
    -------
    phi, base, output : ndarray
        The same shapes: contributions in probability (they add up to ``sigmoid/softmax(base + sum phi)
        - base``), the probability at each base value, and the model's probability.

    Examples
    --------
    >>> phi = np.array([[1.0, -0.5]])                # log-odds contributions of two columns
    >>> p_phi, p_base, p_out = to_probability(phi, np.array([0.0]), np.array([0.5]))
    >>> np.round(p_phi, 4), float(p_base[0]), round(float(p_out[0]), 4)
    (array([[ 0.2449, -0.1225]]), 0.5, 0.6225)
    >>> bool(np.isclose(p_base[0] + p_phi.sum(), p_out[0]))
    True
    """
    phi, base, output = (np.asarray(a, dtype=np.float64) for a in (phi, base, output))
    if phi.ndim == 2:
        return _binary(phi, base, output)
    return _multiclass(phi, base, output)


def _binary(phi, base, output):
    delta = phi.sum(axis=1)
    p0 = _sigmoid(base)
    flat = np.abs(delta) < _FLAT
    safe = np.where(flat, 1.0, delta)
    factor = np.where(flat, p0 * (1.0 - p0), (_sigmoid(base + delta) - p0) / safe)
    return phi * factor[:, None], p0, _sigmoid(output)


def _multiclass(phi, base, output):
    """``c_jk = sum_t w_t p_k(t) (phi_jk - p(t) . phi_j)`` over the quadrature nodes ``t``."""
    nodes, weights = np.polynomial.legendre.leggauss(QUADRATURE_NODES)
    t, w = (nodes + 1.0) / 2.0, weights / 2.0                             # on [0, 1]
    delta = phi.sum(axis=1)                                               # (n, k)
    P = _softmax(base[:, None, :] + t[None, :, None] * delta[:, None, :])  # (n, T, k)
    first = phi * np.einsum("t,ntk->nk", w, P)[:, None, :]               # sum_t w p_k(t) phi_jk
    mixed = np.einsum("ntl,nml->ntm", P, phi)                            # p(t) . phi_j
    second = np.einsum("t,ntk,ntm->nmk", w, P, mixed)
    return first - second, _softmax(base), _softmax(output)
