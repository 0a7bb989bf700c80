"""``python -m dllab``: the same engine as the app, for scripts and terminals.

Exit status 0 on success, 2 with a one-line message on bad input or settings.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import BUDGETS, DEVICES, RunConfig
from ..engine import compute
from ..errors import ConfigError, DataError, message_for

__all__ = ["main", "build_parser"]

_IMAGE_SIZE_NOT_ZIP = ("--image-size applies to a ZIP file of images, but DATA is {data!r}; give the path of "
                       "an existing .zip file, or leave --image-size out.")
_BAD_ROLE = ("--role {value!r} is not valid; give COLUMN=ROLE with ROLE one of {roles}, "
             "e.g. --role Ticket=categorical.")
_BAD_IMAGE_SIZE = ("--image-size {value!r} is not valid; give WIDTHxHEIGHT in pixels, each at least 1 and at most "
                   "{max:,} pixels in all, e.g. --image-size 28x28 (or one number for a square).")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dllab",
        description="DL Decision Lab: compare a deep network, gradient boosting and a linear model "
                    "on the same splits, with confidence intervals and paired tests.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    lst = sub.add_parser("datasets", help="list the built-in datasets with size, task and lesson")
    _add_plugin_arg(lst)

    cmp = sub.add_parser("compare", help="compare the three model families on a dataset",
                         description="Compare a deep network, XGBoost and a linear model on DATA.")
    _add_data_args(cmp)
    _add_run_args(cmp)

    crv = sub.add_parser("curve", help="data-size curves: how each family improves with more rows",
                         description="Train every family on nested subsamples of growing size (same "
                                     "held-out fold) and estimate where the deep net would catch up.")
    _add_data_args(crv)
    _add_run_args(crv)
    crv.add_argument("--sizes", help="comma-separated training sizes (default: 100, 250, 500, 1k, ... all rows)")
    crv.add_argument("--seeds", type=int, default=1,
                     help="subsamples per size and split (default: 1; every size uses each of the comparison's splits)")
    crv.add_argument("--time-budget", type=float, default=None,
                     help="seconds; larger sizes that would overrun it are skipped, with a note")

    sgr = sub.add_parser("subgroups", help="where each model fails: slices, disagreement, shift test",
                         description="Score every model on slices of the data (from the comparison's "
                                     "out-of-fold predictions), rank the worst, and optionally test a "
                                     "population shift by holding out each group of a column.")
    _add_data_args(sgr)
    _add_run_args(sgr)
    sgr.add_argument("--group", action="append", default=[], metavar="COL",
                     help="grouping or sensitive column to slice by (repeatable; may be excluded from training)")
    sgr.add_argument("--shift", metavar="COL", help="hold out each group of COL in turn (retrains the models)")
    sgr.add_argument("--min-size", type=int, default=30, help="slices smaller than this are flagged uncertain")

    exp = sub.add_parser("explain", help="SHAP explanations for every family, comparable across models",
                         description="Explain the models fitted on the first split of the comparison "
                                     "with SHAP values in the space of the original columns.")
    _add_data_args(exp)
    _add_run_args(exp)
    exp.add_argument("--rows", type=int, default=1000, help="test rows to explain (sampled, seeded; default 1000)")
    exp.add_argument("--background", type=int, default=100, help="background rows (default 100)")

    rep = sub.add_parser("report", help="every analysis, the verdict, and one self-contained HTML report",
                         description="Compare, data-size curve, subgroups and explanations, then the "
                                     "verdict, written as one HTML file that works offline.")
    _add_data_args(rep)
    _add_run_args(rep)
    rep.add_argument("--out", type=Path, required=True, metavar="OUT.html", help="the HTML report to write")
    rep.add_argument("--group", action="append", default=[], metavar="COL", help="grouping column for subgroups")
    rep.add_argument("--skip", default="", help="comma-separated analyses to leave out: curve,subgroups,explain")
    rep.add_argument("--decide", action="store_true",
                     help="when the evidence is too weak, run the extra repeats the verdict asks for (only the new "
                          "fits), then write the report")
    _add_needs_args(rep)
    return parser


def _add_plugin_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plugin", action="append", default=[], metavar="MODULE",
                   help="import MODULE before the run; it registers model families with "
                        "dllab.families.register (repeatable; see the README)")


def _add_data_args(p: argparse.ArgumentParser) -> None:
    _add_plugin_arg(p)
    p.add_argument("data", metavar="DATA",
                   help="built-in dataset name (see `datasets`), a CSV file, or a ZIP of images in one folder "
                        "per class (class/image.png; the class column is `label`)")
    p.add_argument("--target", help="target column (optional for built-ins)")
    p.add_argument("--role", action="append", default=[], metavar="COL=ROLE",
                   help="set a column's role: numeric, categorical, text, datetime, identifier or excluded "
                        "(repeatable), e.g. --role Ticket=categorical")
    p.add_argument("--exclude", action="append", default=[], metavar="COL",
                   help="leave a column out of the models (repeatable)")
    p.add_argument("--task", choices=("binary", "multiclass", "regression"), help="override the inferred task")
    p.add_argument("--max-rows", type=int, default=100_000, help="sample larger data to this many rows")
    p.add_argument("--seed", type=int, default=0, help="seed for splits, sampling and models (default: 0)")
    p.add_argument("--image-size", metavar="WxH",
                   help="ZIP of images only: resize every image to WIDTHxHEIGHT pixels on load, e.g. 28x28 "
                        "(needed when the images differ in size or are larger than 64x64)")


def _add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--budget", choices=BUDGETS, default="standard",
                   help="training budget per model (default: standard)")
    p.add_argument("--folds", type=int, default=None, help="k of the k-fold split (default: 3 quick, 5 otherwise)")
    p.add_argument("--repeats", type=int, default=None, help="times the k-fold split is repeated")
    p.add_argument("--device", choices=DEVICES, default="auto", help="device for the deep net (default: auto)")
    p.add_argument("--families", default=None,
                   help="comma-separated registered families, e.g. linear,gbm,deep (default: the families "
                        "that serve the data: linear,gbm,deep, plus transfer for text, plus plugins')")
    p.add_argument("--n-jobs", type=int, default=None,
                   help="fits at a time on this machine (default: as many as the cores allow; 1: one at a time "
                        "in this process; results do not depend on it)")
    p.add_argument("--cluster", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run the fits on a Dask cluster: local[:N] starts N worker processes here for the run, "
                        "tcp://HOST:PORT uses a running scheduler's workers (default: $DLLAB_CLUSTER, else this "
                        "process; results do not depend on it)")
    p.add_argument("--json", type=Path, metavar="OUT.json", help="write the results as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_needs_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--explain-each-decision", action="store_true",
                   help="a customer or regulator must see the reason for each decision")
    p.add_argument("--min-difference", type=float, default=None,
                   help="smallest difference of the primary metric that matters (0.01 = 1 point of accuracy)")
    p.add_argument("--max-fit-seconds", type=float, default=None, help="acceptable training time per fit")


def _cluster(args) -> str | None:
    """``--cluster``, or $DLLAB_CLUSTER when it was not given, as a compute target."""
    return compute.resolve(args.cluster)


def _needs(args):
    from ..analyses.verdict import Needs

    return Needs(explain_each_decision=args.explain_each_decision, min_difference=args.min_difference,
                 max_fit_seconds=args.max_fit_seconds)


def _config(args) -> RunConfig:
    # families=None: the defaults for the data, resolved by the Study once the data is loaded.
    families = None if args.families is None else tuple(f.strip() for f in args.families.split(",") if f.strip())
    return RunConfig(budget=args.budget, n_folds=args.folds, repeats=args.repeats, seed=args.seed,
                     device=args.device, n_jobs=args.n_jobs, cluster=_cluster(args), families=families)


def _recipe(args):
    from ..datasets.recipe import DataRecipe

    size = None
    if args.image_size is not None:
        size = _image_size(args.image_size)
        path = Path(args.data)
        if path.suffix.lower() != ".zip" or not path.is_file():
            raise ConfigError(_IMAGE_SIZE_NOT_ZIP.format(data=args.data))
    return DataRecipe(args.data, target=args.target, task=args.task, roles=_roles(args.role),
                      exclude=tuple(args.exclude), max_rows=args.max_rows, seed=args.seed, image_size=size)


def _roles(pairs) -> dict:
    """``["Ticket=categorical"]`` -> ``{"Ticket": "categorical"}``."""
    from ..datasets.schema import ROLES

    out = {}
    for pair in pairs:
        column, sep, role = pair.rpartition("=")
        if not sep or not column or role.strip() not in ROLES:
            raise ConfigError(_BAD_ROLE.format(value=pair, roles=", ".join(ROLES)))
        out[column] = role.strip()
    return out


def _study(args, *, keep_models: bool = True):
    """The :class:`~dllab.Study` of the subcommand's data and settings, and the progress bar (or None)."""
    from ..study import Study

    study = Study(_recipe(args), config=_config(args), keep_models=keep_models)
    return study, _start(study.dataset, args)


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        from .. import families

        families.load_env_plugins()
        for module in args.plugin:
            families.load_plugin(module)
        if args.command == "datasets":
            return _datasets()
        commands = {"compare": _compare, "curve": _curve, "subgroups": _subgroups, "explain": _explain,
                    "report": _report}
        if args.command in commands:
            # One cluster for the whole command: a report's comparison, curve and shift test share it.
            with compute.session(_cluster(args)) as cluster:
                if cluster is not None and not args.quiet:
                    print(f"cluster: {cluster.target}, {cluster.n_workers} worker(s), {cluster.n_threads} "
                          f"thread(s); dashboard {cluster.dashboard_link or 'not served'}", file=sys.stderr)
                return commands[args.command](args)
    except (DataError, ConfigError) as exc:
        print(f"error: {message_for(exc, 'cli')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        # Ctrl-C: the session has cancelled the cluster's pending fits (and shut a local one down).
        print("\nstopped: the run was interrupted; nothing was written", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command!r}")
    return 2


def _datasets() -> int:
    from ..datasets import catalogue

    import shutil
    import textwrap

    rows = [(b.name, f"{b.rows:,}", str(b.columns), b.task, b.size, b.kind) for b in catalogue()]
    lines = text_table(("name", "rows", "cols", "task", "size", "kind", "lesson"),
                       [(*r, "") for r in rows]).splitlines()
    indent = len(lines[0]) - len("lesson")
    width = max(indent + 30, shutil.get_terminal_size((120, 24)).columns)
    print(lines[0])
    print(lines[1] + "-" * 6)
    for line, b in zip(lines[2:], catalogue()):
        wrapped = textwrap.wrap(b.lesson, width=width - indent) or [""]
        print(line.ljust(indent) + wrapped[0])
        for more in wrapped[1:]:
            print(" " * indent + more)
    return 0


def _image_size(value: str) -> tuple[int, int]:
    """``"28x20"`` -> ``(28, 20)``; ``"28"`` -> ``(28, 28)``."""
    from ..datasets.images import MAX_PIXELS

    parts = value.lower().replace(" ", "").split("x")
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(p.isdigit() for p in parts) \
            or min(int(p) for p in parts) < 1 or int(parts[0]) * int(parts[1]) > MAX_PIXELS:
        raise ConfigError(_BAD_IMAGE_SIZE.format(value=value, max=MAX_PIXELS))
    return int(parts[0]), int(parts[1])


def _compare(args) -> int:
    from ..analyses.comparison import describe_test

    study, progress = _study(args, keep_models=False)
    cmp = study.run(progress=progress)
    if progress:
        progress.close()
    print(_headline(study) + f"; {cmp.splits.n_folds}-fold x {cmp.splits.n_repeats} repeat(s)")
    table = cmp.table()
    print(text_table(tuple(table.columns), [tuple(map(str, r)) for r in table.itertuples(index=False)]))
    print(f"Mean of per-split scores with 95% CI (accuracy and RMSE: over the test rows, a cross-validation "
          f"interval; other metrics: over the splits, corrected for overlapping training sets). Primary metric: "
          f"{cmp.metric}.")
    print("Paired tests (every pair the verdict weighs):")
    for test in cmp.tests.values():
        print("- " + describe_test(test, metric=cmp.metric))
    _write_json(args.json, cmp.to_dict())
    return 0


def _curve(args) -> int:
    sizes = None
    if args.sizes:
        try:
            sizes = [int(float(v)) for v in args.sizes.split(",") if v.strip()]
        except ValueError:
            raise ConfigError(f"--sizes {args.sizes!r} is not valid; give whole numbers separated by commas, "
                              f"e.g. --sizes 100,500,2000") from None
    study, progress = _study(args, keep_models=False)
    curve = study.curve(sizes=sizes, n_seeds=args.seeds, time_budget=args.time_budget, reuse=False,
                        progress=progress)
    if progress:
        progress.close()
    print(_headline(study) + f"; {args.seeds} subsample(s) per size, metric {curve.metric}")
    table = curve.table()
    print(text_table(tuple(table.columns), [tuple(map(str, r)) for r in table.itertuples(index=False)]))
    print(curve.conclusion())
    for note in curve.notes:
        print(f"note: {note}", file=sys.stderr)
    _write_json(args.json, {"dataset": study.dataset.summary(), "config": study.config.to_dict(),
                            "curve": curve.to_dict()})
    return 0


def _subgroups(args) -> int:
    study, progress = _study(args, keep_models=False)
    study.run(progress=progress)
    report = study.subgroups(groups=tuple(args.group), min_size=args.min_size, shift=args.shift, progress=progress)
    if progress:
        progress.close()
    print(_headline(study) + f"; {len(report.slices)} slices, metric {report.metric}")
    for fam in report.families:
        worst = report.worst(fam)
        print(f"\nWorst slices for {fam} (significant after Benjamini-Hochberg, ranked by gap x sqrt(size)):")
        if worst.empty:
            print("  none significant")
            continue
        cols = ["description", "size", "score", "ci_low", "ci_high", "gap"]
        rows = [(r.description, f"{int(r.size):,}", f"{r.score:.3f}", f"{r.ci_low:.3f}", f"{r.ci_high:.3f}",
                 f"{r.gap:+.3f}") for r in worst[cols].itertuples(index=False)]
        print(text_table(tuple(cols), rows))
    print()
    for sentence in report.findings():
        print("- " + sentence)
    _write_json(args.json, {"dataset": study.dataset.summary(), "config": study.config.to_dict(),
                            "subgroups": report.to_dict()})
    return 0


def _explain(args) -> int:
    study, progress = _study(args)
    study.run(progress=progress)
    if progress:
        progress.close()
    ex = study.explanation(max_rows=args.rows, background=args.background)
    ds = study.dataset
    print(_headline(study) + f"; {ex.n_rows} rows explained, output space: {ex.output_space}")
    d = ex.to_dict()
    cols = sorted(ds.feature_columns, key=lambda c: -max(m["importance"].get(c, 0) for m in d["models"]))[:15]
    header = ("column", *[m["name"] for m in d["models"]])
    rows = [(c, *[f"{m['importance'].get(c, float('nan')):.4g}" for m in d["models"]]) for c in cols]
    print("Mean |SHAP| per column (top 15):")
    print(text_table(header, rows))
    print(text_table(("model", "rows", "seconds", "additivity max error"),
                 [(m["name"], str(m.get("rows", d["rows_explained"])), f"{m['seconds']:.2f}",
                   f"{m['additivity_max_error']:.2g}") for m in d["models"]]))
    for sentence in ex.statements():
        print("- " + sentence)
    _write_json(args.json, {"dataset": ds.summary(), "config": study.config.to_dict(), "explanations": d})
    return 0


def _report(args) -> int:
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    unknown = skip - {"curve", "subgroups", "explain"}
    if unknown:
        raise ConfigError(f"--skip {args.skip!r} names {', '.join(sorted(unknown))}; choose from curve, subgroups, "
                          f"explain.")
    needs = _needs(args)  # checked before any training
    study, progress = _study(args, keep_models="explain" not in skip)
    study.run(progress=progress)
    if "curve" not in skip:
        study.curve(progress=progress)  # the comparison's fits are its full-size point
    if progress:
        progress.close()
    if "subgroups" not in skip:
        study.subgroups(groups=tuple(args.group))
    if "explain" not in skip:
        study.explanation(max_rows=300)
    v = study.verdict(needs)
    if args.decide and v.next_run is not None:
        print(f"note: the evidence is too weak to decide; {v.next_run.text}", file=sys.stderr)
        progress = None if args.quiet else _ProgressBar()
        study.decide(v.next_run, progress=progress)
        if progress:
            progress.close()
        v = study.verdict(needs)
    study.to_html(args.out, needs=needs)
    print(_headline(study))
    print(f"Verdict: {v.headline}")
    for sentence in v.statements():
        print("- " + sentence)
    if v.next_run is not None and not args.decide:
        print(f"To decide it, {v.next_run.text}: run the same command with --decide (only the new fits are "
              f"trained).")
    print(f"wrote {args.out}", file=sys.stderr)
    _write_json(args.json, study.to_dict(needs))
    return 0


def _start(ds, args):
    for notice in ds.notices:
        print(f"note: {notice}", file=sys.stderr)
    return None if args.quiet else _ProgressBar()


def _headline(study) -> str:
    ds, config = study.dataset, study.config
    # Rows can be fewer than the file's by sampling, a missing target or dropped rare classes: the notices say which.
    sampled = f" (of {ds.n_rows_total:,} in the data)" if ds.n_rows_total != ds.n_rows else ""
    return (f"{ds.name}: {ds.n_rows:,} rows{sampled}, {len(ds.feature_columns)} features, task {ds.task}; "
            f"budget {config.budget}, seed {config.seed}")


def _write_json(path, payload) -> None:
    from ..present.report import to_json_bytes

    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_json_bytes(payload))
    print(f"wrote {path}", file=sys.stderr)


