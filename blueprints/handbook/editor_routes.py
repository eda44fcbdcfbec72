"""The editorial board's desk: writing with a live preview, review and publishing,
archiving, attachments and revision diffs."""

from __future__ import annotations

import difflib

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload, undefer

from blueprints.audit.models import record
from blueprints.handbook.blueprint import PER_PAGE, bp
from blueprints.handbook.forms import ArticleForm, ReviewForm, UploadForm
from blueprints.handbook.markup import MarkdownRefusedError, render_markdown, safe
from blueprints.handbook.models import (
    DOCUMENT_CATEGORIES,
    NEWS_CATEGORIES,
    Article,
    Attachment,
    Kind,
    Revision,
    Status,
)
from blueprints.handbook.services import (
    may_settle_files,
    publish,
    save_text,
    settle_pending_files,
)
from blueprints.units.models import UPPER_KINDS, Unit, UnitKind
from core.extensions import db
from core.ids import db_int
from core.models import utcnow
from core.pagination import pager, paginate
from core.permissions import ADMIN, authorize, can, has_role, permission, scope_clause
from core.rendering import render

# --------------------------------------------------------------------------------- editor

FILES_WAITING = "files"  # the desk's filter of articles with file changes awaiting review
PENDING_FILES = Article.attachments.any(Attachment.pending.is_not(None))


def _editor_units() -> list[Unit]:
    """Units an editor may target: the province and committees within their scope."""
    return db.session.scalars(
        select(Unit)
        .where(
            Unit.kind.in_((UnitKind.PROVINCE, *UPPER_KINDS)),
            scope_clause(current_user, "content.edit", Unit.path),
        )
        .order_by(Unit.depth, Unit.name)
    ).all()


def editable_or_404(article_id: int) -> Article:
    article = db.session.get(
        Article, article_id, options=[undefer(Article.body), undefer(Article.body_html)]
    )
    if article is None:
        abort(404)
    authorize("content.edit", article)
    return article


@bp.get("/editor/")
@permission("content.edit")
def editor_index():
    """The editorial desk: articles of the editor's subtree by status and kind."""
    status = request.args.get("status", "")
    kind = request.args.get("kind", "")
    stmt = (
        select(Article)
        .join(Unit, Unit.id == Article.unit_id)
        .where(scope_clause(current_user, "content.edit", Unit.path))
    )
    if status == FILES_WAITING:  # published articles whose file changes wait for review
        stmt = stmt.where(PENDING_FILES)
    elif status in {s.value for s in Status}:
        stmt = stmt.where(Article.status == status)
    else:
        status = ""
    if kind in {k.value for k in Kind}:
        stmt = stmt.where(Article.kind == kind)
    else:
        kind = ""
    listed = paginate(
        stmt.options(selectinload(Article.unit)).order_by(
            Article.updated_at.desc(), Article.id.desc()
        ),
        PER_PAGE,
    )
    reviewable = (
        select(func.count())
        .select_from(Article)
        .join(Unit, Unit.id == Article.unit_id)
        .where(scope_clause(current_user, "content.review", Unit.path))
    )
    waiting = db.session.scalar(reviewable.where(Article.status == Status.REVIEW))
    files_waiting = db.session.scalar(reviewable.where(PENDING_FILES))
    return render(
        "handbook/editor/index.html",
        items=listed.items,
        total=listed.total,
        **pager(listed),
        status_filter=status,
        kind=kind,
        statuses=Status.labels(),
        kinds=Kind.labels(),
        waiting=waiting or 0,
        files_waiting=files_waiting or 0,
    )


def _prepare_form(form: ArticleForm, kind: str) -> None:
    units = _editor_units()
    form.unit_id.choices = [(u.id, u.name) for u in units]
    categories = DOCUMENT_CATEGORIES if kind == Kind.DOCUMENT else NEWS_CATEGORIES
    form.category.choices = [(k, str(v)) for k, v in categories.items()]


def _validate_kind_fields(form: ArticleForm, kind: str, article: Article | None) -> bool:
    ok = True
    if kind == Kind.CHAPTER:
        if not form.slug.data:
            form.slug.errors.append(_("Chương sổ tay cần đường dẫn."))
            ok = False
        else:
            clash = db.session.scalar(
                select(Article.id).where(
                    Article.slug == form.slug.data, Article.id != (article.id if article else 0)
                )
            )
            if clash:
                form.slug.errors.append(_("Đường dẫn này đã được dùng cho bài khác."))
                ok = False
    if kind == Kind.DOCUMENT and not form.doc_number.data:
        form.doc_number.errors.append(_("Văn bản cần số, ký hiệu."))
        ok = False
    if (
        form.publish_at.data
        and to_utc(form.publish_at.data) < utcnow().replace(second=0)
        and (article is None or article.status == Status.DRAFT)
    ):
        form.publish_at.errors.append(_("Thời điểm hẹn xuất bản đã qua."))
        ok = False
    return ok


