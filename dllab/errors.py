"""Errors that reach the user: each message names the bad value and the fix.

The CLI prints the message of a :class:`DataError` on one line and exits with
status 2; the app shows it with ``st.error``. Anything else that escapes is a
bug, not a user error.
"""

from __future__ import annotations

__all__ = ["DataError", "ConfigError", "preview"]


class DataError(ValueError):
    """The data cannot be used as given; the message says why and how to fix it."""


class ConfigError(ValueError):
    """A run setting (budget, repeats, device, ...) is not valid."""


def preview(values, *, limit: int = 8) -> str:
    """Short, quoted list of the first few values, for error messages.

    Examples
    --------
    >>> preview(["a", "b", "c", "d"], limit=2)
    "'a', 'b', ... (4 in all)"
    """
    values = [str(v) for v in values]
    shown = ", ".join(repr(v) for v in values[:limit])
    if len(values) > limit:
        shown += f", ... ({len(values)} in all)"
    return shown
