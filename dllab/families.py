"""The model families: one :class:`Family` record each, in one registry.

Everything that is per family lives on its record: names and labels for every
place that shows it, colour and marker, its *kind* in the simplicity order
(linear < trees < deep), the modalities it serves, how a budget becomes an
estimator, and how it is
explained. Every module reads the registry; none keeps a table keyed by a
family name. A family from outside the package is one :func:`register` call
(the CLI's ``--plugin MODULE`` imports a module that makes it).

The registry is ordered: built-ins first (linear, gbm, deep, transfer), then
registered families in the order they came. Seeds are keyed by the family's
:attr:`Family.seed_key`, fixed for the built-ins and derived from the name for
the others, so adding a family never changes another family's numbers.

Examples
--------
>>> from dllab import families
>>> families.names()
('linear', 'gbm', 'deep', 'transfer')
>>> families.get("gbm").kind, families.get("gbm").noun
('trees', 'boosting')
>>> families.by_simplicity(["deep", "linear", "gbm"])
['linear', 'gbm', 'deep']

A family from outside (here scikit-learn's random forest):

>>> from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
>>> def build_forest(task, *, budget, random_state, device, data):
...     cls = RandomForestRegressor if task == "regression" else RandomForestClassifier
...     return cls(n_estimators=100 if budget == "quick" else 500, random_state=random_state)
>>> fam = families.register(families.Family("forest", "Random forest (scikit-learn)", build_forest,
...                                         kind="trees", modalities=("tabular",)))
>>> "forest" in families.names(), families.color("forest") not in (None, families.color("gbm"))
(True, True)
>>> families.unregister("forest")
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass, field
from typing import Callable

from .errors import ConfigError

__all__ = ["Family", "KINDS", "EXPLAINERS", "MODALITIES", "register", "unregister", "get", "names", "is_builtin", "registered_outside",
           "register_missing", "all_families",
           "label", "short_label", "noun", "model_noun", "color", "marker", "by_simplicity",
           "ordered", "seed_key", "default_families", "serving", "load_plugin", "load_env_plugins",
           "PLUGINS_ENV"]

#: The simplicity order: a family of an earlier kind is simpler to run and to explain.
KINDS = ("linear", "trees", "deep")
#: What each kind is recommended as in the verdict (the JSON contract's vocabulary).
RECOMMENDS_AS = {"linear": "linear", "trees": "gbm", "deep": "deep"}
#: How a family is explained: exact tree SHAP, exact linear SHAP, permutation SHAP, or a callable.
EXPLAINERS = ("tree", "linear", "permutation")
MODALITIES = ("tabular", "image", "text")

# Okabe-Ito (distinguishable with colour-blindness); the first four are the built-ins' colours,
# the rest go, in order, to registered families that bring none.
_PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000")
_MARKERS = ("circle", "square", "diamond", "triangle-up", "cross", "x", "star", "hexagon", "pentagon")
_KIND_ICONS = {"linear": ":material/show_chart:", "trees": ":material/forest:", "deep": ":material/neurology:"}

_BAD_FIELD = "Family {name!r}: {field}={value!r} is not valid; {what}."
_UNKNOWN = "family {name!r} is not registered; choose one of {names}."
_TAKEN = "a family named {name!r} is already registered; unregister it first or choose another name."
_NO_PLUGIN = ("plugin module {module!r} (from {source}) could not be imported ({reason}); check the name and that "
              "its folder is on PYTHONPATH.")


@dataclass(frozen=True)
class Family:
    """One model family and everything the lab needs to know about it.

    Parameters
    ----------
    name : str
        The identifier used in configs, JSON and the CLI (``--families``).
    label : str
        Full label for tables and legends ("Gradient boosting (XGBoost)").
    build : callable
        ``build(task, *, budget, random_state, device, data)`` returns an unfitted
        scikit-learn estimator for ``task`` ("binary", "multiclass", "regression")
        with the ``budget``'s settings ("quick", "standard", "thorough"); ``data``
        is the :class:`~dllab.models.DataSpec` (modality, image shape, text columns).
        Classifiers must have ``predict_proba`` and ``classes_``.
    kind : {"linear", "trees", "deep"}
        Its place in the simplicity order; the verdict prefers earlier kinds.
    short_label : str, optional
        A word for chips and captions (default ``name``).
    noun : str, optional
        How a sentence names the approach ("boosting", "the deep net"); default
        "the " + label in lower case.
    model_noun : str, optional
        How a sentence names the fitted model in tables of numbers ("XGBoost");
        default ``noun``.
    headline : str, optional
        The verdict's headline ("Use gradient boosting (XGBoost)"); default ``label``
        in lower case.
    title : str, optional
        The recommendation card of the Verdict page ("Gradient boosting"); default ``label``.
    modalities : tuple of str, default=("tabular", "image", "text")
        The data it serves; the lab offers it only there.
    default : bool, default=True
        Run it by default on the modalities it serves.
    explainer : {"tree", "linear", "permutation"} or callable, default="permutation"
        "tree" and "linear" need the built-in XGBoost and linear estimators; a
        callable is called as ``explainer(model, ds, rows, background_rows)`` and
        returns ``(phi, base, output)`` as in :mod:`dllab.analyses.explain`.
    color, marker : str, optional
        Plotly colour and marker symbol; assigned from a colour-blind-safe palette if omitted.
    search_space : dict, optional
        Parameter distributions for the ``thorough`` budget's equal-time search on
        tabular data; ``None`` trains the standard settings there.
    seed_key : int, optional
        The family's key in every seed's spawn key; default derived from ``name``.
    """

    name: str
    label: str
    build: Callable
    kind: str = "deep"
    short_label: str | None = None
    noun: str | None = None
    model_noun: str | None = None
    headline: str | None = None
    title: str | None = None
    modalities: tuple = MODALITIES
    default: bool = True
    explainer: object = "permutation"
    color: str | None = None
    marker: str | None = None
    icon: str | None = None
    search_space: dict | None = field(default=None, compare=False)
    seed_key: int | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise ConfigError(_BAD_FIELD.format(name=self.name, field="name", value=self.name,
                                                what="it must be a short identifier such as 'forest'"))
        if self.kind not in KINDS:
            raise ConfigError(_BAD_FIELD.format(name=self.name, field="kind", value=self.kind,
                                                what=f"choose one of {', '.join(KINDS)}"))
        bad = [m for m in self.modalities if m not in MODALITIES]
        if bad or not self.modalities:
            raise ConfigError(_BAD_FIELD.format(name=self.name, field="modalities", value=self.modalities,
                                                what=f"choose one or more of {', '.join(MODALITIES)}"))
        if not callable(self.explainer) and self.explainer not in EXPLAINERS:
            raise ConfigError(_BAD_FIELD.format(name=self.name, field="explainer", value=self.explainer,
                                                what=f"choose one of {', '.join(EXPLAINERS)}, or pass a callable"))
        if not callable(self.build):
            raise ConfigError(_BAD_FIELD.format(name=self.name, field="build", value=self.build,
                                                what="it must be a function build(task, *, budget, random_state, "
                                                     "device, data)"))
        fill = object.__setattr__
        fill(self, "modalities", tuple(self.modalities))
        fill(self, "short_label", self.short_label or self.name)
        fill(self, "noun", self.noun or f"the {self.label[0].lower()}{self.label[1:]}")
        fill(self, "model_noun", self.model_noun or self.noun)
        fill(self, "headline", self.headline or f"{self.label[0].lower()}{self.label[1:]}")
        fill(self, "title", self.title or self.label)
        fill(self, "icon", self.icon or _KIND_ICONS[self.kind])
        if self.seed_key is None:
            fill(self, "seed_key", _name_key(self.name))

    @property
    def recommends_as(self) -> str:
        """The verdict's recommendation when this family is chosen ("linear", "gbm" or "deep")."""
        return RECOMMENDS_AS[self.kind]

    @property
    def rank(self) -> int:
        """Position of its kind in the simplicity order (0 = simplest)."""
        return KINDS.index(self.kind)


