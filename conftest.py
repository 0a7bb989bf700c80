"""Loaded first by pytest, before any library starts its thread pools.

Test data is tiny: one thread per library (XGBoost's OpenMP, torch, BLAS) avoids
oversubscribing the 2 cores, which made tiny fits 10-100x slower on a busy machine.
A user's own setting wins.
"""

import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
# Test helpers shared across test folders (tests/fakes.py); --import-mode=importlib adds no paths.
sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

# tests/plugins holds modules that register model families when imported (the plugin examples):
# collecting them for doctests would register a family for the whole test session.
collect_ignore = ["tests/plugins"]