def _save_article(article: Article, form: ArticleForm, kind: str, note: str) -> None:
    """The form's fields onto `article`, then its text saved as a new revision."""
    article.unit_id = form.unit_id.data
    article.publish_at = to_utc(form.publish_at.data) if form.publish_at.data else None
    if kind == Kind.CHAPTER:
        article.slug = form.slug.data
        article.position = form.position.data or 0
    else:
        article.category = form.category.data or ""
    if kind == Kind.DOCUMENT:
        article.doc_number = form.doc_number.data or ""
        article.issued_on = form.issued_on.data
        article.issuer = form.issuer.data or ""
    summary = form.summary.data or ""
    save_text(
        article, current_user, note, title=form.title.data, summary=summary, body=form.body.data
    )


@bp.route("/editor/new/<kind>", methods=["GET", "POST"])
@permission("content.edit")
def editor_new(kind: str):
    """Write a new chapter, document or news item (saved as a draft)."""
    if kind not in {k.value for k in Kind}:
        abort(404)
    form = ArticleForm()
    _prepare_form(form, kind)
    if not form.unit_id.choices:
        abort(403)
    if form.validate_on_submit() and _validate_kind_fields(form, kind, None):
        unit = db.session.get(Unit, form.unit_id.data)
        authorize("content.edit", unit)
        article = Article(kind=kind, status=Status.DRAFT, created_by_id=current_user.id)
        _save_article(article, form, kind, form.note.data or _("Bản đầu tiên"))
        record("content.create", article, kind=kind, title=article.title)
        db.session.commit()
        flash(_("Đã lưu bản nháp."), "success")
        return redirect(url_for("handbook.editor_article", article_id=article.id))
    return render("handbook/editor/form.html", form=form, kind=kind, article=None, preview=None)


@bp.route("/editor/<int:article_id>/edit", methods=["GET", "POST"])
@permission("content.edit")
def editor_edit(article_id: int):
    """Edit a draft; every save is a new revision."""
    article = editable_or_404(article_id)
    if article.status != Status.DRAFT:
        flash(_("Chỉ sửa được bản nháp. Hãy chuyển bài về nháp trước."), "error")
        return redirect(url_for("handbook.editor_article", article_id=article.id))
    form = ArticleForm(obj=article)
    _prepare_form(form, article.kind)
    if request.method == "GET" and article.publish_at:
        form.publish_at.data = to_user_timezone(article.publish_at).replace(tzinfo=None)
    if form.validate_on_submit() and _validate_kind_fields(form, article.kind, article):
        authorize("content.edit", db.session.get(Unit, form.unit_id.data))
        _save_article(article, form, article.kind, form.note.data or "")
        record("content.edit", article, title=article.title)
        db.session.commit()
        flash(_("Đã lưu. Đây là một phiên bản mới."), "success")
        return redirect(url_for("handbook.editor_article", article_id=article.id))
    return render(
        "handbook/editor/form.html",
        form=form,
        kind=article.kind,
        article=article,
        preview=safe(article.body_html),
    )


@bp.post("/editor/preview")
@permission("content.edit")
def editor_preview():
    """Live preview: the Markdown rendered and sanitised exactly as readers will see it."""
    body = request.form.get("body", "")
    try:
        preview = safe(render_markdown(body))
    except MarkdownRefusedError as error:  # too long or convoluted: say why, render nothing
        return render("handbook/editor/_preview.html", preview=None, problem=str(error))
    return render("handbook/editor/_preview.html", preview=preview)


@bp.get("/editor/<int:article_id>")
@permission("content.edit")
def editor_article(article_id: int):
    """An article's state, workflow actions, attachments and revision history."""
    return article_page(editable_or_404(article_id))


def article_page(article: Article, upload_form: UploadForm | None = None, status: int = 200):
    """The editor's article page; a refused upload comes back with its error by the field."""
    revisions = db.session.scalars(
        select(Revision)
        .where(Revision.article_id == article.id)
        .options(selectinload(Revision.author))
        .order_by(Revision.number.desc())
    ).all()
    return render(
        "handbook/editor/article.html",
        article=article,
        body=safe(article.body_html),
        revisions=revisions,
        review_form=ReviewForm(),
        upload_form=upload_form or UploadForm(),
        can_review=_may_review(article),
        can_settle_files=may_settle_files(article, current_user),
        status=status,
    )


def _may_review(article: Article) -> bool:
    """Reviewers approve others' work: the submitter cannot approve their own (admin can)."""
    if not can(current_user, "content.review", article):
        return False
    return article.submitted_by_id != current_user.id or has_role(current_user, ADMIN)


def _transition(article_id: int, allowed_from: tuple[str, ...]) -> Article:
    article = editable_or_404(article_id)
    if article.status not in allowed_from:
        # Someone else acted first (or a stale page was used): say so, show the current state.
        flash(_("Bài đã chuyển sang trạng thái khác, có thể do người khác vừa xử lý."), "error")
        abort(redirect(url_for("handbook.editor_article", article_id=article.id)))
    return article


