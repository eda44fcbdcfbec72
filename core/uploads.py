"""The one way files come in and go out: type from the bytes, an allow-list, size limits, and
one response helper that serves every user file with the same protective headers.

Anyone may upload whatever bytes they like, and the browser's claimed type (or the file's name)
says nothing about what the bytes are. So the type is decided here from the content (magic
numbers; for ZIP-based office files, from the container's own type declaration), against a
short allow-list: PDF, raster images, OOXML and OpenDocument files. HTML, SVG, XML, scripts,
macro-enabled or legacy (OLE2) office files and anything unknown are refused. Serving re-sniffs
the stored bytes, so a row stored before this check with a wrong claimed type is still served
under its true type (or as an opaque download), never as HTML from the app's origin.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app, request
from flask_babel import LazyString
from flask_babel import gettext as _
from wtforms.validators import ValidationError

from core.text import fold

# Applied to every file response: no scripts, no plugins, no same-origin access, even if a
# browser decided to render the bytes as a document.
FILE_CSP = "sandbox; default-src 'none'"
DEFAULT_MAX_BYTES = 15 * 1024 * 1024
DEFAULT_MAX_IMAGE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    """One accepted file type: its content type, extensions and whether it may open inline."""

    key: str
    content_type: str
    extensions: tuple[str, ...]
    label: str
    inline: bool = False  # PDF and raster images only: nothing that a browser runs
    image: bool = False


_OOXML = "application/vnd.openxmlformats-officedocument."
_ODF = "application/vnd.oasis.opendocument."
KINDS = {
    k.key: k
    for k in (
        FileKind("pdf", "application/pdf", (".pdf",), "PDF", inline=True),
        FileKind("png", "image/png", (".png",), "PNG", inline=True, image=True),
        FileKind("jpeg", "image/jpeg", (".jpg", ".jpeg"), "JPEG", inline=True, image=True),
        FileKind("gif", "image/gif", (".gif",), "GIF", inline=True, image=True),
        FileKind("webp", "image/webp", (".webp",), "WebP", inline=True, image=True),
        FileKind("docx", _OOXML + "wordprocessingml.document", (".docx",), "DOCX"),
        FileKind("xlsx", _OOXML + "spreadsheetml.sheet", (".xlsx",), "XLSX"),
        FileKind("pptx", _OOXML + "presentationml.presentation", (".pptx",), "PPTX"),
        FileKind("odt", _ODF + "text", (".odt",), "ODT"),
        FileKind("ods", _ODF + "spreadsheet", (".ods",), "ODS"),
        FileKind("odp", _ODF + "presentation", (".odp",), "ODP"),
    )
}
INLINE_TYPES = frozenset(k.content_type for k in KINDS.values() if k.inline)
IMAGES_AND_PDF = frozenset({"pdf", "png", "jpeg", "gif", "webp"})
DOCUMENTS = frozenset(KINDS)  # meeting documents: everything on the allow-list

# The main part of an OOXML package, as declared in its [Content_Types].xml. Macro-enabled
# variants (docm, xlsm, pptm) declare other types and so are not recognised.
_OOXML_MAIN = {
    _OOXML + "wordprocessingml.document.main+xml": "docx",
    _OOXML + "spreadsheetml.sheet.main+xml": "xlsx",
    _OOXML + "presentationml.presentation.main+xml": "pptx",
}
_ODF_TYPES = {kind.content_type: key for key, kind in KINDS.items() if key in ("odt", "ods", "odp")}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_ENTRIES_MAX = 5000  # real office files have tens to hundreds of parts
_ZIP_META_MAX = 1024 * 1024  # [Content_Types].xml above 1 MB is not an office file


class UploadRefusedError(ValueError):
    """The upload is not accepted; `str(error)` is the Vietnamese explanation for the user."""


def _sniff_zip(data: bytes) -> str | None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if not infos or len(infos) > _ZIP_ENTRIES_MAX:
            return None
        names = {info.filename for info in infos}
        # OpenDocument: the first entry is "mimetype", stored, holding the document's type.
        if infos[0].filename == "mimetype" and infos[0].file_size < 200:
            return _ODF_TYPES.get(archive.read("mimetype").decode("ascii", "replace").strip())
        types = archive.getinfo("[Content_Types].xml") if "[Content_Types].xml" in names else None
        if types is None or types.file_size > _ZIP_META_MAX:
            return None
        if any(name.lower().endswith("vbaproject.bin") for name in names):
            return None  # macros, whatever the package claims to be
        declared = archive.read(types).decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, RuntimeError, ValueError):
        return None
    found = {
        key
        for main, key in _OOXML_MAIN.items()
        if f'ContentType="{main}"' in declared or f"ContentType='{main}'" in declared
    }
    return found.pop() if len(found) == 1 else None


def sniff(data: bytes) -> FileKind | None:
    """The allowed kind the bytes really are, or None (unknown, markup, script, macro…)."""
    key = None
    if data.startswith(b"%PDF-"):
        key = "pdf"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        key = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        key = "jpeg"
    elif data[:6] in (b"GIF87a", b"GIF89a"):
        key = "gif"
    elif data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        key = "webp"
    elif data.startswith(b"PK\x03\x04"):
        key = _sniff_zip(data)
    return KINDS[key] if key else None


def _limit(kind: FileKind) -> int:
    config = current_app.config
    if kind.image:
        return int(config.get("UPLOAD_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES))
    return int(config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _megabytes(size: int) -> str:
    return str(max(1, round(size / (1024 * 1024))))


def allowed_labels(allowed: frozenset[str]) -> str:
    """The labels of a policy's kinds ("PDF, PNG, …"), in the allow-list's order."""
    return ", ".join(kind.label for key, kind in KINDS.items() if key in allowed)


def safe_filename(name: str | None, kind: FileKind | None = None) -> str:
    """A display name without paths or control characters, NFC, ≤ 200 characters, ending in
    the extension of its real type (so a PDF named "x.html" is saved as "x.html.pdf")."""
    name = unicodedata.normalize("NFC", str(name or ""))
    # Format characters (a right-to-left override can make "gpj.exe" look like "exe.jpg").
    name = "".join(ch for ch in name if unicodedata.category(ch) != "Cf")
    name = re.split(r"[/\\]", name)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"<>:|?*;]+", "_", name).strip(" .") or "tep"
    if kind is not None and not name.lower().endswith(kind.extensions):
        name = name[:190] + kind.extensions[0]
    return name[-200:] if len(name) > 200 else name


@dataclass(frozen=True)
class AcceptedFile:
    """An upload that passed: its bytes, their real type, a safe name, size and hash."""

    data: bytes
    kind: FileKind
    filename: str
    size: int
    sha256: str

    @property
    def content_type(self) -> str:
        return self.kind.content_type


def accept(upload, allowed: frozenset[str]) -> AcceptedFile:
    """Read an uploaded file (a werkzeug FileStorage) and check it; raises UploadRefusedError."""
    limit = max(_limit(kind) for key, kind in KINDS.items() if key in allowed)
    data = upload.read(limit + 1) if upload is not None else b""
    if not data:
        raise UploadRefusedError(_("Tệp trống. Đồng chí hãy chọn lại tệp cần tải lên."))
    kind = sniff(data)
    if data.startswith(_OLE2):
        raise UploadRefusedError(
            _(
                "Tệp Word, Excel, PowerPoint đời cũ (.doc, .xls, .ppt) không được nhận vì có thể "
                "chứa macro. Đồng chí hãy mở tệp, lưu lại thành PDF, DOCX hoặc XLSX rồi tải lên."
            )
        )
    if kind is None or kind.key not in allowed:
        raise UploadRefusedError(
            _(
                "Nội dung tệp không phải loại được nhận (%(kinds)s). Đồng chí hãy lưu tệp thành "
                "PDF rồi tải lên lại; nếu vẫn không được, xin liên hệ quản trị hệ thống.",
                kinds=allowed_labels(allowed),
            )
        )
    if len(data) > _limit(kind):
        raise UploadRefusedError(
            _(
                "Tệp quá lớn: tệp %(kind)s tối đa %(mb)s MB. Đồng chí hãy nén hoặc chia nhỏ "
                "tệp rồi tải lên lại.",
                kind=kind.label,
                mb=_megabytes(_limit(kind)),
            )
        )
    return AcceptedFile(
        data=data,
        kind=kind,
        filename=safe_filename(getattr(upload, "filename", None), kind),
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


class AllowedUpload:
    """WTForms validator: the file passes `accept`; the result is kept on `field.accepted`,
    and a refusal becomes the field's error, shown next to the file input."""

    def __init__(self, allowed: frozenset[str]):
        self.allowed = allowed
        self.field_flags = {}

    def __call__(self, form, field) -> None:
        field.accepted = None
        try:
            field.accepted = accept(field.data, self.allowed)
        except UploadRefusedError as error:
            raise ValidationError(str(error)) from None


