"""Markdown → safe HTML, on the server: editors never get raw HTML through to readers.

`markdown` renders, then `nh3` (the Rust `ammonia` sanitiser) keeps only an allow-list of
tags and attributes: scripts, event handlers, `style`, iframes and `javascript:` links go.
Headings get stable, diacritic-free anchors ("muc-...") used by the table of contents, the
reading position and the search results.

Python-Markdown is not linear on every input: each "[" scans ahead for its "]" (and a link's
"(" for its ")"), so "[" * 100.000 + "]" * 100.000 took minutes. Every source is therefore
bounded before rendering (`markdown_problem`): at most MAX_CHARS characters, a budget on that
bracket scanning computed in one pass, a limit on nested quotes, and a CPU-time render
deadline where the process can enforce one (a sync worker's main thread). A refused source
gets a Vietnamese reason that says what to change.
"""

from __future__ import annotations

import re
import signal
import threading
from contextlib import contextmanager

import markdown
import nh3
from flask import g, has_request_context
from flask_babel import gettext as _
from markupsafe import Markup, escape

from core.i18n import fmt_number
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


MAX_CHARS = 100_000  # about 15 printed pages; a longer text goes in a PDF attachment
# Characters that Python-Markdown's bracket matching may walk over, summed over every "[" and
# "(" (each walks to its partner or to the end of its paragraph): ~0,3 µs a step.
MAX_BRACKET_STEPS = 1_000_000
MAX_QUOTE_DEPTH = 20
# CPU seconds, not wall time: on a busy server (the common meeting day) ordinary text must not be
# refused because the worker waited for a core. The checks above already stop the known blowups;
# this is the backstop for the ones nobody has found yet.
RENDER_CPU_SECONDS = 2.0
_BLOCKS = re.compile(r"\n[ \t]*\n")
_QUOTES = re.compile(r"^(?:[ \t]*>){" + str(MAX_QUOTE_DEPTH + 1) + "}", re.M)


class MarkdownRefusedError(ValueError):
    """The source is too long or too convoluted to render; `str()` is the user's reason."""


def _bracket_steps(source: str) -> int:
    """What the link parser's bracket scanning will cost, in characters walked (one pass)."""
    steps = 0
    for block in _BLOCKS.split(source):
        opened: dict[str, list[int]] = {"[": [], "(": []}
        for match in re.finditer(r"[\[\]()]", block):
            char, at = match.group(), match.start()
            if char in opened:
                opened[char].append(at)
            else:
                stack = opened["[" if char == "]" else "("]
                if stack:
                    steps += at - stack.pop()
        steps += sum(len(block) - at for stack in opened.values() for at in stack)
        if steps > MAX_BRACKET_STEPS:
            break
    return steps


def markdown_problem(source: str) -> str | None:
    """Why `source` will not be rendered (a Vietnamese sentence), or None when it is fine."""
    if len(source) > MAX_CHARS:
        limit = fmt_number(MAX_CHARS)
        return _(
            "Nội dung dài quá %(max)s ký tự. Đồng chí hãy chia thành nhiều bài, hoặc đính kèm "
            "toàn văn dưới dạng tệp PDF.",
            max=limit,
        )
    if _bracket_steps(source) > MAX_BRACKET_STEPS:
        return _(
            "Nội dung có quá nhiều dấu ngoặc [ ] hoặc ( ) lồng nhau hay chưa đóng. Đồng chí hãy "
            "kiểm tra lại các liên kết và dấu ngoặc rồi lưu lại."
        )
    if _QUOTES.search(source):
        return _(
            "Nội dung có trích dẫn (dấu >) lồng nhau quá %(n)s tầng. Đồng chí hãy bớt dấu > ở "
            "đầu dòng rồi lưu lại.",
            n=MAX_QUOTE_DEPTH,
        )
    return None


def _too_slow(signum, frame):
    raise TimeoutError


@contextmanager
def _deadline(seconds: float):
    """Interrupt the block after `seconds` of the process's CPU time (SIGPROF; only possible
    in the main thread)."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGPROF, _too_slow)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


def render_markdown(source: str) -> str:
    """Markdown source → sanitised HTML; raises MarkdownRefusedError for sources that are
    too long or convoluted (see the module docstring). Cached for the request, so a form
    validated with `SafeMarkdown` is not rendered twice."""
    problem = markdown_problem(source)
    if problem:
        raise MarkdownRefusedError(problem)
    cache = g.setdefault("_rendered_markdown", {}) if has_request_context() else {}
    if source not in cache:
        try:
            with _deadline(RENDER_CPU_SECONDS):
                cache[source] = _render(source)
        except TimeoutError:
            raise MarkdownRefusedError(
                _(
                    "Nội dung quá phức tạp để hiển thị kịp. Đồng chí hãy chia thành nhiều bài "
                    "ngắn hơn hoặc bớt định dạng lồng nhau; nếu vẫn không được, xin liên hệ "
                    "quản trị hệ thống."
                )
            ) from None
    return cache[source]


def _render(source: str) -> str:
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


class SafeMarkdown:
    """WTForms validator: the field's Markdown renders (within the limits above); otherwise
    the reason is shown next to the field."""

    def __init__(self) -> None:
        self.field_flags: dict = {}

    def __call__(self, form, field) -> None:
        from wtforms.validators import ValidationError

        try:
            render_markdown(field.data or "")
        except MarkdownRefusedError as error:
            raise ValidationError(str(error)) from None


__all__ = [
    "MAX_CHARS",
    "MarkdownRefusedError",
    "SafeMarkdown",
    "anchor_for",
    "escape",
    "markdown_problem",
    "outline_of",
    "plain_text",
    "render_markdown",
    "sanitise",
]