class _ProgressBar:
    """A progress bar on stderr, fed by the runner's callback, and a comparison's scores so far.

    On a terminal the bar and the table of the families' scores so far (``n of k folds``) are
    redrawn in place; otherwise each fit adds the bar's line and its family's score so far.
    """

    def __init__(self, width: int = 28):
        self.width = width
        self.tty = sys.stderr.isatty()
        self._drawn = 0  # lines of the block drawn last (terminal only)

    def __call__(self, p) -> None:
        filled = int(round(p.fraction * self.width))
        bar = f"[{'#' * filled}{'.' * (self.width - filled)}] {p.text}"
        table = p.partial.summary() if p.partial is not None and p.done < p.total else None
        table = None if table is None or table.empty else table
        metric = p.partial.metric_label if table is not None else ""
        if not self.tty:
            print(bar, file=sys.stderr, flush=True)
            if table is not None:
                for _, model, folds, score, _ in table[table.family == p.task.family].itertuples(index=False,
                                                                                                    name=None):
                    print(f"  so far: {model}: {metric} {score} ({folds})", file=sys.stderr, flush=True)
            return
        rows = [] if table is None else text_table(
            ("model", "folds", metric, "fit s"), [r[1:] for r in table.itertuples(index=False, name=None)]
        ).splitlines()
        up = f"\033[{self._drawn}F" if self._drawn else "\r"
        block = [*(("  " + r) for r in rows), bar]
        print(up + "\033[J" + "\n".join(block), end="", file=sys.stderr, flush=True)
        self._drawn = len(block) - 1

    def close(self) -> None:
        if self.tty:
            if self._drawn:  # the scores so far give way to the final table on stdout
                print(f"\r\033[{self._drawn}F\033[J", end="", file=sys.stderr)
            print(file=sys.stderr)
        self._drawn = 0


def text_table(header, rows) -> str:
    """Rows of cells as aligned plain-text columns under a header and a rule (the CLI's and benchmarks' tables)."""
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(header)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line("-" * w for w in widths), *(line(r) for r in rows)])