def _hint(allowed: frozenset[str]) -> str:
    config = current_app.config
    return _(
        "Nhận tệp %(kinds)s; ảnh tối đa %(image_mb)s MB, tệp khác tối đa %(mb)s MB.",
        kinds=allowed_labels(allowed),
        image_mb=_megabytes(config.get("UPLOAD_MAX_IMAGE_BYTES", DEFAULT_MAX_IMAGE_BYTES)),
        mb=_megabytes(config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)),
    )


def upload_hint(allowed: frozenset[str]) -> LazyString:
    """Description under a file field: the accepted types and the configured size limits."""
    return LazyString(_hint, allowed)


# ------------------------------------------------------------------------------ serving


def serves_user_files(view):
    """Mark a view that returns user files (tests find every such route through this)."""
    view.serves_user_files = True
    return view


def _ascii_name(name: str) -> str:
    folded = fold(name).replace(" ", "-")
    return re.sub(r"[^A-Za-z0-9._-]+", "_", folded).strip("._") or "tep"


def content_disposition(name: str, inline: bool = False) -> str:
    """`attachment` (or `inline`) with an ASCII fallback name and the RFC 5987 UTF-8 name."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"


def protect_file_response(response):
    """The headers every file response carries: nosniff, the sandbox policy, and a download
    (`attachment`) unless the type is one that may open in the browser (PDF, raster image)."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    disposition = response.headers.get("Content-Disposition", "")
    if not disposition.startswith("attachment") and response.mimetype not in INLINE_TYPES:
        name = disposition.partition('filename="')[2].partition('"')[0] or "tep"
        response.headers["Content-Disposition"] = content_disposition(name)
    return response


