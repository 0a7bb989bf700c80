"""Throughput of the image and text deep models: CNN training and MiniLM encoding, in rows/s.

Prints one table with a row per (model, device): the CNN's training rows/s
(epochs x rows / fit seconds) and prediction rows/s on ``digits`` (8x8) and
``mnist1d`` (1x40) with the ``quick`` and ``standard`` presets, the from-scratch
text network's training rows/s on ``sms_spam``, and the frozen MiniLM encoder's
rows/s on ``sms_spam`` (short texts) and ``fine_foods`` reviews (longer texts,
truncated at 256 word pieces). Encoding bypasses the embedding cache, so the
numbers are the encoder's own. CUDA rows are added when torch sees a GPU.

Shared machines: check ``uptime`` first and run niced; numbers move with load.

Run: ``python benchmarks/unstructured.py [--rows 1000] [--texts 256] [--devices cpu,cuda]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _timed_fit_predict(model, X, y) -> tuple[float, float]:
    """Seconds to fit ``model`` on (X, y) and to predict X."""
    start = time.perf_counter()
    model.fit(X, y)
    fit = time.perf_counter() - start
    start = time.perf_counter()
    model.predict_proba(X)
    return fit, time.perf_counter() - start


def _cnn_rows(name, budget, device, rows):
    from dllab.datasets import load
    from dllab.models.cnn import cnn_model

    ds = load(name)
    X, y = ds.X.iloc[:rows], ds.y[:rows]
    model = cnn_model(ds.task, image_shape=ds.meta["image_shape"], budget=budget, random_state=0, device=device)
    fit, pred = _timed_fit_predict(model, X, y)
    return {"model": f"CNN {budget}", "data": f"{name} {ds.meta['image_shape'][0]}x{ds.meta['image_shape'][1]}",
            "device": device, "rows": len(X), "train rows/s": model.n_epochs_ * len(X) / fit,
            "predict rows/s": len(X) / pred, "seconds": fit}


def _textnet_rows(device, rows):
    from dllab.datasets import load
    from dllab.models.text import text_model

    ds = load("sms_spam")
    X, y = ds.X.iloc[:rows], ds.y[:rows]
    model = text_model("deep", ds.task, text_columns=["text"], budget="quick", random_state=0, device=device)
    fit, pred = _timed_fit_predict(model, X, y)
    return {"model": "text net (scratch) quick", "data": "sms_spam", "device": device, "rows": len(X),
            "train rows/s": model.n_epochs_ * len(X) / fit, "predict rows/s": len(X) / pred, "seconds": fit}


def _encoder_rows(name, column, device, n_texts):
    from dllab.datasets import load
    from dllab.models.text import MiniLMEncoder

    texts = load(name).frame[column].astype(str).tolist()[:n_texts]
    enc = MiniLMEncoder(device=device)
    start = time.perf_counter()
    enc(texts[:8])  # loads the model
    load_s = time.perf_counter() - start
    enc.seconds = 0.0
    enc(texts)
    return {"model": "MiniLM encoder (frozen)", "data": f"{name} ({n_texts} texts)", "device": device,
            "rows": n_texts, "train rows/s": float("nan"), "predict rows/s": n_texts / enc.seconds,
            "seconds": enc.seconds, "load seconds": load_s}


def main(argv=None) -> None:
    import pandas as pd
    import torch

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="training rows per CNN / text-net fit")
    parser.add_argument("--texts", type=int, default=256, help="texts per encoder measurement")
    parser.add_argument("--devices", default="cpu,cuda", help="devices to try (cuda only when available)")
    args = parser.parse_args(argv)
    devices = [d for d in args.devices.split(",") if d == "cpu" or (d == "cuda" and torch.cuda.is_available())]
    rows = []
    for device in devices:
        for name in ("digits", "mnist1d"):
            for budget in ("quick", "standard"):
                rows.append(_cnn_rows(name, budget, device, args.rows))
        rows.append(_textnet_rows(device, args.rows))
        rows.append(_encoder_rows("sms_spam", "text", device, args.texts))
        rows.append(_encoder_rows("fine_foods", "review", device, args.texts))
    table = pd.DataFrame(rows)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(table.to_string(index=False, float_format=lambda v: f"{v:,.1f}"))


if __name__ == "__main__":
    main()
