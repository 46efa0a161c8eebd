"""Shared helpers for the quiz tests (plain pytest; no database, no Django)."""

import sys
from pathlib import Path

# As in tests/engine: with `-p no:django` the project root must still be on
# sys.path, so `import quizzes` finds the package and not this test folder.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))
