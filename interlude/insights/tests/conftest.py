"""Every insights test keeps its progress report PDFs in a folder of its own."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def reports_dir(settings, tmp_path: Path) -> Path:
    settings.REPORTS_DIR = tmp_path / "reports"
    return settings.REPORTS_DIR
