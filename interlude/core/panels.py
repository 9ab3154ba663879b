"""The panel registry: pages that combine several apps' data are built from panels each app
registers (DESIGN.md, "The gate": no app's view calls another app's view).

A panel belongs to a page ("record", "brief", "report"), has a name, an order, a region of the
page and a template, and a function `(access: CareAccess, **ctx) -> dict | None` that reads what it
shows for the viewer the gate returned (None: the panel has nothing to show on this page). Each app
registers its panels in its own `panels.py`, imported by the app's `AppConfig.ready`; the page asks
`panels_build(page=..., access=..., **ctx)` and renders each panel's template with its context
(`{% panel p %}` from `core/templatetags/panels.py`).

The record's timeline is merged from timeline sources in the same way (`core/timeline.py`).

Pure: this module knows no app, no model and no privacy rule; the panels ask the `CareAccess`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from interlude.consents.access import CareAccess


class Page(StrEnum):
    RECORD = "record"  # the client record (clinician)
    BRIEF = "brief"  # the pre-session brief
    REPORT = "report"  # the progress report (preview and PDF)
    TODAY = "today"  # the client's own Today page (the access is the client's own, Viewer.SELF)


PanelBuild = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    page: Page
    name: str  # unique within the page; also the anchor of its section ("record-<name>")
    title: str  # for the page's table of contents
    order: int  # lower first
    template: str
    build: PanelBuild
    region: str = ""  # where the page puts it ("": the page's main flow; the brief: left, right)


@dataclass(frozen=True)
class PanelContext:
    """One built panel, ready for its template."""

    panel: Panel
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.panel.name

    @property
    def title(self) -> str:
        return self.panel.title

    @property
    def template(self) -> str:
        return self.panel.template

    @property
    def anchor(self) -> str:
        return self.panel.name

    @property
    def region(self) -> str:
        return self.panel.region


_REGISTRY: dict[Page, dict[str, Panel]] = {page: {} for page in Page}


def panel_register(
    *, page: Page, name: str, title: str, order: int, template: str, region: str = ""
) -> Callable[[PanelBuild], PanelBuild]:
    """Decorator: register `build` as panel `name` of `page`. Registering the same name again
    replaces it (module reloads in development), never duplicates it."""

    def decorator(build: PanelBuild) -> PanelBuild:
        _REGISTRY[Page(page)][name] = Panel(
            page=Page(page),
            name=name,
            title=title,
            order=order,
            template=template,
            build=build,
            region=region,
        )
        return build

    return decorator


def panels_for(*, page: Page) -> list[Panel]:
    """The registered panels of a page, in order (then by name, so the order is stable)."""
    return sorted(_REGISTRY[Page(page)].values(), key=lambda p: (p.order, p.name))


def panels_build(*, page: Page, access: CareAccess, **ctx: Any) -> list[PanelContext]:
    """Every panel of `page` built for this viewer, in order; panels that return None are left
    out. `ctx` carries what the page already read and several panels share (e.g. `request`,
    `definitions`)."""
    built = []
    for panel in panels_for(page=page):
        context = panel.build(access, **ctx)
        if context is not None:
            built.append(PanelContext(panel=panel, context=context))
    return built
