"""One :class:`Study`: this dataset with these settings, and every analysis of it.

The CLI, the workshop and the app all go through a Study, so the pipeline
"data + settings -> comparison, curve, subgroups, explanation, verdict" is wired
once and they cannot drift. The comparison is computed once; every other
analysis is computed on request and cached under one key (its name and its
settings). The verdict reads the analyses computed so far.

Examples
--------
>>> import dllab
>>> study = dllab.Study(dllab.DataRecipe("penguins"), config=dllab.RunConfig(budget="quick"))  # doctest: +SKIP
>>> study.comparison.best()                                                                     # doctest: +SKIP
'linear'
>>> study.verdict().headline                                                                    # doctest: +SKIP
'Use a linear model (confidence: medium)'
"""

from __future__ import annotations

import threading
from pathlib import Path

from .config import RunConfig
from .datasets.recipe import DataRecipe
from .errors import ConfigError

__all__ = ["Study", "ANALYSES"]

#: The analyses a Study caches besides the comparison, in the order the report shows them.
ANALYSES = ("curve", "subgroups", "shift", "explanation")

_NOT_A_RECIPE = ("Study needs a dllab.DataRecipe or a dllab.Dataset; got {kind}. Build one with "
                 "dllab.DataRecipe('penguins') or dllab.load(...).")


