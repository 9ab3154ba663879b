"""The panel registry (core/panels.py): pages that combine several apps' data are built from
panels each app registers; no app's view imports another app's view, and measures (below
alerts) never imports alerts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from interlude.consents.access import Category
from interlude.core import panels
from interlude.core.panels import Page, panel_register, panels_build, panels_for
from interlude.core.timeline import timeline_sources

ROOT = Path(__file__).resolve().parents[2]  # the interlude package


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test (the apps' own panels are put back afterwards)."""
    monkeypatch.setattr(panels, "_REGISTRY", {page: {} for page in Page})


def test_panels_are_built_in_order_and_a_panel_with_nothing_to_show_is_left_out(registry):
    seen = []

    @panel_register(page=Page.BRIEF, name="b", title="B", order=20, template="b.html")
    def b(access, **ctx):
        seen.append(("b", access, ctx))
        return {"value": ctx["n"] * 2}

    @panel_register(page=Page.BRIEF, name="a", title="A", order=10, template="a.html")
    def a(access, **ctx):
        seen.append(("a", access, ctx))
        return None  # nothing to show for this viewer

    @panel_register(page=Page.BRIEF, name="c", title="C", order=20, template="c.html")
    def c(access, **ctx):
        return {}

    built = panels_build(page=Page.BRIEF, access="the access", n=21)

    assert [(p.name, p.title, p.template, p.context) for p in built] == [
        ("b", "B", "b.html", {"value": 42}),
        ("c", "C", "c.html", {}),
    ]
    assert seen == [("a", "the access", {"n": 21}), ("b", "the access", {"n": 21})]
    assert panels_build(page=Page.REPORT, access="the access") == []


def test_registering_a_name_again_replaces_the_panel(registry):
    panel_register(page=Page.RECORD, name="x", title="Old", order=1, template="x.html")(
        lambda access, **ctx: {}
    )
    panel_register(page=Page.RECORD, name="x", title="New", order=1, template="x.html")(
        lambda access, **ctx: {}
    )
    assert [p.title for p in panels_for(page=Page.RECORD)] == ["New"]


def test_each_app_registers_its_record_panels_at_start_up():
    assert [(p.name, p.build.__module__) for p in panels_for(page=Page.RECORD)] == [
        ("alerts", "interlude.alerts.panels"),
        ("questionnaires", "interlude.insights.panels"),
        ("messages", "interlude.messaging.panels"),
        ("schedules", "interlude.measures.panels"),
        ("appointments", "interlude.care.panels"),
        ("treatment_plan", "interlude.care.panels"),
        ("session_notes", "interlude.care.panels"),
        ("assignments", "interlude.homework.panels"),
        ("recommendations", "interlude.catalog.recommend_panels"),
        ("series", "interlude.tracking.panels"),
        ("timeline", "interlude.insights.panels"),
        ("patterns", "interlude.insights.panels"),
        ("worksheets", "interlude.exercises.panels"),
        ("readiness", "interlude.catalog.readiness_panels"),
        ("modules", "interlude.consents.panels"),
        ("suitability", "interlude.catalog.suitability_panels"),
        ("reaching", "interlude.reminders.panels"),
    ]


def test_the_brief_and_the_report_are_built_from_registered_panels():
    assert [(p.name, p.region, p.build.__module__) for p in panels_for(page=Page.BRIEF)] == [
        ("alerts", "", "interlude.insights.panels"),
        ("questionnaires", "", "interlude.insights.panels"),
        ("checkins", "left", "interlude.insights.panels"),
        ("notable", "left", "interlude.insights.panels"),
        ("suitability", "right", "interlude.catalog.suitability_panels"),
        ("assignments", "right", "interlude.homework.panels"),
        ("homework", "right", "interlude.insights.panels"),
        ("treatment_plan", "right", "interlude.care.panels"),
        ("next_session", "right", "interlude.insights.panels"),
    ]
    assert [(p.name, p.build.__module__) for p in panels_for(page=Page.TODAY)] == [
        ("readiness", "interlude.catalog.readiness_panels"),
        ("assignments", "interlude.homework.panels"),
        ("next_appointment", "interlude.care.panels"),
        ("recommendations", "interlude.catalog.recommend_panels"),
    ]
    assert [(p.name, p.build.__module__) for p in panels_for(page=Page.REPORT)] == [
        ("questionnaires", "interlude.insights.panels"),
    ]


def test_each_app_registers_its_timeline_sources_at_start_up():
    assert [(s.name, s.build.__module__, s.reads) for s in timeline_sources()] == [
        ("checkins", "interlude.tracking.panels", (Category.CHECKINS, Category.IMPORTS)),
        ("journal", "interlude.exercises.panels", (Category.JOURNAL,)),
        ("worksheets", "interlude.exercises.panels", (Category.WORKSHEETS,)),
        ("questionnaires", "interlude.measures.panels", (Category.MEASURES,)),
        ("relaxation", "interlude.exercises.panels", (Category.RELAXATION,)),
        ("care", "interlude.care.panels", (Category.CARE_RECORD, Category.SAFETY_PLAN)),
        ("alerts", "interlude.alerts.panels", (Category.RISK,)),
    ]


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def _is_view_module(name: str) -> bool:
    parts = name.split(".")
    return len(parts) >= 3 and (parts[2] == "views" or parts[2].startswith("views_"))


def test_no_app_imports_another_apps_views():
    found = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        app = path.relative_to(ROOT).parts[0]
        for name in _imports(path):
            other = name.startswith("interlude.") and name.split(".")[1] != app
            if other and _is_view_module(name):
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    assert found == []


def test_measures_never_imports_alerts():
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in (ROOT / "measures").rglob("*.py")
        if "tests" not in path.parts
        for name in _imports(path)
        if name.startswith("interlude.alerts")
    ]
    assert found == []
