"""Shared fixtures for the engine tests (plain pytest; no database, no Django)."""

import sys
from pathlib import Path

import numpy as np
import pytest

# pytest-django puts the project root on sys.path; these tests also run with
# `-p no:django`, and then `import engine` must still find the package, not
# this tests/engine directory as a namespace package.
_PROJECT_ROOT = str(Path(__file__).resolve().parents[2])
if _PROJECT_ROOT not in sys.path:
    sys.path.insert(0, _PROJECT_ROOT)


@pytest.fixture
def rng():
    # fixed seed: a failure reproduces exactly
    return np.random.default_rng(20240601)
