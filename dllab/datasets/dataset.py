"""The :class:`Dataset`: a table, its target, the role of every column, and a content hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .schema import FEATURE_ROLES, ROLES, TASKS, TEXT

__all__ = ["Dataset"]


@dataclass(frozen=True, eq=False)
class Dataset:
    """A validated table ready for modelling.

    The frame is kept exactly as the user gave it (apart from documented,
    noticed steps such as sampling to ``max_rows`` or dropping rows whose target
    is missing); :meth:`features` derives the model inputs from it.

    Parameters
    ----------
    frame : DataFrame
        The data, target column included.
    target : str
        Name of the target column.
    task : {"binary", "multiclass", "regression"}
    roles : dict of str to str
        Role of every non-target column (see ``dllab.datasets.schema.ROLES``).
    name : str
        Short name shown to users (built-in name or file name).
    notices : tuple of str
        Things done to the data that the user must be told about.
    n_rows_total : int or None
        Rows before sampling; ``None`` means ``len(frame)``.
    source : str
        Where the data came from (built-in name, file path, "upload").
    lesson : str
        For built-ins, the lesson the dataset shows.
    modality : {"tabular", "text", "image"}
    meta : dict
        Modality details (``image_shape``, ``text_columns``) and built-in extras.
    role_reasons : dict
        Column -> why it has its role, a sentence for the user ("set by you" for
        a role the user chose); filled by ``dllab.datasets.from_frame``.

    Attributes
    ----------
    sha256 : str
        Hash of the content, target, task and roles: the cache key of every analysis.
    classes : list or None
        Sorted class labels for classification (``y`` holds their indices).
    """

    frame: pd.DataFrame
    target: str
    task: str
    roles: dict
    name: str = "data"
    notices: tuple = ()
    n_rows_total: int | None = None
    source: str = ""
    lesson: str = ""
    modality: str = "tabular"
    meta: dict = field(default_factory=dict)
    role_reasons: dict = field(default_factory=dict)

    def __post_init__(self):
        assert self.task in TASKS, f"internal error: task {self.task!r}"
        assert self.target in self.frame.columns, f"internal error: target {self.target!r} missing"
        unknown = {c: r for c, r in self.roles.items() if r not in ROLES}
        assert not unknown, f"internal error: unknown roles {unknown}"
        if self.n_rows_total is None:
            object.__setattr__(self, "n_rows_total", len(self.frame))
        object.__setattr__(self, "notices", tuple(self.notices))

    # ------------------------------------------------------------------ shape
    @property
    def n_rows(self) -> int:
        """Rows used (after sampling)."""
        return len(self.frame)

    @property
    def feature_columns(self) -> list[str]:
        """Columns the models see, in frame order."""
        roles = FEATURE_ROLES + ((TEXT,) if self.modality == "text" else ())
        return [c for c in self.frame.columns if self.roles.get(c) in roles]

    def columns_with_role(self, role: str) -> list[str]:
        """Columns (in frame order) whose role is ``role``."""
        return [c for c in self.frame.columns if self.roles.get(c) == role]

    # ------------------------------------------------------------------ target
    @cached_property
    def classes(self) -> list | None:
        if self.task == "regression":
            return None
        return sorted(pd.unique(self.frame[self.target].dropna()).tolist(), key=_sort_key)

    @cached_property
    def _y(self) -> np.ndarray:
        col = self.frame[self.target]
        if self.task == "regression":
            return pd.to_numeric(col, errors="raise").to_numpy(dtype=np.float64)
        index = {c: i for i, c in enumerate(self.classes)}
        return col.map(index).to_numpy(dtype=np.int64)

    @property
    def y(self) -> np.ndarray:
        """Target: class indices into :attr:`classes` (int64), or float64 values."""
        return self._y

    # ------------------------------------------------------------------ features
    @cached_property
    def _X(self) -> pd.DataFrame:
        from .schema import feature_frame

        features = set(self.feature_columns)  # free text is a feature of text datasets only
        return feature_frame(self.frame, {c: r for c, r in self.roles.items() if c in features})

    @property
    def X(self) -> pd.DataFrame:
        """Model inputs: float64 numeric columns and ``category`` columns (string levels).

        Datetime columns become numeric parts (``col.year``, ``col.month``,
        ``col.dayofweek``, ``col.days``); their source column is
        ``source_column(name)``. Text datasets (``modality == "text"``) keep
        their text columns as strings (missing as ``""``); image datasets are
        pixel columns (``meta["image_shape"]`` gives ``(height, width)``).
        """
        return self._X

    # ------------------------------------------------------------------ identity
    @cached_property
    def sha256(self) -> str:
        try:
            roles = sorted(self.roles.items())
        except TypeError:  # names of several types (1 and "a"): by type, then text; others hash as before
            roles = sorted(self.roles.items(), key=lambda cr: (type(cr[0]).__name__, str(cr[0]), repr(cr[0])))
        h = hashlib.sha256()
        h.update(repr((self.target, self.task, roles, list(map(str, self.frame.columns)),
                       [str(t) for t in self.frame.dtypes])).encode())
        h.update(pd.util.hash_pandas_object(self.frame, index=False).to_numpy().tobytes())
        return h.hexdigest()

    def summary(self) -> dict:
        """The ``dataset`` block of the JSON contract."""
        return {
            "name": self.name,
            "rows": int(self.n_rows),
            "rows_total": int(self.n_rows_total),
            "columns": int(len(self.feature_columns)),
            "columns_total": int(self.frame.shape[1] - 1),
            "target": self.target,
            "task": self.task,
            "modality": self.modality,
            "classes": None if self.classes is None else [str(c) for c in self.classes],
            "roles": {str(k): v for k, v in self.roles.items()},
            "role_reasons": {str(k): v for k, v in self.role_reasons.items()},
            "notices": list(self.notices),
            "sha256": self.sha256,
        }

    def with_changes(self, **changes) -> "Dataset":
        """A copy with some fields replaced (cached values are recomputed)."""
        import dataclasses

        return dataclasses.replace(self, **changes)

    def __repr__(self):
        return (f"Dataset(name={self.name!r}, rows={self.n_rows}, features={len(self.feature_columns)}, "
                f"target={self.target!r}, task={self.task!r})")


def _sort_key(v):
    # Numbers sort numerically, everything else as text; mixed types never raise.
    return (0, v, "") if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) else (1, 0, str(v))