def _name_key(name: str) -> int:
    # 64 bits of the name's hash: stable across processes and runs, and far from the built-ins' 0-3.
    return int.from_bytes(hashlib.sha256(str(name).encode()).digest()[:8], "big")


# =========================================================================== the registry
_REGISTRY: dict[str, Family] = {}
_ASSIGNED: dict[str, tuple[str, str]] = {}  # colours/markers handed to families that brought none


def register(family: Family) -> Family:
    """Add ``family`` to the registry (after the built-ins) and return it.

    Raises
    ------
    ConfigError
        If a family of that name is already registered.
    """
    _builtins()
    if not isinstance(family, Family):
        raise ConfigError(f"register() takes a dllab.families.Family; got {type(family).__name__}.")
    if family.name in _REGISTRY:
        raise ConfigError(_TAKEN.format(name=family.name))
    _REGISTRY[family.name] = family
    return family


def unregister(name: str) -> None:
    """Remove a registered family (the built-ins cannot be removed)."""
    _builtins()
    if name in _BUILTIN_NAMES:
        raise ConfigError(f"family {name!r} is built in and cannot be unregistered.")
    _REGISTRY.pop(name, None)
    _ASSIGNED.pop(name, None)


def get(name: str) -> Family:
    """The :class:`Family` called ``name``.

    Raises
    ------
    ConfigError
        If no family of that name is registered; the message lists the registered ones.
    """
    _builtins()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ConfigError(_UNKNOWN.format(name=name, names=", ".join(_REGISTRY))) from None


