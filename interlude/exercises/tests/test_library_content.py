"""The shipped articles and scripts: front matter, links, length, reading level, safe HTML.

Pure tests of exercises/library.py (no database), plus URL resolution of each article's link.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from interlude.exercises import library
from interlude.exercises.library import (
    ContentError,
    expected_reading_minutes,
    flesch_kincaid_grade,
    parse_article,
    parse_script,
    plain_text,
    render_markdown,
    sentence_count,
    syllables,
    words,
)

ARTICLES = library.articles()
TOPICS = {
    "cbt-triangle",
    "anxiety-and-avoidance",
    "depression-and-activation",
    "thinking-traps",
    "worry-time",
    "sleep-habits",
    "breathing-and-the-body",
    "grounding",
    "exposure",
    "self-compassion",
    "relapse-prevention",
    "using-interlude-with-your-therapist",
}


def _ids(articles):
    return [a.slug for a in articles]


def test_the_library_has_at_least_12_articles_covering_every_topic():
    slugs = {a.slug for a in ARTICLES}
    assert len(ARTICLES) >= 12
    assert slugs >= TOPICS


def test_articles_are_in_reading_order_with_unique_orders():
    orders = [a.order for a in ARTICLES]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)


@pytest.mark.parametrize("article", ARTICLES, ids=_ids(ARTICLES))
def test_front_matter_is_complete(article):
    assert 0 < len(article.title) <= 80
    assert 20 <= len(article.summary) <= 160
    assert article.summary.endswith(".")
    assert article.related_name
    assert article.related_label
    assert article.reading_minutes == expected_reading_minutes(article.word_count)


@pytest.mark.parametrize("article", ARTICLES, ids=_ids(ARTICLES))
def test_each_article_links_to_an_existing_exercise(article):
    # Raises NoReverseMatch if the exercise's URL name (and arguments) do not exist.
    assert reverse(article.related_name, args=article.related_args).startswith("/")


@pytest.mark.parametrize("article", ARTICLES, ids=_ids(ARTICLES))
def test_each_article_is_250_to_700_words(article):
    assert 250 <= article.word_count <= 700


@pytest.mark.parametrize("article", ARTICLES, ids=_ids(ARTICLES))
def test_each_article_reads_at_grade_9_or_below(article):
    grade = flesch_kincaid_grade(plain_text(article.body))
    assert grade <= 9, f"{article.slug} reads at grade {grade:.1f}"


@pytest.mark.parametrize("article", ARTICLES, ids=_ids(ARTICLES))
def test_each_article_speaks_to_you_and_ends_pointing_to_its_exercise(article):
    text = plain_text(article.body).lower()
    assert text.count("you") >= 10  # second person
    assert article.body.rstrip().endswith("below.")  # "...You can try it below."
    assert "<" not in article.body  # plain Markdown only: no raw HTML in our own files


def test_how_to_use_article_says_it_is_not_an_emergency_service():
    article = library.article_get("using-interlude-with-your-therapist")
    assert article is not None
    text = plain_text(article.body)
    assert "Interlude is not an emergency service. No one watches it around the clock." in text
    assert "they stay private unless you choose to share them, one at a time." in text
    assert "You decide what your therapist can see." not in text
    assert '"Need help now?" page' in text
    assert article.related_name == "crisis"


@pytest.mark.parametrize("name", ["pmr", "grounding"])
def test_exercise_scripts_load(name):
    script = library.script(name)
    assert script.title
    assert script.intro_html.startswith("<p>")
    for step in script.steps:
        assert step.title and step.html


def test_muscle_relaxation_has_12_muscle_groups_then_a_rest():
    steps = [s.title for s in library.script("pmr").steps]
    assert len(steps) == 13
    assert steps[-1] == "Whole body"


def test_grounding_goes_through_the_five_senses_in_order():
    assert [s.title for s in library.script("grounding").steps] == [
        "5 things you can see",
        "4 things you can touch or feel",
        "3 things you can hear",
        "2 things you can smell",
        "1 thing you can taste",
    ]


# --- sanitising ----------------------------------------------------------------------------------
HOSTILE = """\
---
title: Test
summary: A hostile test file for the sanitiser.
reading_minutes: 1
related: pmr | Go
---

Hello <script>alert("x")</script> there.

<p onclick="steal()">Click me</p>

<img src="x" onerror="steal()">

