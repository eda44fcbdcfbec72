"""Friendly Vietnamese error pages; nobody is ever answered with a bare 500.

htmx requests get the message as a fragment (`HX-Retarget` to the page's message area) so a
failed action explains itself where the user is looking.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from core.extensions import db
from core.rendering import is_htmx

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Yêu cầu không hợp lệ"), _("Dữ liệu gửi lên không đúng. Vui lòng thử lại.")),
        401: (_("Cần đăng nhập"), _("Vui lòng đăng nhập để tiếp tục.")),
        403: (_("Không có quyền truy cập"), _("Tài khoản của bạn không được xem trang này.")),
        404: (_("Không tìm thấy trang"), _("Trang bạn tìm không có hoặc đã được chuyển đi.")),
        405: (_("Thao tác không hợp lệ"), _("Trang này không nhận thao tác vừa gửi.")),
        413: (_("Tệp quá lớn"), _("Tệp gửi lên vượt quá dung lượng cho phép (20 MB).")),
        429: (
            _("Thao tác quá nhiều lần"),
            _("Bạn đã thử quá nhiều lần. Vui lòng đợi 15 phút rồi thử lại."),
        ),
        500: (
            _("Hệ thống đang gặp sự cố"),
            _("Đã có lỗi xảy ra, dữ liệu của bạn chưa bị thay đổi. Vui lòng thử lại sau ít phút."),
        ),
        503: (_("Hệ thống tạm ngừng"), _("Hệ thống đang bảo trì. Vui lòng quay lại sau.")),
    }


def render_error(code: int, message: str | None = None):
    """Render the error page (or fragment) for `code`."""
    title, default = _messages().get(code, _messages()[500])
    text = message or default
    if is_htmx():
        response = render_template("errors/_message.html", title=title, message=text)
        headers = {"HX-Retarget": "#flash-area", "HX-Reswap": "innerHTML"}
        return response, code, headers
    return render_template("errors/error.html", code=code, title=title, message=text), code


def init_errors(app: Flask) -> None:
    """Register the handlers."""

    @app.before_request
    def _refuse_nul_bytes():
        # A NUL byte in an address is never typed by a person, and PostgreSQL refuses it in
        # any text it is asked to compare; say so before a view sends it to a query.
        args = request.args.items(multi=True)
        if "\x00" in request.path or any("\x00" in v for _k, v in args):
            return render_error(
                400, _("Địa chỉ trang có ký tự không hợp lệ. Vui lòng mở lại trang.")
            )
        return None

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(
            400, _("Phiên làm việc đã hết hạn. Vui lòng tải lại trang rồi thử lại.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return render_error(429)
        return render_error(error.code if error.code in _messages() else 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()  # nothing half-written survives a failed request
        return render_error(InternalServerError.code)
