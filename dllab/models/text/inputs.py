"""Model inputs from a table with free-text columns.

:func:`split_text` separates the text columns from the others;
:class:`OtherColumns` codes the others (scaled numerics, one-hot categories);
:class:`Tfidf` is the word + character TF-IDF of the linear and gbm families;
:func:`hashed_bags` and :func:`batch_bags` give the from-scratch network its
hashed n-gram ids in ``nn.EmbeddingBag``'s (flat ids, offsets) layout.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer

from ..linear import preprocessor_sources
from ..preprocessing import linear_preprocessor

__all__ = ["OtherColumns", "Tfidf", "batch_bags", "hashed_bags", "split_text"]

_NO_TEXT = ("X has no text columns {columns}; the text models need the dataset's text columns "
            "(Dataset.meta['text_columns']).")


def split_text(X, text_columns):
    """The text columns of ``X``, their texts and the other columns.

    Parameters
    ----------
    X : DataFrame or 2-D array
    text_columns : list of str or None
        Declared text columns; those missing from ``X`` are ignored. With none
        present, every string column that is not a category is taken.

    Returns
    -------
    cols : list of str
    texts : list of list of str
        One list per text column; missing values become ``""``.
    other : DataFrame
        The remaining columns.

    Raises
    ------
    ValueError
        If ``X`` has no text column.

    Examples
    --------
    >>> cols, texts, other = split_text(pd.DataFrame({"t": ["a b", None], "n": [1, 2]}), ["t"])
    >>> cols, texts, list(other.columns)
    (['t'], [['a b', '']], ['n'])
    """
    if not hasattr(X, "columns"):
        X = pd.DataFrame(np.asarray(X, dtype=object))
        X.columns = [str(c) for c in X.columns]
    cols = [c for c in (text_columns or ()) if c in X.columns]
    if not cols:  # no declared columns: object columns that are not categories
        cols = [c for c in X.columns if pd.api.types.is_string_dtype(X[c])
                and not isinstance(X[c].dtype, pd.CategoricalDtype)]
    if not cols:
        raise ValueError(_NO_TEXT.format(columns=list(text_columns or ())))
    texts = [X[c].astype(object).where(X[c].notna(), "").map(str).tolist() for c in cols]
    other = X.drop(columns=cols)
    return cols, texts, other


class OtherColumns:
    """Scaled numerics + one-hot categories of the non-text columns (dense float64).

    Attributes
    ----------
    prep_ : ColumnTransformer or None
        :func:`~dllab.models.preprocessing.linear_preprocessor` fitted on the
        columns; ``None`` when there are none.
    """

    def fit(self, other):
        """Fit the coding on the non-text columns ``other`` (a DataFrame)."""
        self.prep_ = linear_preprocessor(_objects(other)).fit(_objects(other)) if other.shape[1] else None
        return self

    def transform(self, other):
        """``(n, d)`` float64 array; ``d`` is 0 without other columns."""
        if self.prep_ is None:
            return np.zeros((len(other), 0))
        return np.asarray(self.prep_.transform(_objects(other)), dtype=np.float64)

    def sources(self) -> list:
        """The column behind every column of :meth:`transform` (one-hot levels, missing indicators)."""
        return [] if self.prep_ is None else preprocessor_sources(self.prep_)


def _objects(other):
    """``other`` with category and object columns as objects, missing values as ``None``."""
    other = other.copy()
    for c in other.columns:
        if isinstance(other[c].dtype, pd.CategoricalDtype) or other[c].dtype == object:
            other[c] = other[c].astype(object).where(other[c].notna(), None)
    return other


class Tfidf:
    """Word 1-2-gram + char_wb 2-5-gram TF-IDF (sublinear tf) of every text column.

    Parameters
    ----------
    max_features : int
        Vocabulary size of each of the two vectorizers per text column.

    Attributes
    ----------
    vectorizers_ : list of TfidfVectorizer or None
        Two per text column (words, characters); ``None`` where the vocabulary
        was empty (e.g. all texts empty), which then gives zero columns.

    Examples
    --------
    >>> tfidf = Tfidf(100)
    >>> tfidf.fit_transform([["good food", "bad food"]]).shape[0], len(tfidf.vectorizers_)
    (2, 2)
    >>> tfidf.transform([["good"]]).shape[0]
    1
    """

    def __init__(self, max_features):
        self.max_features = max_features

    def fit_transform(self, texts):
        """Fit on ``texts`` (one list of strings per text column); the sparse TF-IDF matrix."""
        self.vectorizers_ = []
        blocks = []
        for col in texts:
            for kw in (dict(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
                       dict(analyzer="char_wb", ngram_range=(2, 5))):
                vec = TfidfVectorizer(sublinear_tf=True, min_df=2 if len(col) >= 50 else 1,
                                      max_features=self.max_features, dtype=np.float64, **kw)
                try:
                    blocks.append(vec.fit_transform(col))
                except ValueError:  # empty vocabulary (e.g. all texts empty)
                    vec = None
                    blocks.append(sp.csr_matrix((len(col), 0)))
                self.vectorizers_.append(vec)
        return sp.hstack(blocks, format="csr")

    def sources(self, columns) -> list:
        """The text column (of ``columns``, in fit order) behind every column of the TF-IDF matrix.

        Examples
        --------
        >>> tfidf = Tfidf(100)
        >>> m = tfidf.fit_transform([["good food", "bad food"], ["", ""]])
        >>> sources = tfidf.sources(["review", "empty"])
        >>> len(sources) == m.shape[1], set(sources)
        (True, {'review'})
        """
        widths = [0 if vec is None else len(vec.vocabulary_) for vec in self.vectorizers_]
        return [col for i, col in enumerate(columns) for w in widths[2 * i:2 * i + 2] for _ in range(w)]

    def transform(self, texts):
        """The TF-IDF matrix of ``texts`` with the fitted vocabularies."""
        blocks, i = [], 0
        for col in texts:
            for _ in range(2):
                vec = self.vectorizers_[i]
                blocks.append(vec.transform(col) if vec is not None else sp.csr_matrix((len(col), 0)))
                i += 1
        return sp.hstack(blocks, format="csr")


def hashed_bags(texts, n_buckets):
    """Hashed word uni+bigram ids of every row, as (flat ids, row pointers) for EmbeddingBag.

    Each text column hashes into its own block of ``n_buckets`` rows of the
    table; a row with no tokens gets the last id, reserved for "empty".

    Parameters
    ----------
    texts : list of list of str
        One list per text column.
    n_buckets : int

    Returns
    -------
    ids, indptr : torch.Tensor (int64)
        Row ``i``'s ids are ``ids[indptr[i]:indptr[i + 1]]``.

    Examples
    --------
    >>> ids, indptr = hashed_bags([["good food", ""]], n_buckets=1024)
    >>> indptr.tolist(), ids[-1].item()  # 2 words + 1 bigram; the empty row gets id 1024
    ([0, 3, 4], 1024)
    """
    import torch

    hasher = HashingVectorizer(n_features=n_buckets, ngram_range=(1, 2), alternate_sign=False,
                               norm=None, token_pattern=r"(?u)\b\w+\b")
    mats = [hasher.transform(col) for col in texts]
    m = sp.hstack(mats, format="csr")
    empty = sp.csr_matrix((np.diff(m.indptr) == 0).astype(np.float64)[:, None])
    m = sp.hstack([m, empty], format="csr")
    m.sort_indices()
    return torch.as_tensor(m.indices.astype(np.int64)), torch.as_tensor(m.indptr.astype(np.int64))


def batch_bags(ids, indptr, batch):
    """``(flat ids, offsets)`` of the rows ``batch`` (a tensor of row numbers) for ``nn.EmbeddingBag``."""
    import torch

    starts, ends = indptr[batch], indptr[batch + 1]
    lengths = ends - starts
    flat = torch.cat([ids[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
    offsets = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)[:-1]])
    return flat, offsets
