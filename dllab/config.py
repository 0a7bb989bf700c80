"""Run settings: one frozen dataclass of everything besides the data that changes a run's numbers.

Which rows are used (source, target, roles, row limit, sampling) is the data's
half, :class:`~dllab.datasets.recipe.DataRecipe`; a :class:`~dllab.Study` holds both.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from .errors import ConfigError

__all__ = ["BUDGETS", "DEVICES", "RunConfig", "parse_cluster", "CLUSTER_ENV"]

#: Budget presets. ``quick`` is for demos and tests, ``standard`` is the default
#: measured against published results, ``thorough`` adds an equal-time
#: hyper-parameter search for every family.
BUDGETS = ("quick", "standard", "thorough")
DEVICES = ("auto", "cpu", "cuda")

#: The environment variable the front ends (CLI, app, benchmarks) read for their default compute target.
CLUSTER_ENV = "DLLAB_CLUSTER"
_MAX_LOCAL_WORKERS = 256
_ADDRESS = re.compile(r"^(tcp|tls)://[A-Za-z0-9_.\-\[\]:]+:[0-9]{1,5}$")
_BAD_CLUSTER = "the compute target {value!r} is not valid; {fix}."
_FIX_CLUSTER = {"python": "use None (this process), 'local', 'local:N' (a local cluster of N worker processes, "
                          "1 to 256) or a scheduler address 'tcp://HOST:PORT'",
                "cli": "use --cluster local, local:N (N worker processes, 1 to 256) or tcp://HOST:PORT "
                       "(a running Dask scheduler), or leave it out to run in this process",
                "app": "choose This machine or Local cluster under Compute, or enter a scheduler address such as "
                       "tcp://10.0.0.5:8786"}

_BAD_CHOICE = "{name}={value!r} is not valid; choose one of {choices}."
_BAD_INT = "{name}={value!r} is not valid; it must be an integer between {low} and {high}."


@dataclass(frozen=True)
class RunConfig:
    """Everything besides the data that decides a run's numbers.

    Parameters
    ----------
    budget : {"quick", "standard", "thorough"}, default="standard"
        How much training each family gets (see ``dllab.models.make_model``).
    n_folds : int or None, default=None
        Folds of the (stratified) k-fold split. ``None`` uses the budget's
        default (3 for quick, 5 otherwise).
    repeats : int or None, default=None
        How many times the k-fold split is repeated with fresh shuffles.
        ``None`` uses the budget's default (1 for quick and standard, 2 for thorough).
    seed : int, default=0
        The one seed every random choice derives from.
    device : {"auto", "cpu", "cuda"}, default="auto"
        Where the deep network trains; ``auto`` uses CUDA when available.
    n_jobs : int or None, default=None
        (Model x split) fits at a time in worker processes of this machine: ``None`` one per core,
        one thread each, as the free memory allows, and in this process when the fits are expected
        to take only seconds (:func:`dllab.engine.runner.fits_at_a_time`); ``1`` one at a time in
        this process; ``-1`` one per core. Results do not depend on it.
    cluster : str or None, default=None
        Where the fits run (:func:`parse_cluster`): ``None`` in this process (``n_jobs`` at a time),
        ``"local:N"`` on a Dask ``LocalCluster`` of N one-thread worker processes started for the
        run, or ``"tcp://HOST:PORT"`` on a running Dask scheduler's workers. Results do not depend on it.
    families : tuple of str or None, default=("linear", "gbm", "deep")
        Which registered model families to run (:mod:`dllab.families`);
        ``"transfer"`` (pretrained text encoder + head) applies to text data only.
        ``None``: the defaults for the data (:meth:`for_data`).

    Examples
    --------
    >>> RunConfig(budget="quick").resolved_repeats, RunConfig(budget="quick").resolved_folds
    (1, 3)
    """

    budget: str = "standard"
    n_folds: int | None = None
    repeats: int | None = None
    seed: int = 0
    device: str = "auto"
    n_jobs: int | None = None
    cluster: str | None = None
    families: tuple[str, ...] | None = ("linear", "gbm", "deep")

    def __post_init__(self):
        if self.budget not in BUDGETS:
            raise ConfigError(_BAD_CHOICE.format(name="budget", value=self.budget, choices=", ".join(BUDGETS)))
        if self.device not in DEVICES:
            raise ConfigError(_BAD_CHOICE.format(name="device", value=self.device, choices=", ".join(DEVICES)))
        for name, low, high in (("seed", 0, 2**32 - 1), ("n_jobs", -1, 256)):
            value = getattr(self, name)
            if name == "n_jobs" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise ConfigError(_BAD_INT.format(name=name, value=value, low=low, high=high))
        if self.n_jobs == 0:
            raise ConfigError("n_jobs=0 is not valid; give the fits to run at a time (1 or more), -1 for one per "
                              "core, or None for as many as the cores allow.")
        for name, low, high in (("n_folds", 2, 20), ("repeats", 1, 20)):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or not low <= value <= high):
                raise ConfigError(_BAD_INT.format(name=name, value=value, low=low, high=high))
        object.__setattr__(self, "cluster", parse_cluster(self.cluster))
        if self.families is None:
            return
        from . import families

        known = families.names()
        bad = [f for f in self.families if f not in known]
        if bad or not self.families:
            raise ConfigError(_BAD_CHOICE.format(name="families", value=tuple(self.families),
                                                 choices=", ".join(known)))
        object.__setattr__(self, "families", tuple(self.families))

    def for_data(self, data) -> "RunConfig":
        """This config with ``families=None`` replaced by the defaults for ``data`` (a Dataset or DataSpec).

        Examples
        --------
        >>> RunConfig(families=None).for_data(None).families
        ('linear', 'gbm', 'deep')
        """
        if self.families is not None:
            return self
        from . import families

        return dataclasses.replace(self, families=families.default_families(data))

    @property
    def resolved_repeats(self) -> int:
        """Repeats actually used: the explicit value, else the budget's default."""
        if self.repeats is not None:
            return self.repeats
        return 2 if self.budget == "thorough" else 1

    @property
    def resolved_folds(self) -> int:
        """Folds actually used: the explicit value, else the budget's default."""
        if self.n_folds is not None:
            return self.n_folds
        return 3 if self.budget == "quick" else 5

    def to_dict(self) -> dict:
        """Plain dict for JSON reports (``repeats`` and ``n_folds`` resolved)."""
        out = dataclasses.asdict(self)
        out["repeats"] = self.resolved_repeats
        out["n_folds"] = self.resolved_folds
        out["families"] = None if self.families is None else list(self.families)
        return out

    def key(self) -> str:
        """Stable string for cache keys (everything that changes numbers, not ``n_jobs`` or ``cluster``)."""
        d = self.to_dict()
        d.pop("n_jobs")
        d.pop("cluster")
        return repr(sorted(d.items()))


