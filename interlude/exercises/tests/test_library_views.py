"""Library pages and marking articles read (HTML, htmx and API)."""

from __future__ import annotations

import dataclasses
import re

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from interlude.exercises import library
from interlude.exercises.models import ArticleRead
from interlude.exercises.relaxation_services import article_mark_read
from interlude.exercises.views_library import related_link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ARTICLES = library.articles()
SLUG = "cbt-triangle"


def _as(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_library_lists_every_article_with_read_markers(care_pair):
    _, client = care_pair
    article_mark_read(client=client, slug="worry-time")
    article_mark_read(client=client, slug="exposure")

    html = _as(client.user).get("/library/").content.decode()

    items = re.findall(
        r'<li class="article-item( is-read)?">\s*<a class="tile" href="([^"]+)"', html
    )
    assert [href for _, href in items] == [f"/library/{a.slug}/" for a in ARTICLES]
    assert {href for read, href in items if read} == {
        "/library/worry-time/",
        "/library/exposure/",
    }
    assert html.count("✓ Read") == 2
    assert f"You have read 2 of {len(ARTICLES)}." in html


def test_library_list_uses_a_fixed_number_of_queries_whatever_was_read(care_pair):
    _, client = care_pair
    http = _as(client.user)
    http.get("/tools/")  # the first request of a session also records the session
    with CaptureQueriesContext(connection) as none_read:
        assert http.get("/library/").status_code == 200
    for article in ARTICLES:
        article_mark_read(client=client, slug=article.slug)
    with CaptureQueriesContext(connection) as all_read:
        html = http.get("/library/").content.decode()

    assert html.count("✓ Read") == len(ARTICLES)
    assert len(all_read.captured_queries) == len(none_read.captured_queries)


@pytest.mark.parametrize("article", ARTICLES, ids=[a.slug for a in ARTICLES])
def test_each_article_page_shows_the_article_and_ends_with_its_exercise(care_pair, article):
    _, client = care_pair

    response = _as(client.user).get(f"/library/{article.slug}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<h1 id="article-title">{article.title}</h1>' in html
    href = reverse(article.related_name, args=article.related_args)
    assert f'<a class="button button-primary" href="{href}">{article.related_label}</a>' in html
    assert "Mark as read" in html


def test_unknown_article_is_404(care_pair):
    _, client = care_pair
    http = _as(client.user)
    assert http.get("/library/no-such-thing/").status_code == 404
    assert http.post("/library/no-such-thing/read/").status_code == 404
    assert ArticleRead.objects.count() == 0


def test_reading_an_article_twice_stores_one_record(care_pair):
    _, client = care_pair
    http = _as(client.user)

    first = http.post(f"/library/{SLUG}/read/")
    second = http.post(f"/library/{SLUG}/read/")

    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"/library/{SLUG}/"
    record = ArticleRead.objects.get()
    assert (record.client_id, record.practice_id, record.slug) == (
        client.pk,
        client.practice_id,
        SLUG,
    )
    page = http.get(f"/library/{SLUG}/").content.decode()
    assert "You marked this as read on" in page
    assert "Mark as read" not in page


def test_mark_read_with_htmx_returns_only_the_status(care_pair):
    _, client = care_pair

    response = _as(client.user).post(f"/library/{SLUG}/read/", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<div class="article-read" id="read-status">')
    assert "You marked this as read." in html
    assert "<h1" not in html
    assert ArticleRead.objects.count() == 1


def test_mark_read_needs_post(care_pair):
    _, client = care_pair
    assert _as(client.user).get(f"/library/{SLUG}/read/").status_code == 405


def test_api_mark_read_is_idempotent(care_pair):
    _, client = care_pair
    http = _as(client.user)

    first = http.post(f"/api/v1/articles/{SLUG}/read")
    second = http.post(f"/api/v1/articles/{SLUG}/read")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert first.json()["slug"] == SLUG
    assert ArticleRead.objects.count() == 1
    assert http.post("/api/v1/articles/nope/read").status_code == 404


def test_clinicians_cannot_use_the_library_pages_or_mark_reads(care_pair):
    membership, _ = care_pair
    http = _as(membership.user)
    assert http.get("/library/").status_code == 404
    assert http.get(f"/library/{SLUG}/").status_code == 404
    assert http.post(f"/library/{SLUG}/read/").status_code == 404
    assert http.post(f"/api/v1/articles/{SLUG}/read").status_code == 404
    assert _as(UserFactory()).get("/library/").status_code == 404
    assert ArticleRead.objects.count() == 0


def test_missing_exercise_page_falls_back_to_tools():
    article = dataclasses.replace(ARTICLES[0], related_name="not_installed", related_args=())
    assert related_link(article) == ("/tools/", "Go to your tools")