[a link](javascript:alert(1)) and [another](https://example.org/) and [inside](/tools/)

<iframe src="https://example.org"></iframe><style>body{display:none}</style>

## A heading

- **bold** and *italic*
"""


def test_article_html_is_sanitised():
    html = parse_article(HOSTILE, slug="hostile").html

    assert "<script" not in html
    assert "alert(" not in html
    assert "onclick" not in html
    assert "onerror" not in html
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<style" not in html
    assert "display:none" not in html
    assert "javascript:" not in html
    assert "<p>Click me</p>" in html
    assert '<a href="https://example.org/" rel="noopener noreferrer">another</a>' in html
    assert '<a href="/tools/" rel="noopener noreferrer">inside</a>' in html
    assert "<h2>A heading</h2>" in html
    assert "<li><strong>bold</strong> and <em>italic</em></li>" in html


def test_render_markdown_keeps_only_allowed_tags():
    assert render_markdown('<div class="x" style="color:red">Hi</div>') == "Hi"
    assert render_markdown("<b onmouseover=x()>Hi</b>") == "<p>Hi</p>"


# --- front matter errors ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("No front matter\n", "front matter must start"),
        ("---\ntitle: x\n", "no closing '---'"),
        ("---\ntitle: T\nsummary: S\nreading_minutes: 1\n---\nBody\n", "missing related"),
        (
            "---\ntitle: T\nsummary: S\nreading_minutes: one\nrelated: pmr | Go\n---\nB\n",
            "whole numbers",
        ),
        ("---\ntitle: T\nsummary: S\nreading_minutes: 1\nrelated: pmr\n---\nB\n", "related is"),
        ("---\njust text\n---\nB\n", "expected 'key: value'"),
    ],
)
def test_malformed_articles_are_refused_with_a_reason(text, problem):
    with pytest.raises(ContentError, match=problem):
        parse_article(text, slug="broken")


def test_related_may_carry_url_arguments():
    article = parse_article(
        "---\ntitle: T\nsummary: S\nreading_minutes: 1\nrelated: breathing box | Try it\n---\nB\n",
        slug="with-args",
    )
    assert (article.related_name, article.related_args, article.related_label) == (
        "breathing",
        ("box",),
        "Try it",
    )


def test_bad_slug_is_refused():
    with pytest.raises(ContentError, match="lowercase words"):
        parse_article(HOSTILE, slug="Bad_Name")


def test_script_needs_steps():
    with pytest.raises(ContentError, match="at least one"):
        parse_script("---\ntitle: T\n---\nNo steps here.\n")


def test_load_articles_reads_a_directory(tmp_path: Path):
    (tmp_path / "b-second.md").write_text(HOSTILE.replace("title: Test", "title: B\norder: 2"))
    (tmp_path / "a-first.md").write_text(HOSTILE.replace("title: Test", "title: A\norder: 3"))

    loaded = library.load_articles(tmp_path)

    assert [a.slug for a in loaded] == ["b-second", "a-first"]


# --- reading level -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("word", "count"),
    [
        ("the", 1),
        ("cat", 1),
        ("breathe", 1),
        ("made", 1),
        ("simple", 2),
        ("people", 2),
        ("feelings", 2),
        ("wanted", 2),
        ("boxes", 2),
        ("therapy", 3),
        ("exposure", 3),
        ("relaxation", 4),
        ("activity", 4),
        ("you're", 1),
        ("4-7-8", 3),
        ("self-compassion", 4),
    ],
)
def test_syllable_heuristic(word, count):
    assert syllables(word) == count


def test_plain_text_closes_headings_and_list_items_as_sentences():
    text = plain_text("## A heading\n\n- first item\n- second item.\n\nA [link](/x/) here.\n")
    assert text == "A heading. first item. second item. A link here."
    assert sentence_count(text) == 4
    assert words(text) == ["A", "heading", "first", "item", "second", "item", "A", "link", "here"]


def test_flesch_kincaid_grade_of_known_sentences():
    # 6 words, 1 sentence, 6 syllables: 0.39 * 6 + 11.8 * 1 - 15.59 = -1.45
    assert flesch_kincaid_grade("The cat sat on the mat.") == pytest.approx(-1.45)
    # 8 words, 1 sentence, 3+3+4+4+2+4+3+3 = 26 syllables: 0.39 * 8 + 11.8 * 26 / 8 - 15.59
    hard = "Cognitive therapy emphasises relationships between automatic physical sensations."
    assert [syllables(w) for w in words(hard)] == [3, 3, 4, 4, 2, 4, 3, 3]
    assert flesch_kincaid_grade(hard) == pytest.approx(25.88)
    assert flesch_kincaid_grade("") == 0.0


@pytest.mark.parametrize(
    ("count", "minutes"), [(0, 1), (199, 1), (200, 1), (201, 2), (600, 3), (601, 4)]
)
def test_reading_minutes_at_200_words_a_minute(count, minutes):
    assert expected_reading_minutes(count) == minutes