def names() -> tuple:
    """Registered family names, built-ins first, then in registration order."""
    # The names need no record: validating a RunConfig must not import the model libraries. A family
    # registered from outside has loaded the built-ins first (register), so _REGISTRY then holds all.
    return tuple(_REGISTRY) if _REGISTRY else _BUILTIN_NAMES


def is_builtin(name: str) -> bool:
    """Whether ``name`` is one of the lab's own families (not registered from outside)."""
    return name in _BUILTIN_NAMES


def registered_outside(family_names) -> tuple:
    """The :class:`Family` records of ``family_names`` that are not built-ins (plugins), sorted by name:
    what a worker process, which has only the built-ins, must be sent with the fits."""
    return tuple(get(f) for f in sorted(set(family_names)) if not is_builtin(f))


def register_missing(fams) -> None:
    """Register the families of ``fams`` that this process lacks (in a worker: the caller's plugins)."""
    for fam in fams:
        if fam.name not in names():
            register(fam)


def all_families() -> tuple:
    """Every registered :class:`Family`, in registry order."""
    _builtins()
    return tuple(_REGISTRY.values())


def _lookup(name) -> Family | None:
    _builtins()
    return _REGISTRY.get(name)


def _word(name, attr: str) -> str:
    # A word of the family's record; a name that is not registered (e.g. from an old JSON) stands for itself.
    fam = _lookup(name)
    return getattr(fam, attr) if fam else str(name)


def label(name: str) -> str:
    """The family's label ("Gradient boosting (XGBoost)"), or ``name`` if it is not registered."""
    return _word(name, "label")


def short_label(name: str) -> str:
    """The family's short label ("XGBoost"), or ``name`` if it is not registered."""
    return _word(name, "short_label")


def noun(name: str) -> str:
    """How a sentence names the approach ("boosting"), or ``name`` if it is not registered."""
    return _word(name, "noun")


def model_noun(name: str) -> str:
    """How a sentence names the fitted model ("XGBoost"), or ``name`` if it is not registered."""
    return _word(name, "model_noun")


def color(name: str) -> str:
    """The family's colour; families that bring none get the next free palette colour, once."""
    return _style(name)[0]


def marker(name: str) -> str:
    """The family's marker symbol, assigned like :func:`color`."""
    return _style(name)[1]


