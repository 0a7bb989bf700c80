"""Helpers shared by the subgroup modules: messages and checks of both entry points, JSON numbers, quiet warnings."""

from __future__ import annotations

import numpy as np

from ...errors import ConfigError

_UNKNOWN_COLUMN = ("{what} column {name!r} is not in the data; columns are {columns}. Pass one of them "
                   "as {arg}.")
_BAD_INT = "{name}={value!r} is not valid; it must be an integer between {low} and {high}."


def _check_int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ConfigError(_BAD_INT.format(name=name, value=value, low=low, high=high))


def _num(v):
    if v is None:
        return None
    v = float(v)
    return v if np.isfinite(v) else None


class _quiet:
    def __enter__(self):
        import warnings

        self._w = warnings.catch_warnings()
        self._w.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)  # empty slices: NaN scores, said as such
        warnings.filterwarnings("ignore", "y_pred contains classes not in y_true")  # a held-out group

    def __exit__(self, *exc):
        return self._w.__exit__(*exc)
