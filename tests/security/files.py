"""Sample files for the upload tests: real documents of each allowed kind and attack files."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from blueprints.handbook.models import Attachment, Kind
from blueprints.meetings.models import Document, Minutes
from blueprints.roster.models import ImportJob
from core.extensions import db
from tests.browser.content import add_meeting
from tests.handbook.helpers import make_article


def pdf() -> bytes:
    """A real one-page PDF."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def docx() -> bytes:
    """A real Word document (python-docx)."""
    import docx as python_docx

    document = python_docx.Document()
    document.add_paragraph("Nghị quyết chi bộ")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx() -> bytes:
    """A real Excel workbook (openpyxl)."""
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def _zip(entries: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return out.getvalue()


def odt() -> bytes:
    """An OpenDocument text: "mimetype" first and stored, as the format requires."""
    return _zip(
        [
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office:document-content/>"),
        ],
        stored_first=True,
    )


def docm() -> bytes:
    """A macro-enabled Word document (declares itself so, and carries a VBA project)."""
    types = (
        b'<Types><Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
    )
    return _zip(
        [
            ("[Content_Types].xml", types),
            ("word/document.xml", b"<w/>"),
            ("word/vbaProject.bin", b"x"),
        ]
    )


OLE2_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512
HTML_ZIP = _zip([("index.html", b"<script>alert(1)</script>")])

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# name, claimed content type, bytes: each must be refused.
ATTACKS = [
    ("quyen.js", "text/javascript", b"fetch('/admin/roles', {method: 'POST'})"),
    ("thong-bao.html", "text/html", b'<html><script src="/meetings/2/documents/5"></script>'),
    (
        "logo.svg",
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    (
        "trang.xhtml",
        "application/xhtml+xml",
        b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    ),
    (
        "du-lieu.xml",
        "text/xml",
        b'<?xml version="1.0"?><a xmlns:h="http://www.w3.org/1999/xhtml"/>',
    ),
    ("nghi-quyet.pdf", "application/pdf", b"<html><script>alert(document.cookie)</script></html>"),
    ("bao-cao.docx", DOCX_TYPE, HTML_ZIP),
    ("cu.doc", "application/msword", OLE2_DOC),
    ("macro.docm", DOCX_TYPE, docm()),
]


def seed_files(app, world) -> dict:
    """One of every kind of stored file: meeting documents (one stored before uploads were
    checked, with a claimed HTML type), minutes, a published document with a PDF and an
    image, and an import job with a rejected row."""
    ids = add_meeting(app, world, ongoing=False)
    with app.app_context():
        meeting_id = ids["meeting"]
        item_id = db.session.scalar(db.select(Document.item_id).where(Document.id == ids["doc"]))
        legacy = Document(
            meeting_id=meeting_id,
            item_id=item_id,
            filename="trang-doc.html",
            content_type="text/html",
            data=b"<script>fetch('/admin/roles', {method: 'POST'})</script>",
            size=60,
        )
        word = Document(
            meeting_id=meeting_id,
            item_id=item_id,
            filename="Báo cáo chính trị.docx",
            content_type="text/html",  # claimed wrongly: served by its bytes
            data=docx(),
            size=1,
        )
        db.session.add_all([legacy, word, Minutes(meeting_id=meeting_id, body="Biên bản.")])
        db.session.commit()
        ids |= {"legacy": legacy.id, "word": word.id}
    with app.app_context():
        ids["article"] = make_article(
            world.units["P"], "Hướng dẫn 12", "Văn bản.", kind=Kind.DOCUMENT, doc_number="12-HD"
        )
        files = []
        for name, data, kind in (
            ("Hướng dẫn.pdf", pdf(), "application/pdf"),
            ("anh.png", png(), "image/png"),
        ):
            files.append(
                Attachment(
                    article_id=ids["article"],
                    filename=name,
                    content_type=kind,
                    size=len(data),
                    sha256="0" * 64,
                    data=data,
                )
            )
        job = ImportJob(
            kind="members",
            unit_id=world.units["A"],
            status="done",
            rejected=[{"row": 2, "card": "=1+1", "name": "X", "reasons": []}],
        )
        db.session.add_all([*files, job])
        db.session.commit()
        ids |= {"pdf": files[0].id, "png": files[1].id, "job": job.id}
    return ids


def sample_values(ids: dict, world, *, unit: str, other_docs: list[int]) -> dict:
    """Values for every URL parameter of the app, so a sweep over `app.url_map` can build a URL
    for each GET route from the objects `seed_files` made."""
    return {
        "meeting_id": ids["meeting"],
        "doc_id": ids["doc"],
        "other_docs": other_docs,
        "attachment_id": ids["pdf"],
        "png": ids["png"],
        "filename": "tep.pdf",
        "article_id": ids["article"],
        "unit_id": world.units[unit],
        "member_id": world.members["mem_a"],
        "job_id": ids["job"],
        "kind": "members",
        "fmt": "pdf",
        "name": "member",
        "slug": "khong-co",
    }
