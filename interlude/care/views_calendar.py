"""Care calendar screens."""

from __future__ import annotations

from interlude.core.http import InterludeRequest  # noqa: F401
