"""The psychoeducation library and exercise scripts: Markdown files in the repo, rendered safely.

A pure module: no ORM, no Django. Articles live in `content/articles/<slug>.md`, each starting
with front matter between two `---` lines:

    ---
    title: The CBT triangle
    summary: How thoughts, feelings and actions feed each other.
    reading_minutes: 3
    related: thought_record_list | Try a thought record
    order: 1
    ---

`related` is a URL name (optionally followed by its arguments, separated by spaces), a `|`, and
the label of the link that ends the article. Markdown is rendered with `markdown` and then
sanitised with `nh3` against an allow-list, so no raw HTML from a file reaches a page unsanitised.
Files are read and rendered once, at first use.

Exercise scripts (`content/pmr.md`, `content/grounding.md`) use the same front matter (title
only) and one `## Heading` per step.

`flesch_kincaid_grade` estimates the reading level of an article (tests keep every article at
grade 9 or below).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import markdown
import nh3

CONTENT_DIR = Path(__file__).resolve().parent / "content"
ARTICLES_DIR = CONTENT_DIR / "articles"
WORDS_PER_MINUTE = 200
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REQUIRED_KEYS = ("title", "summary", "reading_minutes", "related")

ALLOWED_TAGS = {
    "p",
    "h2",
    "h3",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "blockquote",
    "br",
    "hr",
}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"https", "mailto", "tel"}


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the problem."""


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    summary: str
    reading_minutes: int
    related_name: str
    related_args: tuple[str, ...]
    related_label: str
    order: int
    body: str  # the Markdown source, without front matter
    html: str  # sanitised HTML of the body

    @property
    def word_count(self) -> int:
        return len(words(plain_text(self.body)))


@dataclass(frozen=True)
class Step:
    title: str
    html: str


@dataclass(frozen=True)
class Script:
    title: str
    intro_html: str
    steps: tuple[Step, ...] = field(default_factory=tuple)


# --- rendering -----------------------------------------------------------------------------------
def render_markdown(text: str) -> str:
    """Markdown to HTML, then sanitised: only ALLOWED_TAGS survive, scripts lose their content."""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def split_front_matter(text: str, *, source: str = "content") -> tuple[dict[str, str], str]:
    """(front matter as a dict of strings, body). Front matter is `key: value` lines."""
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(f"{source}: front matter must start with a line '---'.")
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(f"{source}: front matter has no closing '---'.") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ContentError(f"{source}, line {number}: expected 'key: value'.")
        meta[key.strip()] = value.strip()
    return meta, "\n".join(lines[end + 1 :]).strip() + "\n"


def parse_article(text: str, *, slug: str) -> Article:
    source = f"article {slug!r}"
    if not SLUG_RE.match(slug) or len(slug) > 80:
        raise ContentError(f"{source}: file names are lowercase words joined by hyphens.")
    meta, body = split_front_matter(text, source=source)
    missing = [key for key in REQUIRED_KEYS if not meta.get(key)]
    if missing:
        raise ContentError(f"{source}: front matter is missing {', '.join(missing)}.")
    try:
        reading_minutes = int(meta["reading_minutes"])
        order = int(meta.get("order", "1000"))
    except ValueError:
        raise ContentError(f"{source}: reading_minutes and order are whole numbers.") from None
    target, sep, label = meta["related"].partition("|")
    target_parts = target.split()
    if not sep or not target_parts or not label.strip():
        raise ContentError(f"{source}: related is 'url_name [args] | Link label'.")
    return Article(
        slug=slug,
        title=meta["title"],
        summary=meta["summary"],
        reading_minutes=reading_minutes,
        related_name=target_parts[0],
        related_args=tuple(target_parts[1:]),
        related_label=label.strip(),
        order=order,
        body=body,
        html=render_markdown(body),
    )


def load_articles(directory: Path = ARTICLES_DIR) -> tuple[Article, ...]:
    """Every article in `directory`, in reading order (front matter `order`, then title)."""
    loaded = [
        parse_article(path.read_text(encoding="utf-8"), slug=path.stem)
        for path in sorted(directory.glob("*.md"))
    ]
    return tuple(sorted(loaded, key=lambda a: (a.order, a.title)))


