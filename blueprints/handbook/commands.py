"""`flask handbook import DIR` and `flask news import-feed URL_OR_FILE`; both are idempotent."""

from __future__ import annotations

import calendar
import re
import urllib.request
from datetime import datetime
from pathlib import Path

import click
import feedparser
from flask.cli import AppGroup
from sqlalchemy import select

from blueprints.handbook.markup import html_to_text
from blueprints.handbook.models import Article, Kind, Revision, Status
from blueprints.handbook.services import parse_front_matter, root_unit, save_text
from core.extensions import db
from core.models import utcnow
from core.text import clean

handbook_cli = AppGroup("handbook", help="Sổ tay: nhập chương từ tệp Markdown.")
news_cli = AppGroup("news", help="Tin tức: liên thông với cổng thông tin.")

_CHAPTER_FILE = re.compile(r"^\d{2,3}-[a-z0-9-]+\.md$")
MAX_FEED_BYTES = 5 * 1024 * 1024


def parse_chapter(text: str) -> tuple[dict[str, str], str]:
    """Split a chapter file into its front matter (simple `key: value` lines) and body."""
    meta, body = parse_front_matter(text)
    for key in ("title", "slug", "order"):
        if not meta.get(key):
            raise ValueError(f"front matter lacks {key}")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", meta["slug"]):
        raise ValueError(f"bad slug {meta['slug']!r}")
    int(meta["order"])
    return meta, body


def _edited_in_app(article: Article) -> bool:
    """True when an editor saved the chapter after it was imported (its last revision has an
    author), so re-running the import (every `make run`) never overwrites their work."""
    last = db.session.scalar(
        select(Revision).where(Revision.article_id == article.id).order_by(Revision.number.desc())
    )
    return last is not None and last.author_id is not None


def import_chapters(directory: Path) -> dict[str, int]:
    """Create or update the chapters of `directory`; unchanged ones, and ones the editorial
    board has changed in the app since, are left alone."""
    root = root_unit()
    if root is None:
        raise click.ClickException("Chưa có đơn vị nào: hãy tạo cây đơn vị (flask seed-demo).")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "kept": 0}
    files = sorted(p for p in directory.iterdir() if _CHAPTER_FILE.match(p.name))
    parsed = []
    for path in files:  # validate everything first: nothing is half-imported
        try:
            parsed.append(parse_chapter(path.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as error:
            raise click.ClickException(f"{path.name}: {error}") from error
    for meta, body in parsed:
        article = db.session.scalar(select(Article).where(Article.slug == meta["slug"]))
        title, summary, order = meta["title"], meta.get("summary", ""), int(meta["order"])
        if article is None:
            article = Article(
                kind=Kind.CHAPTER,
                status=Status.PUBLISHED,
                unit_id=root.id,
                slug=meta["slug"],
                position=order,
                published_at=utcnow(),
            )
            save_text(article, None, "Nhập từ tệp", title=title, summary=summary, body=body)
            counts["created"] += 1
        elif _edited_in_app(article):
            counts["kept"] += 1  # the editorial board's version wins over the file
        elif (article.title, article.summary, article.body, article.position) != (
            title,
            summary,
            body,
            order,
        ):
            article.position = order
            save_text(article, None, "Cập nhật từ tệp", title=title, summary=summary, body=body)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    db.session.commit()
    return counts


@handbook_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_command(directory: Path) -> None:
    """Load chapters from NN-slug.md files with front matter (safe to run again)."""
    counts = import_chapters(directory)
    click.echo(
        f"Chương mới: {counts['created']}, cập nhật: {counts['updated']}, "
        f"không đổi: {counts['unchanged']}, giữ bản Ban Biên tập đã sửa: {counts['kept']}"
    )


def _read_feed(source: str) -> bytes:
    if re.match(r"^https?://", source):
        # Only http(s) reaches here (checked above), never file: or custom schemes.
        request = urllib.request.Request(source, headers={"User-Agent": "sotay-dangvien/1.0"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            data = response.read(MAX_FEED_BYTES + 1)
    else:
        path = Path(source)
        if not path.is_file():
            raise click.ClickException(f"Không tìm thấy tệp {source}")
        data = path.read_bytes()[: MAX_FEED_BYTES + 1]
    if len(data) > MAX_FEED_BYTES:
        raise click.ClickException("Nguồn tin quá lớn (hơn 5 MB).")
    return data


def _entry_time(entry) -> datetime:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return datetime.utcfromtimestamp(calendar.timegm(value))
    return utcnow()


def import_feed(data: bytes) -> dict[str, int]:
    """Import the entries of an RSS or Atom document as province-wide published news."""
    feed = feedparser.parse(data)
    if feed.bozo and not feed.entries:
        raise click.ClickException("Không đọc được nguồn tin (không phải RSS hoặc Atom hợp lệ).")
    root = root_unit()
    if root is None:
        raise click.ClickException("Chưa có đơn vị nào: hãy tạo cây đơn vị trước.")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    seen: set[str] = set()
    for entry in feed.entries:
        external_id = clean(entry.get("id") or entry.get("link") or "")[:500]
        title = clean(html_to_text(entry.get("title", "")))[:300]
        if not external_id or not title or external_id in seen:
            counts["skipped"] += 1
            continue
        seen.add(external_id)
        html = ""
        if entry.get("content"):
            html = entry.content[0].get("value", "")
        html = html or entry.get("summary", "")
        text = html_to_text(html)
        summary = clean(html_to_text(entry.get("summary", "")))[:1000]
        link = entry.get("link", "")
        link = link if re.match(r"^https?://", link or "") else ""
        body = text.replace("\n", "\n\n")
        if link:
            body += f"\n\nNguồn: <{link}>"
        article = db.session.scalar(select(Article).where(Article.external_id == external_id))
        if article is None:
            article = Article(
                kind=Kind.NEWS,
                status=Status.PUBLISHED,
                unit_id=root.id,
                category="tin-tuc",
                external_id=external_id,
                source_url=link[:1000],
                published_at=_entry_time(entry),
            )
            note = "Nhập từ cổng thông tin"
            save_text(article, None, note, title=title, summary=summary, body=body)
            counts["created"] += 1
        elif (article.title, article.summary, article.body) != (title, summary, body):
            article.source_url = link[:1000] or article.source_url  # keep the portal's link
            note = "Cập nhật từ cổng thông tin"
            save_text(article, None, note, title=title, summary=summary, body=body)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    db.session.commit()
    return counts


@news_cli.command("import-feed")
@click.argument("source")
def import_feed_command(source: str) -> None:
    """Import news from an RSS/Atom URL or file (entries already imported are not duplicated)."""
    counts = import_feed(_read_feed(source))
    click.echo(
        f"Tin mới: {counts['created']}, cập nhật: {counts['updated']}, "
        f"không đổi: {counts['unchanged']}, bỏ qua: {counts['skipped']}"
    )
