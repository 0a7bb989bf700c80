"""``load``: the one entry point that reads a built-in dataset by name or a data file by path.

A name from the catalogue goes to :func:`dllab.datasets.catalogue.load_builtin`;
a path to a ``.zip`` goes to :func:`dllab.datasets.images.read_image_zip`, any
other file to :func:`dllab.datasets.reading.read_csv`, and the table then
through :func:`dllab.datasets.loading.from_frame`. (The module is not called
``load`` so that ``dllab.datasets.load`` stays the function.)
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DataError
from .catalogue import UNKNOWN_DATASET, builtin_names, is_builtin, load_builtin
from .dataset import Dataset
from .images import read_image_zip
from .loading import from_frame
from .reading import read_csv

__all__ = ["load"]


def load(name_or_path, *, target: str | None = None, task: str | None = None, roles: dict | None = None,
         exclude=(), max_rows: int = 100_000, n_folds: int = 5, random_state: int | None = 0) -> Dataset:
    """Load a built-in dataset by name, or a CSV file by path.

    Parameters
    ----------
    name_or_path : str or path
        A name from ``dllab.datasets.catalogue()`` or the path of a CSV file.
    target, task, roles, exclude, max_rows, n_folds, random_state
        As in :func:`from_frame`. For a built-in, ``target`` and ``task`` default
        to the catalogue's.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        If the name is neither a built-in nor an existing file, or the data is
        not usable (see :func:`read_csv` and :func:`from_frame`).

    Examples
    --------
    >>> load("penguins").summary()["task"]
    'multiclass'
    """
    if is_builtin(name_or_path):
        return load_builtin(name_or_path, target=target, task=task, roles=roles, exclude=exclude,
                            max_rows=max_rows, n_folds=n_folds, random_state=random_state)
    path = Path(name_or_path)
    if not path.is_file():
        raise DataError(UNKNOWN_DATASET.format(name=str(name_or_path), names=", ".join(builtin_names())))
    if path.suffix.lower() == ".zip":
        df = read_image_zip(path)
    else:
        df = read_csv(path)
    return from_frame(df, target=target, task=task, roles=roles, exclude=exclude, name=path.name,
                      max_rows=max_rows, n_folds=n_folds, random_state=random_state, source=str(path))
