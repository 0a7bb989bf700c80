"""``python -m dllab``: the same engine as the app, for scripts and terminals.

Exit status 0 on success, 2 with a one-line message on bad input or settings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .config import BUDGETS, DEVICES, RunConfig
from .errors import ConfigError, DataError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m dllab",
        description="DL Decision Lab: compare a deep network, gradient boosting and a linear model "
                    "on the same splits, with confidence intervals and paired tests.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    sub.add_parser("datasets", help="list the built-in datasets with size, task and lesson")

    cmp = sub.add_parser("compare", help="compare the three model families on a dataset",
                         description="Compare a deep network, XGBoost and a linear model on DATA.")
    _add_data_args(cmp)
    cmp.add_argument("--budget", choices=BUDGETS, default="standard",
                     help="training budget per model (default: standard)")
    cmp.add_argument("--folds", type=int, default=None, help="k of the k-fold split (default: 3 quick, 5 otherwise)")
    cmp.add_argument("--repeats", type=int, default=None, help="times the k-fold split is repeated")
    cmp.add_argument("--device", choices=DEVICES, default="auto", help="device for the deep net (default: auto)")
    cmp.add_argument("--families", default="linear,gbm,deep",
                     help="comma-separated subset of linear,gbm,deep (default: all three)")
    cmp.add_argument("--n-jobs", type=int, default=1, help="parallel fits (results do not depend on it)")
    cmp.add_argument("--json", type=Path, metavar="OUT.json", help="write the results as JSON")
    cmp.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _add_data_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", metavar="DATA", help="built-in dataset name (see `datasets`) or a CSV file")
    p.add_argument("--target", help="target column (optional for built-ins)")
    p.add_argument("--task", choices=("binary", "multiclass", "regression"), help="override the inferred task")
    p.add_argument("--max-rows", type=int, default=100_000, help="sample larger data to this many rows")
    p.add_argument("--seed", type=int, default=0, help="seed for splits, sampling and models (default: 0)")


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "datasets":
            return _datasets()
        if args.command == "compare":
            return _compare(args)
    except (DataError, ConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    parser.error(f"unknown command {args.command!r}")
    return 2


def _datasets() -> int:
    from .datasets import catalogue

    import shutil
    import textwrap

    rows = [(b.name, f"{b.rows:,}", str(b.columns), b.task, b.size, b.kind) for b in catalogue()]
    lines = _table(("name", "rows", "cols", "task", "size", "kind", "lesson"), [(*r, "") for r in rows]).splitlines()
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


def _load(args, *, n_folds: int):
    from .datasets import load

    return load(args.data, target=args.target, task=args.task, max_rows=args.max_rows,
                random_state=args.seed, n_folds=n_folds)


def _compare(args) -> int:
    from .comparison import describe_test
    from .runner import compare

    families = tuple(f.strip() for f in args.families.split(",") if f.strip())
    config = RunConfig(budget=args.budget, n_folds=args.folds, repeats=args.repeats, seed=args.seed,
                       device=args.device, max_rows=args.max_rows, n_jobs=args.n_jobs, families=families)
    ds = _load(args, n_folds=config.resolved_folds)
    for notice in ds.notices:
        print(f"note: {notice}", file=sys.stderr)
    progress = None if args.quiet else _ProgressBar()
    cmp = compare(ds, config=config, progress=progress)
    if progress:
        progress.close()
    print(f"{ds.name}: {ds.n_rows:,} rows"
          + (f" (sampled from {ds.n_rows_total:,})" if ds.n_rows_total != ds.n_rows else "")
          + f", {len(ds.feature_columns)} features, task {ds.task}; "
            f"{cmp.splits.n_folds}-fold x {cmp.splits.n_repeats} repeat(s), budget {config.budget}, seed {config.seed}")
    table = cmp.table()
    print(_table(tuple(table.columns), [tuple(map(str, r)) for r in table.itertuples(index=False)]))
    print(f"Mean of per-split scores with 95% CI (Nadeau-Bengio corrected). Primary metric: {cmp.metric}.")
    for test in cmp.tests.values():
        print("- " + describe_test(test, metric=cmp.metric))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(cmp.to_dict(), indent=2))
        print(f"wrote {args.json}", file=sys.stderr)
    return 0


class _ProgressBar:
    """A one-line progress bar on stderr, fed by the runner's callback."""

    def __init__(self, width: int = 28):
        self.width = width
        self.tty = sys.stderr.isatty()

    def __call__(self, p) -> None:
        filled = int(round(p.fraction * self.width))
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {p.text}"
        if self.tty:
            print("\r\033[K" + line, end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def _table(header, rows) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) if rows else len(str(h))
              for i, h in enumerate(header)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line("-" * w for w in widths), *(line(r) for r in rows)])
