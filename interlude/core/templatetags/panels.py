"""`{% panel p %}`: render one built panel (`core.panels.PanelContext`) with its own context on
top of the page's (so `request`, `csrf_token` and `client` stay available to it)."""

from __future__ import annotations

from django import template
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from interlude.core.panels import PanelContext

register = template.Library()


@register.simple_tag(takes_context=True)
def panel(context: Context, built: PanelContext) -> SafeString:
    assert context.template is not None
    tpl = context.template.engine.get_template(built.template)
    with context.push(built.context):
        return mark_safe(tpl.render(context))  # noqa: S308 - a template's own (escaped) output  # nosec B308, B703
