"""How a dataset is made: :class:`DataRecipe`, the data half of a :class:`~dllab.Study`.

A recipe names the source (a built-in, a file, or a frame the caller holds, such
as an upload), the target and task, role overrides, excluded columns, the row
limit and the sampling seed. Building the same recipe gives the same rows, so
the app, the CLI and the workshop train on the same data for the same seed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, DataError

__all__ = ["DataRecipe", "DEFAULT_MAX_ROWS"]

#: Larger tables are sampled (seeded, stratified) to this many rows, with a notice.
DEFAULT_MAX_ROWS = 100_000

_BAD_INT = "{name}={value!r} is not valid; it must be an integer between {low:,} and {high:,}."
_NO_FRAME = ("the recipe's source is {source!r}, data held in memory (an upload); pass its frame to build() "
             "(in the app: upload the file again).")
_SIZE_NOT_ZIP = ("image_size applies to a ZIP file of images, but the source is {source!r}; give the path of a "
                 ".zip file, or leave image_size out.")


@dataclass(frozen=True)
class DataRecipe:
    """Everything that decides which rows and columns a run trains on.

    Parameters
    ----------
    source : str
        A built-in name (:func:`dllab.datasets.builtin_names`), a path to a CSV or
        a ZIP of images, or ``"upload"`` for a frame passed to :meth:`build`.
    target, task : str, optional
        Default: the built-in's, or inferred (see :func:`dllab.datasets.from_frame`).
    roles : tuple of (column, role) pairs, default=()
        Role overrides (a dict is accepted and stored sorted).
    exclude : tuple of str, default=()
        Columns left out of the features.
    max_rows : int, default=100_000
        Larger data is sampled (seeded, stratified) to this many rows, with a notice.
    seed : int, default=0
        Seeds the sampling and, for synthetic built-ins, the data itself. A
        :class:`~dllab.Study` uses the run's seed, as the CLI's ``--seed`` does.
    name : str, optional
        Shown name of an upload (default: the file name or the built-in's name).
    image_size : (int, int), optional
        A ZIP of images only: resize every image to ``(width, height)`` on load.
    upload_sha : str, default=""
        Content hash of an uploaded file (which upload the recipe belongs to).

    Examples
    --------
    >>> r = DataRecipe("penguins", seed=3)
    >>> r.build().n_rows, r.changed(max_rows=100).max_rows
    (344, 100)
    """

    source: str
    target: str | None = None
    task: str | None = None
    roles: tuple = ()
    exclude: tuple = ()
    max_rows: int = DEFAULT_MAX_ROWS
    seed: int = 0
    name: str | None = None
    image_size: tuple | None = None
    upload_sha: str = ""

    def __post_init__(self):
        roles = self.roles.items() if isinstance(self.roles, dict) else self.roles
        # Sorted by the column's text: column labels keep their type (a CSV may have integer names).
        object.__setattr__(self, "roles", tuple(sorted(((c, str(r)) for c, r in roles), key=lambda cr: str(cr[0]))))
        exclude = (self.exclude,) if isinstance(self.exclude, str) else self.exclude
        object.__setattr__(self, "exclude", tuple(exclude))
        for name, low, high in (("max_rows", 50, 10**8), ("seed", 0, 2**32 - 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(_BAD_INT.format(name=name, value=value, low=low, high=high))

    @property
    def is_builtin(self) -> bool:
        from .catalogue import builtin_names

        return self.source in builtin_names()

    def changed(self, **changes) -> "DataRecipe":
        """A copy with ``changes`` applied (validated like a new recipe)."""
        return dataclasses.replace(self, **changes)

    def build(self, frame=None, *, n_folds: int = 5):
        """The :class:`~dllab.datasets.Dataset` of this recipe.

        Parameters
        ----------
        frame : DataFrame, optional
            The data of an ``"upload"`` source (as read by :func:`dllab.datasets.read_csv`).
        n_folds : int, default=5
            Every class must have at least this many rows (the folds of the run).

        Raises
        ------
        DataError, ConfigError
            As :func:`dllab.datasets.load` and :func:`dllab.datasets.from_frame`.
        """
        from . import from_frame, load

        common = dict(target=self.target, task=self.task, roles=dict(self.roles) or None, exclude=self.exclude,
                      max_rows=self.max_rows, n_folds=n_folds, random_state=self.seed)
        if frame is not None:
            return from_frame(frame, name=self.name or "data", source=self.source, **common)
        if self.source == "upload":
            raise DataError(_NO_FRAME.format(source=self.source))
        if self.image_size is not None:
            from .images import read_image_zip

            path = Path(self.source)
            if path.suffix.lower() != ".zip" or not path.is_file():
                raise ConfigError(_SIZE_NOT_ZIP.format(source=self.source))
            return from_frame(read_image_zip(path, size=tuple(self.image_size)), name=self.name or path.name,
                              source=str(path), **common)
        return load(self.source, **common)

    def to_dict(self) -> dict:
        """Plain dict for JSON reports."""
        out = dataclasses.asdict(self)
        out["roles"] = dict(self.roles)
        out["exclude"] = list(self.exclude)
        out["image_size"] = list(self.image_size) if self.image_size else None
        return out
