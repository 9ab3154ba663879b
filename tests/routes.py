"""Every route of the app from the URL resolver, with its parameters filled for one client's
record, and the methods each answers (HTML views: GET and POST; the JSON API: the methods its
OpenAPI schema lists). Shared by the authorisation matrix and the category canaries, so a new
route is covered by both without anyone listing it.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from interlude.clinic.middleware import route_access
from interlude.core.policy import Access

_PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")
# A value that names nobody's record, for parameters the seeded record has no row for.
NOBODY = uuid.UUID("00000000-0000-4000-8000-000000000000")


@dataclass(frozen=True)
class Route:
    pattern: str  # e.g. "clinic/clients/<uuid:client_id>/"
    name: str | None
    rule: Access | None
    params: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith(("api/", "fhir/"))

    @property
    def names_a_client(self) -> bool:
        return bool(self.params)


def _walk(patterns: Any, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^()]*\)")


def _from_regex(text: str) -> str:
    """A regex route (FHIR's `Patient/(?P<patient_id>...)$`) written like a path route
    (`Patient/<patient_id>`), so it is filled and covered like the others."""
    if "(?P" not in text:
        return text
    text = _GROUP.sub(lambda m: f"<{m.group('name')}>", text)
    text = text.replace("\\$", "\0").replace("^", "").replace("$", "")
    return text.replace("\0", "$").replace("\\", "")


def all_routes() -> list[Route]:
    """Each distinct route once (ninja registers one pattern per operation name)."""
    seen: dict[str, Route] = {}
    for raw, p in _walk(get_resolver().url_patterns):
        text = _from_regex(raw)
        if text in seen or text.startswith("^") or "(?P" in text:
            continue
        params = tuple(m.group("name") for m in _PARAM.finditer(text))
        seen[text] = Route(
            pattern=text, name=p.name, rule=route_access(p.callback, p.name), params=params
        )
    return list(seen.values())


def api_methods() -> dict[str, list[str]]:
    """The methods of each API path, from the OpenAPI schema, keyed by our route pattern."""
    from config.api import api

    schema = api.get_openapi_schema()
    out: dict[str, list[str]] = {}
    for path, operations in schema["paths"].items():
        route = re.sub(r"\{(\w+)\}", r"<\1>", path.lstrip("/"))
        out[route] = sorted(
            m.upper() for m in operations if m in {"get", "post", "put", "patch", "delete"}
        )
    return out


def methods_for(route: Route, api: dict[str, list[str]]) -> list[str]:
    if route.is_api:
        return api.get(route.pattern, ["GET"])
    if route.rule in (Access.PUBLIC, Access.AUTHENTICATED) and route.pattern.startswith(
        "accounts/"
    ):
        return ["GET"]  # allauth's own pages: no client data, and a POST would sign people out
    return ["GET", "POST"]


def fill(route: Route, ids: dict[str, Any]) -> str:
    """The route's path with each parameter taken from `ids` (a seeded record's ids), choosing
    by the route where a parameter name means different things (an entry of the journal or of
    the sleep diary; a version of the safety plan or of the consent text)."""

    def value(match: re.Match[str]) -> str:
        name, conv = match.group("name"), match.group("conv")
        text = route.pattern
        if name == "entry_id":
            key = "sleep_entry_id" if "sleep" in text else "journal_entry_id"
        elif name == "version":
            key = "safety_plan_version" if "safety-plan" in text else "consent_version"
        elif name == "step":
            return "1" if conv == "int" else "situation"
        elif name in ("code",):
            return "phq9"
        elif name == "slug":
            key = "article_slug"
        elif name == "kind":
            return "box"
        elif name == "id":
            key = "alert_id"
        elif name == "resource_id":
            # FHIR: the resource type is the path segment before the id.
            kind = text.rsplit("/", 2)[-2]
            key = {
                "Observation": "fhir_observation_id",
                "Questionnaire": "fhir_questionnaire_id",
                "QuestionnaireResponse": "response_id",
            }.get(kind, name)
        elif name == "rest":
            return "Medication/1"
        else:
            key = name
        found = ids.get(key)
        return str(found if found is not None else (1 if conv == "int" else NOBODY))

    return "/" + _PARAM.sub(value, route.pattern)
