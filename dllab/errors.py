"""Errors that reach the user: each message names the bad value and the fix, in the user's interface.

An error may carry its fix said three ways: in Python (``target=...``), on the
command line (``--target``) and in the app ("choose it in the Target picker"). The
fix fills a ``{fix}`` slot of the message, or follows it as a sentence.
``str(exc)`` is the Python wording; :func:`message_for` gives the wording of
another interface. :func:`fixes` fills the ``{column}``-style slots of a fix. The CLI prints :func:`message_for(exc, "cli")`
on one line and exits with status 2; the app shows ``message_for(exc, "app")``
with ``st.error``. Anything else that escapes is a bug, not a user error.

Examples
--------
>>> exc = DataError("no target column given; {fix}.", fix=FIX_TARGET)
>>> str(exc)
'no target column given; pass one of the columns as target=....'
>>> message_for(exc, "app")
'no target column given; choose the column to predict in the Target picker.'
>>> message_for(DataError("column 'code' mixes numbers and words.", fix=fixes(FIX_ROLE, column="code")), "cli")
"column 'code' mixes numbers and words. Pass --role code=categorical."
"""

from __future__ import annotations

__all__ = ["DataError", "ConfigError", "UserError", "INTERFACES", "message_for", "fixes", "preview", "plain",
           "FIX_TARGET", "FIX_ROLE", "FIX_FOLDS"]

#: Where a message is shown: a Python caller, the command line, the Streamlit app.
INTERFACES = ("python", "cli", "app")


class UserError(ValueError):
    """A user error whose fix can be said in each interface (see the module docstring).

    Parameters
    ----------
    message : str
        The sentence; ``{fix}`` (if present) is replaced by the interface's fix.
    fix : dict, optional
        Interface name -> the words of the fix; ``"python"`` is the default wording.
    """

    def __init__(self, message: str = "", *, fix: dict | None = None):
        self.template = str(message)
        self.fix = dict(fix or {})
        super().__init__(self.render("python"))

    def render(self, interface: str = "python") -> str:
        """The message with the fix in the words of ``interface``."""
        words = self.fix.get(interface) or self.fix.get("python") or ""
        if "{fix}" in self.template:
            return self.template.replace("{fix}", words)
        if not words:
            return self.template
        return f"{self.template.rstrip()} {words[0].upper()}{words[1:]}" + ("" if words.endswith(".") else ".")


class DataError(UserError):
    """The data cannot be used as given; the message says why and how to fix it."""


class ConfigError(UserError):
    """A run setting (budget, repeats, device, ...) is not valid."""


def message_for(exc: BaseException, interface: str) -> str:
    """The message of ``exc`` in the words of ``interface`` (``"python"``, ``"cli"`` or ``"app"``)."""
    return exc.render(interface) if isinstance(exc, UserError) else str(exc)


def fixes(fix: dict, **values) -> dict:
    """``fix`` with its ``{name}`` slots filled in every interface's words."""
    return {k: v.format(**values) for k, v in fix.items()}


# Fixes shared by several messages ({column}, {role}: fill with :func:`fixes`).
FIX_TARGET = {"python": "pass one of the columns as target=...", "cli": "pass one of the columns with --target",
              "app": "choose the column to predict in the Target picker"}
FIX_ROLE = {"python": "pass roles={{{column!r}: 'categorical'}}", "cli": "pass --role {column}=categorical",
            "app": "set the role of {column} to categorical in the column table"}
FIX_FOLDS = {"python": "use fewer folds (n_folds=...)", "cli": "use fewer folds (--folds)",
             "app": "choose fewer folds on the Compare page"}


def plain(value):
    """``value`` as a person reads it: numpy scalars become Python numbers (no ``np.int64(16)``).

    Examples
    --------
    >>> import numpy as np
    >>> plain(np.int64(16)), plain(np.float64(0.5)), plain("a")
    (16, 0.5, 'a')
    """
    item = getattr(value, "item", None)
    if callable(item) and getattr(value, "ndim", 1) == 0:
        return item()
    return value


def preview(values, *, limit: int = 8) -> str:
    """Short, quoted list of the first few values, for error messages.

    Examples
    --------
    >>> preview(["a", "b", "c", "d"], limit=2)
    "'a', 'b', ... (4 in all)"
    """
    values = [str(plain(v)) for v in values]
    shown = ", ".join(repr(v) for v in values[:limit])
    if len(values) > limit:
        shown += f", ... ({len(values)} in all)"
    return shown
