"""Files of articles: upload and delete on the editorial desk, their review, and serving them.

Uploads go through the one upload service (core/uploads.py: type from the bytes, allow-list,
size limits) and are served through its one helper (nosniff, sandbox policy, attachment unless
PDF or raster image). Files are part of what a reviewer approves: a draft's files change
freely and are reviewed with the article; a change to a published article's files waits as
`pending` (an added file is not shown to readers, a removed one still is) until a reviewer
other than the person who asked approves it, and each approved change is a new revision.
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
from blueprints.handbook.models import PENDING_ADD, PENDING_REMOVE, Article, Attachment, Status
from blueprints.handbook.services import (
    add_revision,
    may_settle_files,
    settle_pending_files,
    store_attachment,
    visible_clause,
)
from core.extensions import db
from core.permissions import AUTHENTICATED, authorize, can, permission
from core.rendering import is_htmx
from core.uploads import send_user_file, serves_user_files


def _back(article: Article):
    return redirect(url_for("handbook.editor_article", article_id=article.id))


def _changeable_or_refuse(article: Article):
    """None when the article's files may change now (draft, or published with review)."""
    if article.status in (Status.DRAFT, Status.PUBLISHED):
        return None
    flash(
        _(
            "Bài đang chờ duyệt hoặc đã lưu trữ nên chưa thay được tệp. Đồng chí hãy đợi duyệt "
            "xong, hoặc đưa bài về nháp rồi thay tệp."
        ),
        "error",
    )
    return _back(article)


@bp.post("/editor/<int:article_id>/attachments")
@permission("content.edit")
def editor_upload(article_id: int):
    """Upload an image or a PDF (type checked from the file's bytes, size limited); on a
    published article it waits for review."""
    article = editable_or_404(article_id)
    refused = _changeable_or_refuse(article)
    if refused is not None:
        return refused
    form = UploadForm()
    if not form.validate_on_submit():
        if is_htmx() or not form.file.errors:
            flash(str((form.file.errors or [_("Hãy chọn một tệp.")])[0]), "error")
            return _back(article)
        return article_page(article, form, 400)  # the reason is shown next to the file field
    published = article.status == Status.PUBLISHED
    pending = PENDING_ADD if published else None
    item = store_attachment(article, form.file.accepted, current_user, pending)
    db.session.flush()
    if not published:
        add_revision(article, current_user, _("Thêm tệp %(name)s", name=item.filename))
    record("content.upload", article, file=item.filename, size=item.size, pending=published)
    db.session.commit()
    if published:
        flash(_("Đã tải tệp lên. Người đọc sẽ thấy tệp sau khi được duyệt."), "success")
    else:
        flash(_("Đã tải tệp lên."), "success")
    return _back(article)


@bp.post("/editor/attachments/<int:attachment_id>/delete")
@permission("content.edit")
def editor_delete_attachment(attachment_id: int):
    """Remove a file: at once from a draft (or a never-approved addition), else on review."""
    item = db.get_or_404(Attachment, attachment_id)
    article = item.article
    authorize("content.edit", article)
    refused = _changeable_or_refuse(article)
    if refused is not None:
        return refused
    if article.status == Status.PUBLISHED and item.pending != PENDING_ADD:
        item.pending, item.pending_by_id = PENDING_REMOVE, current_user.id
        record("content.delete_file", article, file=item.filename, pending=True)
        db.session.commit()
        flash(_("Đã đề nghị xóa tệp. Người đọc vẫn thấy tệp cho đến khi được duyệt."), "success")
        return _back(article)
    record("content.delete_file", article, file=item.filename)
    article.attachments.remove(item)
    db.session.delete(item)
    if item.pending is None:
        add_revision(article, current_user, _("Xóa tệp %(name)s", name=item.filename))
    db.session.commit()
    flash(_("Đã xóa tệp."), "success")
    return _back(article)


@bp.post("/editor/<int:article_id>/files/<decision>")
@permission("content.review")
def editor_review_files(article_id: int, decision: str):
    """Approve or reject the changes to a published article's files."""
    if decision not in ("approve", "reject"):
        abort(404)
    article = editable_or_404(article_id)
    if not article.pending_files:
        flash(_("Không còn thay đổi tệp nào chờ duyệt, có thể do người khác vừa xử lý."), "error")
        return _back(article)
    if not may_settle_files(article, current_user):
        abort(403)
    approve = decision == "approve"
    names = settle_pending_files(article, approve)
    if approve:
        note = _("Duyệt thay đổi tệp: %(names)s", names=", ".join(names))
        add_revision(article, current_user, note)
        record("content.files_approve", article, files=names)
        message = _("Đã duyệt thay đổi tệp.")
    else:
        record("content.files_reject", article, files=names)
        message = _("Đã không duyệt thay đổi tệp.")
    db.session.commit()
    flash(message, "success")
    return _back(article)


@bp.get("/files/<int:attachment_id>/<path:filename>")
@permission(AUTHENTICATED)
@serves_user_files
def attachment(attachment_id: int, filename: str):
    """An uploaded image or PDF, for readers of its article and for its editors."""
    item = db.session.get(Attachment, attachment_id, options=[undefer(Attachment.data)])
    if item is None:
        abort(404)
    readable = item.pending != PENDING_ADD and db.session.scalar(
        select(exists().where(Article.id == item.article_id, visible_clause(current_user)))
    )
    if not readable and not can(current_user, "content.edit", item.article):
        abort(404)
    return send_user_file(item.data, item.filename, etag=item.sha256)