@functools.cache
def articles() -> tuple[Article, ...]:
    """The shipped articles, read and rendered once per process."""
    return load_articles()


@functools.cache
def _articles_by_slug() -> dict[str, Article]:
    return {a.slug: a for a in articles()}


def article_get(slug: str) -> Article | None:
    return _articles_by_slug().get(slug)


def parse_script(text: str, *, source: str = "script") -> Script:
    meta, body = split_front_matter(text, source=source)
    if not meta.get("title"):
        raise ContentError(f"{source}: front matter is missing title.")
    parts = re.split(r"^## +(.+?)\s*$", body, flags=re.MULTILINE)
    intro, rest = parts[0], parts[1:]
    steps = tuple(
        Step(title=rest[i].strip(), html=render_markdown(rest[i + 1]))
        for i in range(0, len(rest), 2)
    )
    if not steps:
        raise ContentError(f"{source}: a script needs at least one '## Step' heading.")
    return Script(title=meta["title"], intro_html=render_markdown(intro), steps=steps)


@functools.cache
def script(name: str) -> Script:
    """A shipped exercise script by name (`pmr`, `grounding`), read once per process."""
    if name not in {"pmr", "grounding"}:
        raise KeyError(name)
    path = CONTENT_DIR / f"{name}.md"
    return parse_script(path.read_text(encoding="utf-8"), source=path.name)


# --- reading level -------------------------------------------------------------------------------
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_LINE_MARKUP = re.compile(r"^\s*(?:#{1,6}\s+|[-*+]\s+|\d+[.)]\s+|>\s*)")
_QUOTES = "\"'\u201d\u2019)"  # closing quotes and brackets that may follow a full stop
_SENTENCE_END = re.compile(r"[.!?]+(?=[\s" + _QUOTES + r"]|$)")
_WORD = re.compile("[A-Za-z0-9][A-Za-z0-9'\u2019-]*")


def plain_text(md: str) -> str:
    """The words of a Markdown body as sentences: markup removed, and headings and list items
    that end without punctuation closed with a full stop (they are read as units)."""
    out: list[str] = []
    for raw in md.splitlines():
        line = _LINK.sub(r"\1", raw)
        line = _LINE_MARKUP.sub("", line)
        line = re.sub(r"[*_`]+", "", line).strip()
        if not line:
            continue
        if not re.search(r"[.!?:;][" + _QUOTES + r"]*$", line):
            line += "."
        out.append(line)
    return " ".join(out).replace(":", ".").replace(";", ".")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    return max(1, len(_SENTENCE_END.findall(text)))


def syllables(word: str) -> int:
    """A small heuristic: groups of vowels, less a silent final e or -ed/-es (but -es after a
    hissing sound and -ed after t or d are spoken); at least 1.

    Numbers count one syllable per digit group. Hyphenated words are the sum of their parts.
    """
    if "-" in word.strip("-"):
        return sum(syllables(part) for part in word.split("-") if part)
    w = word.lower().replace("\u2019", "'")
    if re.fullmatch(r"[0-9]+", w):
        return 1
    w = re.sub(r"'s$|'[a-z]+$", "", w)  # possessives and contractions add no syllable
    w = re.sub(r"[^a-z]", "", w)
    if not w:
        return 1
    if len(w) <= 3:
        return 1
    extra = 1 if re.search(r"(?:[sxz]|[cs]h|[cg])es$|[td]ed$", w) else 0  # boxes, wanted
    w = re.sub(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)) + extra)


def flesch_kincaid_grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 (words/sentences) + 11.8 (syllables/words) - 15.59."""
    found = words(text)
    if not found:
        return 0.0
    total_syllables = sum(syllables(w) for w in found)
    return (
        0.39 * (len(found) / sentence_count(text)) + 11.8 * (total_syllables / len(found)) - 15.59
    )


def expected_reading_minutes(word_count: int) -> int:
    """Minutes at about 200 words a minute, rounded up (never less than 1)."""
    return max(1, math.ceil(word_count / WORDS_PER_MINUTE))
