from __future__ import annotations

from collections.abc import Iterator

import pytest

from interlude.core.context import RequestContext, reset_request_context, set_request_context


@pytest.fixture
def request_context() -> Iterator[RequestContext]:
    ctx = RequestContext(request_id="req-consents", ip="203.0.113.9")
    token = set_request_context(ctx)
    yield ctx
    reset_request_context(token)
