"""Loaded first by pytest, before any library starts its thread pools.

Test data is tiny: one thread per library (XGBoost's OpenMP, torch, BLAS) avoids
oversubscribing the 2 cores, which made tiny fits 10-100x slower on a busy machine.
A user's own setting wins.
"""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
