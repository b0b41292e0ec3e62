import sys
from pathlib import Path

import pytest

from ameide_guard.scan import sources

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def forced_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let the pool run on tiny fixtures, two files per batch, so merging order is exercised."""
    monkeypatch.setattr(sources, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(sources, "MIN_BATCH", 2)
