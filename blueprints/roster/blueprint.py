"""The roster blueprint (imports, member lists, accounts and login slips), its permissions."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from blueprints.audit.labels import register_object, register_values
from blueprints.members.models import MemberStatus
from blueprints.roster.models import ImportJob
from core.extensions import db
from core.permissions import SECRETARY, STAFF, register_action

bp = Blueprint("roster", __name__, url_prefix="/roster")

register_action("roster.import", (STAFF,))
register_action("account.issue", (STAFF,))
register_action("account.reset", (SECRETARY, STAFF))


def _audit_jobs(ids) -> dict:
    """Import jobs named in the audit log: the file's name, linked to the job's page."""
    rows = db.session.scalars(select(ImportJob).where(ImportJob.id.in_(ids))).all()
    return {
        j.id: (j.filename or "#" + str(j.id), url_for("roster.job_page", job_id=j.id)) for j in rows
    }


register_object("ImportJob", _l("Lần nhập danh sách"), _audit_jobs)
register_values("kind", {"units": _l("Đơn vị"), "members": _l("Đảng viên")})
register_values(
    "mode", {"new": _l("Chỉ người chưa có tài khoản"), "all": _l("Tất cả, cấp lại mật khẩu")}
)
register_values("source", {"cli": _l("Dòng lệnh trên máy chủ")})
register_values("member_status", MemberStatus.labels())
