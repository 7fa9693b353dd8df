"""The maintainers' tools live beside the package, not in it: ``tools/`` and ``benchmarks/``.

Tests load them with :func:`load`, under their file names, which is also how pytest imports
them to run their doctests (so both get the same module).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (ROOT / "tools", ROOT / "benchmarks")


def load(name: str) -> ModuleType:
    """Import ``tools/<name>.py`` or ``benchmarks/<name>.py`` (e.g. ``"nbtools"``, ``"bench"``)."""
    for folder in FOLDERS:
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    return importlib.import_module(name)
