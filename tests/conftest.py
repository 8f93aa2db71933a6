"""Shared test setup: make scripts/booktools.py importable and list the book's notebooks."""

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import booktools  # noqa: E402

NOTEBOOKS = booktools.toc_notebooks()
CHAPTERS = [p for p in NOTEBOOKS if "preface" not in p.parts]


def nb_id(path: Path) -> str:
    return str(path.relative_to(ROOT / "chapters"))


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
