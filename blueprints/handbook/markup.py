"""Markdown → safe HTML, on the server: editors never get raw HTML through to readers.

`markdown` renders, then `nh3` (the Rust `ammonia` sanitiser) keeps only an allow-list of
tags and attributes: scripts, event handlers, `style`, iframes and `javascript:` links go.
Headings get stable, diacritic-free anchors ("muc-...") used by the table of contents, the
reading position and the search results.
"""

from __future__ import annotations

import re

import markdown
import nh3
from markupsafe import Markup, escape

from core.text import clean_multiline, fold

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "s", "del", "ins",
    "blockquote", "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td",
    "code", "pre", "sup", "sub", "abbr", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "h2": {"id"},
    "h3": {"id"},
    "th": {"align"},
    "td": {"align"},
    "abbr": {"title"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAGS = re.compile(r"<[^>]+>")
# Inline tags sit inside words and sentences: removed without a space, so "<b>Đảng</b>," stays
# "Đảng," and not "Đảng ," in snippets and in what is read aloud.
_INLINE_TAGS = re.compile(r"</?(?:a|abbr|b|code|em|i|mark|small|span|strong|sub|sup|u)\b[^>]*>")
_HEADING = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)


def anchor_for(heading: str) -> str:
    """Stable anchor of a heading: "Đảng phí" → "muc-dang-phi"."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(heading)).strip("-")[:60]
    return "muc-" + (slug or "phan")


def _slugify(value: str, separator: str) -> str:
    return anchor_for(value)


def sanitise(html: str) -> str:
    """Keep only the allowed tags and attributes; links get rel=noopener noreferrer."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def render_markdown(source: str) -> str:
    """Markdown source → sanitised HTML (raw HTML in the source is escaped, then sanitised)."""
    md = markdown.Markdown(
        extensions=["tables", "sane_lists", "toc"],
        extension_configs={"toc": {"slugify": _slugify, "toc_depth": "2-3"}},
        output_format="html",
    )
    # Escape raw HTML rather than passing it through: editors write Markdown only.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return sanitise(md.convert(clean_multiline(source)))


def outline_of(html: str) -> list[list[str]]:
    """[[anchor, heading text], …] of the second-level headings of rendered HTML."""
    return [[a, plain_text(t)] for a, t in _HEADING.findall(html)]


def plain_text(html: str) -> str:
    """Text content of sanitised HTML, paragraphs on their own lines (for snippets and speech)."""
    text = re.sub(r"</(p|h[1-6]|li|tr|blockquote)>", "\n", html)
    text = _INLINE_TAGS.sub("", text)
    text = _TAGS.sub(" ", text)
    text = (
        text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", '"')
        .replace("&#39;", "'")
        .replace("&amp;", "&")
    )
    return clean_multiline(text)


def html_to_text(html: str) -> str:
    """Text of untrusted HTML (feed entries): every tag removed by the sanitiser first."""
    return plain_text(nh3.clean(html or "", tags={"p", "li", "br"}, attributes={}))


def safe(html: str) -> Markup:
    """Mark stored, already sanitised HTML as safe for templates."""
    return Markup(html)  # noqa: S704 - stored HTML went through `sanitise` when saved


__all__ = ["anchor_for", "escape", "outline_of", "plain_text", "render_markdown", "sanitise"]