def parse_cluster(value) -> str | None:
    """The compute target ``value`` names, in one spelling: ``None``, ``"local:N"`` or a scheduler address.

    ``None``, ``""`` and ``"none"`` mean this process; ``"local"`` is a local cluster of one worker
    per core; ``"local:N"`` one of N workers; ``"tcp://HOST:PORT"`` (or ``tls://``) a running scheduler.

    Raises
    ------
    ConfigError
        When ``value`` is none of these.

    Examples
    --------
    >>> parse_cluster(" local:2 "), parse_cluster("none"), parse_cluster("tcp://127.0.0.1:8786")
    ('local:2', None, 'tcp://127.0.0.1:8786')
    """
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in ("", "none"):
        return None
    if text.lower() == "local":  # one worker per core this process may use (not per OMP thread)
        from .models.device import cores

        return f"local:{cores()}"
    head, sep, count = text.partition(":")
    if head.lower() == "local" and sep:
        if count.isdigit() and 1 <= int(count) <= _MAX_LOCAL_WORKERS:
            return f"local:{int(count)}"
    elif _ADDRESS.match(text):
        port = int(text.rsplit(":", 1)[1])
        if 1 <= port <= 65535:
            return text
    raise ConfigError(_BAD_CLUSTER.format(value=value, fix="{fix}"), fix=_FIX_CLUSTER)
