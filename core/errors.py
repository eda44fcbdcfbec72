"""Friendly Vietnamese error pages; nobody is ever answered with a bare 500.

htmx requests get the message as a small fragment. The app script shows it beside the form
that was sent (static/js/app.js, "refusals beside the control"); only a request that came
from no form falls back to the page's message area (`HX-Retarget`). A refusal with its own
words is shown as those words alone: they say what happened and what to do, and a generic
title ("Yêu cầu không hợp lệ") in front of them would only blame the person.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from core.extensions import db
from core.rendering import is_htmx

log = logging.getLogger(__name__)


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (
            _("Yêu cầu không hợp lệ"),
            _("Dữ liệu gửi lên không đúng. Đồng chí hãy tải lại trang rồi làm lại."),
        ),
        401: (_("Cần đăng nhập"), _("Đồng chí hãy đăng nhập để tiếp tục.")),
        403: (
            _("Không có quyền truy cập"),
            _(
                "Tài khoản của đồng chí không được dùng chức năng này. Nếu cần, đồng chí hãy "
                "đề nghị bí thư chi bộ hoặc Ban Tổ chức cấp quyền."
            ),
        ),
        404: (
            _("Không tìm thấy trang"),
            _(
                "Trang này không có, đã được chuyển đi hoặc nằm ngoài phạm vi tài khoản của "
                "đồng chí. Đồng chí hãy quay về trang chủ và mở lại từ trình đơn."
            ),
        ),
        405: (
            _("Thao tác không hợp lệ"),
            _("Trang này không nhận thao tác vừa gửi. Đồng chí hãy về trang chủ và mở lại."),
        ),
        409: (
            _("Dữ liệu vừa thay đổi"),
            _(
                "Việc này không làm được vì dữ liệu vừa thay đổi (có thể do người khác cùng "
                "làm). Đồng chí hãy tải lại trang để xem tình trạng mới nhất rồi thử lại."
            ),
        ),
        410: (
            _("Không còn dùng được"),
            _("Nội dung này đã hết hạn hoặc đã bị gỡ. Đồng chí hãy quay lại trang trước."),
        ),
        413: (
            _("Tệp quá lớn"),
            _("Tệp vượt quá 20 MB. Đồng chí hãy chọn tệp nhỏ hơn hoặc chia nhỏ rồi gửi lại."),
        ),
        414: (
            _("Địa chỉ trang quá dài"),
            _("Địa chỉ trang dài quá mức cho phép. Đồng chí hãy mở lại trang từ trang chủ."),
        ),
        415: (
            _("Định dạng không được nhận"),
            _("Dữ liệu gửi lên không đúng định dạng trang này nhận. Đồng chí hãy tải lại trang."),
        ),
        416: (
            _("Không đọc được phần tệp yêu cầu"),
            _("Phần tệp được yêu cầu không có. Đồng chí hãy tải lại cả tệp."),
        ),
        422: (
            _("Dữ liệu chưa hợp lệ"),
            _("Một số ô chưa đúng. Đồng chí hãy xem lại các ô được đánh dấu rồi gửi lại."),
        ),
        429: (
            _("Thao tác quá nhiều lần"),
            _("Đồng chí đã thử quá nhiều lần. Đồng chí hãy đợi 15 phút rồi thử lại."),
        ),
        500: (
            _("Hệ thống đang gặp sự cố"),
            _(
                "Đã có lỗi xảy ra, dữ liệu của đồng chí chưa bị thay đổi. "
                "Đồng chí hãy thử lại sau ít phút."
            ),
        ),
        503: (
            _("Hệ thống tạm ngừng"),
            _("Hệ thống đang bảo trì. Đồng chí hãy quay lại sau ít phút."),
        ),
    }


def render_error(code: int, message: str | None = None):
    """Render the error page (or fragment) for `code`.

    A 4xx code without its own text is titled as a refused request (400), never as a fault
    of the system (500): the person can do something about it.
    """
    messages = _messages()
    title, default = messages.get(code, messages[400 if 400 <= code < 500 else 500])
    text = message or default
    if is_htmx():
        response = render_template(
            "errors/_message.html", title=None if message else title, message=text
        )
        headers = {"HX-Retarget": "#flash-area", "HX-Reswap": "innerHTML"}
        return response, code, headers
    return render_template("errors/error.html", code=code, title=title, message=text), code


def _untrusted_host():
    """A plain 400 page for a Host header outside TRUSTED_HOSTS.

    No URL can be built for such a request (Flask refused to bind one), so the page is a
    template without `url_for`, and it is answered before any other hook looks at the host.
    """
    if not isinstance(request.routing_exception, SecurityError):
        return None
    page = render_template(
        "errors/bad_host.html",
        title=_("Địa chỉ máy chủ không hợp lệ"),
        message=_(
            "Trang được mở bằng một địa chỉ máy chủ không được phép. Đồng chí hãy mở lại "
            "ứng dụng từ địa chỉ chính thức (trên phiếu đăng nhập) hoặc báo người quản trị "
            "hệ thống thêm địa chỉ này vào TRUSTED_HOSTS."
        ),
    )
    return page, 400


def init_errors(app: Flask) -> None:
    """Register the handlers."""
    app.before_request_funcs.setdefault(None, []).insert(0, _untrusted_host)

    @app.before_request
    def _refuse_nul_bytes():
        # A NUL byte in an address is never typed by a person, and PostgreSQL refuses it in
        # any text it is asked to compare; say so before a view sends it to a query.
        args = request.args.items(multi=True)
        if "\x00" in request.path or any("\x00" in v for _k, v in args):
            return render_error(
                400, _("Địa chỉ trang có ký tự không hợp lệ. Đồng chí hãy mở lại trang.")
            )
        return None

    @app.errorhandler(CSRFError)
    def _csrf(_error):
        return render_error(
            400, _("Phiên làm việc đã hết hạn. Đồng chí hãy tải lại trang rồi thử lại.")
        )

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 429:
            return render_error(429)
        if isinstance(error, SecurityError):
            return _untrusted_host() or render_error(400)
        return render_error(error.code)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return _http(error)
        log.exception("unhandled error on %s %s", request.method, request.path)
        db.session.rollback()  # nothing half-written survives a failed request
        return render_error(InternalServerError.code)
