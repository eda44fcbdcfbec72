"""Files of articles: upload and delete on the editorial desk, and serving them to readers.

Uploads go through the one upload service (core/uploads.py: type from the bytes, allow-list,
size limits) and are served through its one helper (nosniff, sandbox policy, attachment unless
PDF or raster image). Files are part of what a reviewer approves: they can be added or removed
only while the article is a draft (as its text), each change is a new revision listing the
files, so readers never see a file that a reviewer has not approved with the article.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import exists, select
from sqlalchemy.orm import undefer

from blueprints.audit.models import record
from blueprints.handbook.blueprint import bp
from blueprints.handbook.editor_routes import article_page, editable_or_404
from blueprints.handbook.forms import UploadForm
from blueprints.handbook.models import Article, Attachment, Status
from blueprints.handbook.services import add_revision, store_attachment, visible_clause
from core.extensions import db
from core.permissions import AUTHENTICATED, authorize, can, permission
from core.rendering import is_htmx
from core.uploads import send_user_file, serves_user_files


def _draft_or_refuse(article: Article):
    """None for a draft, else a redirect explaining how files of other states change."""
    if article.status == Status.DRAFT:
        return None
    flash(
        _(
            "Tệp của bài đã gửi duyệt hoặc đã xuất bản không sửa trực tiếp được: đồng chí hãy "
            "đưa bài về nháp, thay tệp rồi gửi duyệt lại để người duyệt xem trước khi bạn đọc "
            "thấy."
        ),
        "error",
    )
    return redirect(url_for("handbook.editor_article", article_id=article.id))


@bp.post("/editor/<int:article_id>/attachments")
@permission("content.edit")
def editor_upload(article_id: int):
    """Upload an image or a PDF to a draft (type checked from the file's bytes, size limited)."""
    article = editable_or_404(article_id)
    refused = _draft_or_refuse(article)
    if refused is not None:
        return refused
    form = UploadForm()
    if not form.validate_on_submit():
        if is_htmx() or not form.file.errors:
            flash(str((form.file.errors or [_("Hãy chọn một tệp.")])[0]), "error")
            return redirect(url_for("handbook.editor_article", article_id=article.id))
        return article_page(article, form, 400)  # the reason is shown next to the file field
    item = store_attachment(article, form.file.accepted, current_user)
    db.session.flush()
    add_revision(article, current_user, _("Thêm tệp %(name)s", name=item.filename))
    record("content.upload", article, file=item.filename, size=item.size)
    db.session.commit()
    flash(_("Đã tải tệp lên."), "success")
    return redirect(url_for("handbook.editor_article", article_id=article.id))


@bp.post("/editor/attachments/<int:attachment_id>/delete")
@permission("content.edit")
def editor_delete_attachment(attachment_id: int):
    """Remove a file from a draft."""
    item = db.get_or_404(Attachment, attachment_id)
    article = item.article
    authorize("content.edit", article)
    refused = _draft_or_refuse(article)
    if refused is not None:
        return refused
    record("content.delete_file", article, file=item.filename)
    article.attachments.remove(item)
    db.session.delete(item)
    add_revision(article, current_user, _("Xóa tệp %(name)s", name=item.filename))
    db.session.commit()
    flash(_("Đã xóa tệp."), "success")
    return redirect(url_for("handbook.editor_article", article_id=article.id))


@bp.get("/files/<int:attachment_id>/<path:filename>")
@permission(AUTHENTICATED)
@serves_user_files
def attachment(attachment_id: int, filename: str):
    """An uploaded image or PDF, for readers of its article and for its editors."""
    item = db.session.get(Attachment, attachment_id, options=[undefer(Attachment.data)])
    if item is None:
        abort(404)
    readable = db.session.scalar(
        select(exists().where(Article.id == item.article_id, visible_clause(current_user)))
    )
    if not readable and not can(current_user, "content.edit", item.article):
        abort(404)
    return send_user_file(item.data, item.filename, etag=item.sha256)
