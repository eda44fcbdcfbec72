"""Small fixtures of the assistant's tests: entries, glossary terms and a chapter made here,
so the tests do not depend on the content set in content/assistant."""

from __future__ import annotations

from datetime import date

from blueprints.assistant.models import GlossaryTerm, QAEntry
from blueprints.assistant.services import save_entry_text
from blueprints.handbook.models import Article, Kind, Status
from blueprints.handbook.services import save_text
from core.extensions import db
from core.models import utcnow
from core.text import fold

ENTRIES = [
    (
        "dang-phi-nghi-huu",
        "Đảng viên nghỉ hưu đóng đảng phí bao nhiêu?",
        ["Về hưu đóng đảng phí thế nào", "Lương hưu đóng đảng phí mấy phần trăm"],
        "Đóng **0,5%** lương hưu mỗi tháng.",
        "dang-phi",
    ),
    (
        "mat-the-dang-vien",
        "Mất thẻ đảng viên thì phải làm gì?",
        ["Làm mất thẻ đảng", "Thẻ đảng viên bị mất xin cấp lại"],
        "Báo ngay với bí thư chi bộ, viết bản kiểm điểm và nộp 2 ảnh.",
        "the-dang",
    ),
    (
        "sinh-hoat-chi-bo-bao-lau",
        "Buổi sinh hoạt chi bộ kéo dài bao lâu?",
        ["Họp chi bộ mấy phút", "Sinh hoạt chi bộ tối thiểu bao nhiêu phút"],
        "Ít nhất 90 phút; có chuyên đề thì ít nhất 120 phút.",
        "sinh-hoat-chi-bo",
    ),
]


def add_entry(slug, question, also, answer, topic, *, status=Status.PUBLISHED) -> QAEntry:
    """One entry, published unless told otherwise (not committed)."""
    entry = QAEntry(
        slug=slug, status=status, published_at=utcnow() if status == "published" else None
    )
    save_entry_text(
        entry,
        question=question,
        alternatives=also,
        answer=answer,
        sources=["handbook:dang-phi"],
        topic=topic,
        checked=date(2026, 12, 1),
    )
    return entry


def add_term(term: str, expansion: str) -> None:
    db.session.add(
        GlossaryTerm(term=term, folded=" ".join(fold(term).split()), expansion=expansion)
    )


def add_admission_file_entry() -> QAEntry:
    """The admission file: its answer names the birth certificate, which is what a question
    about civil registration ("làm giấy khai sinh") shares with it (not committed)."""
    return add_entry(
        "ket-nap-ho-so",
        "Hồ sơ kết nạp đảng gồm những giấy tờ gì?",
        ["Giấy tờ cần nộp khi vào Đảng", "Làm hồ sơ xin vào Đảng cần giấy tờ gì"],
        "Đơn xin vào Đảng, lý lịch, giấy giới thiệu, bản sao giấy khai sinh.",
        "ket-nap",
    )


def add_outside(term: str) -> None:
    """A term naming something outside the Party's procedures (not committed)."""
    folded = " ".join(fold(term).split())
    db.session.add(GlossaryTerm(term=term, folded=folded, expansion="", outside=True))


def seed_entries(app) -> None:
    """The three entries and two glossary terms, committed."""
    with app.app_context():
        for item in ENTRIES:
            add_entry(*item)
        add_term("SHCB", "sinh hoạt chi bộ")
        add_term("ĐP", "đảng phí")
        db.session.commit()


def add_chapter(app, unit_id: int, *, status=Status.PUBLISHED) -> int:
    """A chapter with two sections about badges (words no entry above uses)."""
    with app.app_context():
        article = Article(
            kind=Kind.CHAPTER,
            status=status,
            unit_id=unit_id,
            slug="huy-hieu-dang",
            published_at=utcnow() if status == Status.PUBLISHED else None,
        )
        body = (
            "## Mốc tuổi đảng được tặng huy hiệu\n\nHuy hiệu Đảng trao ở các mốc 30, 40, 45, "
            "50 năm tuổi đảng.\n\n## Hồ sơ đề nghị tặng huy hiệu\n\n"
            "Chi bộ lập danh sách đề nghị gửi lên."
        )
        save_text(article, None, "test", title="Huy hiệu Đảng", summary="", body=body)
        db.session.commit()
        return article.id
