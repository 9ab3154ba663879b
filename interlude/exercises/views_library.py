"""The psychoeducation library for clients: the list with "Read" markers, and each article."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from interlude.consents.access import access_own_client
from interlude.core.http import InterludeRequest
from interlude.core.policy import Access, access
from interlude.exercises.library import Article, article_get, articles
from interlude.exercises.relaxation_selectors import article_read_at, article_read_slugs
from interlude.exercises.relaxation_services import article_mark_read
from interlude.practices.enums import Module


def related_link(article: Article) -> tuple[str, str]:
    """(href, label) of the exercise an article ends with.

    If that exercise's page is not installed, the article points to the Tools page instead of
    breaking (tests require every shipped article's link to resolve).
    """
    try:
        return reverse(article.related_name, args=article.related_args), article.related_label
    except NoReverseMatch:
        return reverse("client_tools"), "Go to your tools"


def _article_or_404(slug: str) -> Article:
    article = article_get(slug)
    if article is None:
        raise Http404
    return article


@access(Access.CLIENT)
def library_index(request: InterludeRequest) -> HttpResponse:
    client = access_own_client(user=request.user, module=Module.LIBRARY)
    read = article_read_slugs(client=client)
    rows = [(article, article.slug in read) for article in articles()]
    return render(
        request,
        "exercises/library_index.html",
        {
            "nav": "tools",
            "rows": rows,
            "read_count": sum(1 for _, is_read in rows if is_read),
            "total": len(rows),
        },
    )


@access(Access.CLIENT)
def article_detail(request: InterludeRequest, slug: str) -> HttpResponse:
    article = _article_or_404(slug)
    client = access_own_client(user=request.user, module=Module.LIBRARY)
    shelf = articles()
    position = next(i for i, a in enumerate(shelf) if a.slug == article.slug)
    related_url, related_label = related_link(article)
    read_at = article_read_at(client=client, slug=article.slug)
    return render(
        request,
        "exercises/article_detail.html",
        {
            "nav": "tools",
            "article": article,
            "read_at": read_at,
            "read_on": (
                timezone.localtime(read_at, ZoneInfo(client.time_zone)).date() if read_at else None
            ),
            "related_url": related_url,
            "related_label": related_label,
            "next_article": shelf[position + 1] if position + 1 < len(shelf) else None,
        },
    )


@access(Access.CLIENT)
@require_POST
def article_read(request: InterludeRequest, slug: str) -> HttpResponse:
    """Mark an article read (idempotent). htmx swaps the status; a plain form redirects back."""
    article = _article_or_404(slug)
    client = access_own_client(user=request.user, module=Module.LIBRARY)
    record, _ = article_mark_read(client=client, slug=article.slug)
    if request.htmx:
        return render(
            request,
            "exercises/article_detail.html#read-status",
            {"article": article, "read_at": record.read_at, "just_marked": True},
        )
    messages.success(request, "Marked as read.")
    return redirect("article_detail", slug=article.slug)