class Study:
    """A dataset with run settings: the comparison once, the other analyses on request.

    Parameters
    ----------
    data : DataRecipe or Dataset
        A recipe is built with the run's seed (``recipe.seed`` is replaced by
        ``config.seed``, as the CLI's ``--seed`` seeds the sampling too) and the
        run's folds; a Dataset is used as it is.
    config : RunConfig, optional
        What changes the models' numbers (default ``RunConfig()``). ``families``
        left at ``None`` means the defaults for the data (:func:`dllab.families.default_families`).
    frame : DataFrame, optional
        The rows of an ``"upload"`` recipe.
    keep_models : bool, default=True
        Keep the fitted models with the comparison (explanations need them);
        False saves memory, and :meth:`explanation` then raises.

    Attributes
    ----------
    dataset : Dataset
    recipe : DataRecipe or None
    config : RunConfig

    Notes
    -----
    Every analysis is cached under ``(name, settings)``; asking again with the
    same settings returns the same object, and ``cached_only=True`` returns it
    (or None) without computing. A ``progress`` or ``should_stop`` callback is
    not part of a key. Several threads may share a Study (the app's sessions
    do): reading what is computed never waits, and two callers of the same
    analysis compute it once.
    """

    def __init__(self, data, *, config: RunConfig | None = None, frame=None, keep_models: bool = True):
        from .datasets import Dataset

        config = config or RunConfig()
        if isinstance(data, DataRecipe):
            self.recipe = data.changed(seed=config.seed)
            self.dataset = self.recipe.build(frame, n_folds=config.resolved_folds)
        elif isinstance(data, Dataset):
            self.recipe, self.dataset = None, data
        else:
            raise ConfigError(_NOT_A_RECIPE.format(kind=type(data).__name__))
        self.config = config.for_data(self.dataset)
        self.keep_models = bool(keep_models)
        self._cache: dict = {}
        self._latest: dict = {}
        self._computing: dict = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ keys and cache
    @property
    def key(self) -> tuple:
        """``(dataset sha256, config key)``: what makes two studies give the same numbers."""
        return self.dataset.sha256, self.config.key()

    def _get(self, name: str, settings: tuple, compute, cached_only: bool = False):
        key = (name, settings)
        with self._lock:
            if key not in self._cache and cached_only:
                return None
            if key in self._cache:
                self._latest[name] = key  # the verdict reads the analyses asked for last
                return self._cache[key]
            computing = self._computing.setdefault(key, threading.Lock())
        # One lock per analysis: a second caller of the same one waits for it (and gets its result),
        # while reading what is done, or computing something else, never waits.
        with computing:
            with self._lock:
                done = key in self._cache
            if not done:
                result = compute()
                with self._lock:
                    self._cache[key] = result
            with self._lock:
                self._latest[name] = key
                return self._cache[key]

    def cached(self, name: str):
        """The ``name`` analysis asked for most recently (``"comparison"`` or one of :data:`ANALYSES`), or None.

        Nothing is computed.
        """
        with self._lock:
            key = self._latest.get(name)
            return None if key is None else self._cache.get(key)

    # ------------------------------------------------------------------ the comparison
    def run(self, *, progress=None, should_stop=None):
        """Compute the comparison (once; later calls return it) with optional progress and stop callbacks."""
        from .engine.runner import compare

        return self._get("comparison", (), lambda: compare(self.dataset, config=self.config, progress=progress,
                                                           should_stop=should_stop, keep_models=self.keep_models))

    def decide(self, run=None, *, needs=None, progress=None, should_stop=None):
        """Run what the verdict asks for to decide (its ``next_run``) and make it this Study's comparison.

        Only the new repeats of the families in question are fitted
        (:func:`dllab.engine.runner.extend`); every fit already made is kept, and
        the analyses already computed stay valid (they read the first repeat).

        Parameters
        ----------
        run : NextRun, optional
            Default: ``self.verdict(needs).next_run``.
        needs : Needs, optional
        progress, should_stop : callable, optional
            As for :meth:`run`.

        Returns
        -------
        Comparison
            The extended comparison (the current one when there is nothing to run).
        """
        from .engine.runner import extend

        run = run or self.verdict(needs).next_run
        if run is None:
            return self.comparison
        base = self.comparison
        cmp = self._get("decided", (tuple(run.families), int(run.repeats)),
                        lambda: extend(base, self.dataset, families=run.families, repeats=run.repeats,
                                       config=self.config, progress=progress, should_stop=should_stop,
                                       keep_models=self.keep_models))
        with self._lock:
            self._cache[("comparison", ())] = cmp
            self._latest["comparison"] = ("comparison", ())
        return cmp

    def adopt(self, comparison) -> "Study":
        """Use ``comparison`` (computed elsewhere on this data with this config, e.g. reloaded) as this
        Study's comparison. Returns the Study.

        Raises
        ------
        DataError
            If the comparison was not made on this dataset.
        """
        comparison.check_dataset(self.dataset)
        with self._lock:
            self._cache[("comparison", ())] = comparison
            self._latest["comparison"] = ("comparison", ())
        return self

    @property
    def comparison(self):
        """The :class:`~dllab.analyses.comparison.Comparison` of every family on the shared splits."""
        return self.run()

    # ------------------------------------------------------------------ analyses on request
    def curve(self, *, sizes=None, n_seeds: int = 1, folds: int | None = None, time_budget=None, n_boot: int = 200,
              comparison=None, reuse: bool = True, progress=None, should_stop=None, cached_only: bool = False):
        """The data-size curve (:func:`dllab.analyses.curves.learning_curve`).

        By default every size is trained on each of the comparison's splits (one
        subsample per split), so the largest size is Compare's own numbers. The fits
        of a comparison stand in for the full-size point, so no model is trained twice: ``comparison`` if given (same budget, seed and splits, every
        family of the curve), else with ``reuse`` (default) this Study's own
        comparison if it has been computed.
        """
        from .analyses.curves import learning_curve

        cmp = comparison if comparison is not None else (self.cached("comparison") if reuse else None)
        settings = _settings(dict(sizes=None if sizes is None else tuple(int(s) for s in sizes), n_seeds=n_seeds,
                                  folds=folds, time_budget=time_budget, n_boot=n_boot,
                                  reused=None if cmp is None else repr(sorted(cmp.config.items()))))
        return self._get("curve", settings, lambda: learning_curve(
            self.dataset, config=self.config, sizes=sizes, n_seeds=n_seeds, folds=folds, progress=progress,
            should_stop=should_stop, comparison=cmp, time_budget=time_budget, n_boot=n_boot), cached_only)

    def shift(self, column: str, *, max_groups: int = 5, min_size: int = 30, progress=None,
              cached_only: bool = False):
        """The shift test (:func:`dllab.analyses.subgroups.shift_test`): train without each group of ``column``."""
        from .analyses.subgroups import shift_test

        settings = _settings(dict(column=column, max_groups=max_groups, min_size=min_size))
        return self._get("shift", settings, lambda: shift_test(
            self.dataset, column=column, config=self.config, max_groups=max_groups, min_size=min_size,
            progress=progress), cached_only)

    def subgroups(self, *, groups=(), min_size: int = 30, shift: str | None = None, n_boot: int = 200,
                  max_shift_groups: int = 5, progress=None, cached_only: bool = False):
        """The subgroup report (:func:`dllab.analyses.subgroups.subgroup_report`) of the comparison.

        ``shift`` names a column for the shift test, which is included in the report.
        """
        from .analyses.subgroups import subgroup_report

        groups = (groups,) if isinstance(groups, str) else tuple(groups)
        settings = _settings(dict(groups=groups, min_size=min_size, shift=shift, n_boot=n_boot,
                                  max_shift_groups=max_shift_groups))

        def compute():
            rows = None if shift is None else self.shift(shift, max_groups=max_shift_groups, progress=progress)
            return subgroup_report(self.comparison, self.dataset, groups=groups, min_size=min_size, shift=rows,
                                   n_boot=n_boot, random_state=self.config.seed)
        return self._get("subgroups", settings, compute, cached_only)

    def explanation(self, *, max_rows: int = 300, background: int = 100, n_boot: int = 200, split: int = 0,
                    families=None, cached_only: bool = False, **options):
        """SHAP values for every family (:func:`dllab.analyses.explain.explain`) on split ``split``."""
        from .analyses.explain import explain

        fams = None if families is None else ((families,) if isinstance(families, str) else tuple(families))
        settings = _settings(dict(max_rows=max_rows, background=background, n_boot=n_boot, split=split,
                                  families=fams, **options))
        return self._get("explanation", settings, lambda: explain(
            self.comparison, self.dataset, split=split, max_rows=max_rows, background=background, n_boot=n_boot,
            random_state=self.config.seed, families=fams, **options), cached_only)

    def analyses(self) -> dict:
        """The most recent curve, subgroup report and explanation: ``{"curve": ..., "subgroups": ..., ...}``."""
        return {"curve": self.cached("curve"), "subgroups": self.cached("subgroups"),
                "explanation": self.cached("explanation")}

    def verdict(self, needs=None):
        """The :class:`~dllab.analyses.verdict.Verdict` from the comparison and every analysis computed so far.

        Not cached: it is cheap, and changing ``needs`` (a :class:`~dllab.analyses.verdict.Needs`)
        must change it at once.
        """
        from .analyses.verdict import verdict

        return verdict(self.comparison, dataset=self.dataset, needs=needs, **self.analyses())

    # ------------------------------------------------------------------ export
    def _parts(self, needs) -> dict:
        return dict(dataset=self.dataset, config=self.config, comparison=self.comparison,
                    verdict=self.verdict(needs), **self.analyses())

    def to_dict(self, needs=None) -> dict:
        """The report's JSON document (what ``python -m dllab report --json`` writes)."""
        from .present.report import report_json

        return report_json(**self._parts(needs), recipe=self.recipe)

    def to_html(self, path=None, *, needs=None) -> str:
        """The self-contained HTML report; written to ``path`` when given. Returns the HTML."""
        from .present.report import html_report

        html = html_report(**self._parts(needs))
        if path is not None:
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html, encoding="utf-8")
        return html

    def __repr__(self):
        done = [n for n in ("comparison", *ANALYSES) if self.cached(n) is not None]
        return f"Study({self.dataset.name!r}, budget={self.config.budget!r}, seed={self.config.seed}, computed={done})"


def _settings(d: dict) -> tuple:
    # A hashable, order-free key of keyword settings.
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in d.items()))
