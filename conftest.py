"""Fixtures shared by every test suite."""

from __future__ import annotations

import pytest

from tests.factories import clinician_with_client


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits and allauth state live in the cache; each test starts with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def care_pair(db):
    """(membership, client): a clinician with one client on their care team."""
    return clinician_with_client()
