"""Request types for views: what our middleware guarantees is on the request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

if TYPE_CHECKING:
    from interlude.accounts.models import User
    from interlude.practices.models import Membership, Practice


class InterludeRequest(HttpRequest):
    """Set by AccessPolicyMiddleware (tenant) and HtmxMiddleware before any view runs."""

    user: User
    membership: Membership | None
    practice: Practice | None
    htmx: HtmxDetails


class StaffRequest(InterludeRequest):
    """A request to a CLINICIAN or PRACTICE_ADMIN route: the middleware resolved the membership."""

    membership: Membership
    practice: Practice