@bp.post("/editor/<int:article_id>/submit")
@permission("content.edit")
def editor_submit(article_id: int):
    """Send a draft for review."""
    article = _transition(article_id, (Status.DRAFT,))
    article.status = Status.REVIEW
    article.submitted_by_id = current_user.id
    record("content.submit", article)
    db.session.commit()
    flash(_("Đã gửi bài đi duyệt."), "success")
    return redirect(url_for("handbook.editor_article", article_id=article.id))


@bp.post("/editor/<int:article_id>/approve")
@permission("content.review")
def editor_approve(article_id: int):
    """Approve: publish now, or at the requested time."""
    article = _transition(article_id, (Status.REVIEW,))
    if not _may_review(article):
        abort(403)
    settle_pending_files(article, approve=True)  # files asked for earlier go with the article
    publish(article, current_user)
    record("content.publish", article, published_at=article.published_at.isoformat())
    db.session.commit()
    if article.is_scheduled:
        flash(_("Đã duyệt. Bài sẽ tự xuất bản đúng giờ hẹn."), "success")
    else:
        flash(_("Đã duyệt và xuất bản."), "success")
    return redirect(url_for("handbook.editor_article", article_id=article.id))


@bp.post("/editor/<int:article_id>/return")
@permission("content.review")
def editor_return(article_id: int):
    """Send back to the writer with a comment."""
    article = _transition(article_id, (Status.REVIEW,))
    if not _may_review(article):
        abort(403)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(_("Hãy ghi ý kiến để người viết biết cần sửa gì."), "error")
        return redirect(url_for("handbook.editor_article", article_id=article.id))
    article.status = Status.DRAFT
    article.review_comment = form.comment.data
    article.reviewed_by_id = current_user.id
    record("content.return", article, comment=form.comment.data)
    db.session.commit()
    flash(_("Đã trả bài về cho người viết."), "success")
    return redirect(url_for("handbook.editor_article", article_id=article.id))


@bp.post("/editor/<int:article_id>/archive")
@permission("content.edit")
def editor_archive(article_id: int):
    """Take a published article off the readers' pages, keeping it in the archive."""
    article = _transition(article_id, (Status.PUBLISHED,))
    article.status = Status.ARCHIVED
    record("content.archive", article)
    db.session.commit()
    flash(_("Đã chuyển bài vào lưu trữ."), "success")
    return redirect(url_for("handbook.editor_article", article_id=article.id))


@bp.post("/editor/<int:article_id>/redraft")
@permission("content.edit")
def editor_redraft(article_id: int):
    """Bring an archived, published or in-review article back to draft to change it."""
    article = _transition(article_id, (Status.PUBLISHED, Status.ARCHIVED, Status.REVIEW))
    article.status = Status.DRAFT
    article.published_at = None
    record("content.redraft", article)
    db.session.commit()
    flash(
        _("Bài đã về trạng thái nháp; người đọc không còn thấy bài cho đến khi được duyệt lại."),
        "success",
    )
    return redirect(url_for("handbook.editor_article", article_id=article.id))


def _compared_text(revision: Revision) -> str:
    """A revision's text and, after it, one line per file (files are reviewed like text)."""
    files = [
        _("Tệp đính kèm: %(name)s (mã %(hash)s)", name=name, hash=sha[:12])
        for _id, name, sha in revision.files or []
    ]
    return "\n".join([revision.title, revision.summary, "", revision.body, "", *files])


@bp.get("/editor/<int:article_id>/diff")
@permission("content.edit")
def editor_diff(article_id: int):
    """Compare any two revisions line by line."""
    article = editable_or_404(article_id)
    numbers = db.session.scalars(
        select(Revision.number).where(Revision.article_id == article.id).order_by(Revision.number)
    ).all()
    if not numbers:
        abort(404)
    a = request.args.get("a", type=db_int) or (numbers[-2] if len(numbers) > 1 else numbers[-1])
    b = request.args.get("b", type=db_int) or numbers[-1]
    revs = {
        r.number: r
        for r in db.session.scalars(
            select(Revision)
            .where(Revision.article_id == article.id, Revision.number.in_((a, b)))
            .options(undefer(Revision.body), selectinload(Revision.author))
        )
    }
    if a not in revs or b not in revs:
        abort(404)
    old, new = revs[a], revs[b]
    lines = []
    for line in difflib.ndiff(_compared_text(old).splitlines(), _compared_text(new).splitlines()):
        op = line[:1]
        if op in ("+", "-", " "):
            lines.append((op, line[2:]))
    return render(
        "handbook/editor/diff.html",
        article=article,
        old=old,
        new=new,
        lines=lines,
        numbers=numbers,
        changed=any(op != " " for op, _l in lines),
    )