def _style(name) -> tuple[str, str]:
    fam = _lookup(name)
    if fam is not None and fam.color and fam.marker:
        return fam.color, fam.marker
    if name not in _ASSIGNED:
        used_c = {f.color for f in _REGISTRY.values() if f.color} | {c for c, _ in _ASSIGNED.values()}
        used_m = {f.marker for f in _REGISTRY.values() if f.marker} | {m for _, m in _ASSIGNED.values()}
        n = len(_ASSIGNED)
        c = next((p for p in _PALETTE if p not in used_c), _PALETTE[n % len(_PALETTE)])
        m = next((s for s in _MARKERS if s not in used_m), _MARKERS[n % len(_MARKERS)])
        _ASSIGNED[name] = ((fam.color if fam and fam.color else c), (fam.marker if fam and fam.marker else m))
    return _ASSIGNED[name]


def seed_key(name: str) -> int:
    """The family's key in seeds' spawn keys: its ``seed_key``, or one derived from ``name`` if unregistered.

    Examples
    --------
    >>> seed_key("gbm"), seed_key("not_registered") == seed_key("not_registered") > 3
    (1, True)
    """
    fam = _lookup(name)
    return fam.seed_key if fam else _name_key(name)


def ordered(names_) -> list:
    """``names_`` in registry order; names that are not registered keep their order at the end."""
    order = {n: i for i, n in enumerate(names())}
    items = list(dict.fromkeys(names_))
    return sorted(items, key=lambda n: (order.get(n, len(order)), items.index(n)))


def by_simplicity(names_) -> list:
    """``names_`` from the simplest kind to the most complex; registry order within a kind."""
    order = {n: i for i, n in enumerate(names())}
    return sorted(dict.fromkeys(n for n in names_ if n in order), key=lambda n: (get(n).rank, order[n]))


def serving(modality: str) -> tuple:
    """Names of the families that serve ``modality`` (offered in the app and CLI)."""
    return tuple(f.name for f in all_families() if modality in f.modalities)


def default_families(data=None) -> tuple:
    """Families run by default on ``data`` (a Dataset or DataSpec; default tabular).

    Examples
    --------
    >>> from dllab.models import DataSpec
    >>> default_families(DataSpec("text", text_columns=("review",)))
    ('linear', 'gbm', 'deep', 'transfer')
    >>> default_families()
    ('linear', 'gbm', 'deep')
    """
    modality = getattr(data, "modality", None) or "tabular"
    return tuple(f.name for f in all_families() if f.default and modality in f.modalities)


#: Environment variable naming plugin modules (comma-separated) for the app and the CLI.
PLUGINS_ENV = "DLLAB_PLUGINS"


def load_env_plugins() -> list:
    """Import every module named in ``$DLLAB_PLUGINS`` (comma-separated); returns their names.

    Importing twice registers nothing twice: Python imports a module once per process.

    Raises
    ------
    ConfigError
        If a module cannot be imported, naming it and the variable.
    """
    import os

    names_ = [m.strip() for m in os.environ.get(PLUGINS_ENV, "").split(",") if m.strip()]
    for module in names_:
        load_plugin(module, source=PLUGINS_ENV)
    return names_


def load_plugin(module: str, *, source: str = "--plugin"):
    """Import ``module`` so that it registers its families (the CLI's ``--plugin``; ``source`` names
    where the name came from, for the message).

    Raises
    ------
    ConfigError
        If the module cannot be imported, with the reason.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigError(_NO_PLUGIN.format(module=module, source=source, reason=exc)) from None


# =========================================================================== built-ins
_BUILTIN_NAMES = ("linear", "gbm", "deep", "transfer")


def _builtins() -> None:
    # Filled on first use so that importing dllab stays cheap (the records import nothing heavy,
    # but dllab.models does import scikit-learn and XGBoost).
    if _REGISTRY:
        return
    from .models import builders

    _REGISTRY.update({f.name: f for f in builders.builtin_families()})
