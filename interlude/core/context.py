"""Per-request context (request id, client IP) that audit events pick up without threading it
through every call. Set by RequestContextMiddleware; tasks and commands run with none."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str
    ip: str | None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "interlude_request_context", default=None
)


def current_request_context() -> RequestContext | None:
    return _current.get()


def set_request_context(ctx: RequestContext | None) -> contextvars.Token:
    return _current.set(ctx)


def reset_request_context(token: contextvars.Token) -> None:
    _current.reset(token)