def send_user_file(data: bytes, filename: str, *, etag: str | None = None):
    """Serve stored user bytes: the type comes from the bytes themselves, re-sniffed now.

    PDF and raster images may open in the browser; everything else downloads. Unknown bytes
    (a row stored before uploads were checked) go out as an opaque download. Responses are
    private and revalidated with their hash (`no-cache` + ETag): no shared cache keeps them,
    and the service worker still stores its own offline copy through the Cache API.
    """
    kind = sniff(data)
    name = safe_filename(filename, kind)
    response = current_app.response_class(
        data, mimetype=kind.content_type if kind else "application/octet-stream"
    )
    response.set_etag(etag or hashlib.sha256(data).hexdigest())
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Disposition"] = content_disposition(
        name, inline=bool(kind and kind.inline)
    )
    protect_file_response(response)
    return response.make_conditional(request)


def is_user_file_view(view) -> bool:
    """True for views marked with `serves_user_files` (through any wrapping decorator)."""
    while view is not None:
        if getattr(view, "serves_user_files", False):
            return True
        view = getattr(view, "__wrapped__", None)
    return False


__all__ = [
    "DOCUMENTS",
    "FILE_CSP",
    "IMAGES_AND_PDF",
    "AcceptedFile",
    "AllowedUpload",
    "UploadRefusedError",
    "accept",
    "content_disposition",
    "is_user_file_view",
    "send_user_file",
    "serves_user_files",
    "sniff",
]
