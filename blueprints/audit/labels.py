"""Vietnamese names for what the audit log records: actions, object types and detail fields.

Every action code passed to `record()` needs a label here (a test scans the code for them), so
the administrator reads "Duyệt và khóa biên bản", not `meeting.minutes_lock`.

What an entry is about belongs to the feature that owns it: each feature registers its object
types (`register_object`: a label, and how to name and link a page of them) and the labels of
its coded detail values (`register_values`), as it registers its actions with core's
`register_action`. So audit imports no other feature, and admin's audit page
(blueprints/admin/describe.py) reads only what is registered here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from flask_babel import lazy_gettext as _l

# {object id: (readable name, URL of its page or None)} for the ids asked for.
Loader = Callable[[Iterable[int]], dict[int, tuple[str, str | None]]]

# Groups in the order the filter lists them; each maps action codes to labels.
ACTION_GROUPS: list[tuple[object, dict[str, object]]] = [
    (
        _l("Đăng nhập và tài khoản"),
        {
            "auth.login": _l("Đăng nhập"),
            "auth.login_failed": _l("Đăng nhập sai mật khẩu"),
            "auth.login_refused": _l("Đăng nhập bị từ chối (tài khoản khóa hoặc phiếu hết hạn)"),
            "auth.logout": _l("Đăng xuất"),
            "auth.password_changed": _l("Đổi mật khẩu"),
            "account.issued": _l("Cấp tài khoản cho đơn vị"),
            "account.slips_downloaded": _l("Tải phiếu đăng nhập của lần cấp tài khoản"),
            "account.password_reset": _l("Đặt lại mật khẩu"),
            "account.locked": _l("Khóa tài khoản"),
            "account.unlocked": _l("Mở khóa tài khoản"),
            "account.access_ended": _l("Ngừng quyền truy cập khi rời chi bộ"),
            "account.sessions_ended": _l("Đăng xuất khỏi các thiết bị khác"),
            "role.granted": _l("Cấp vai trò"),
            "role.revoked": _l("Thu hồi vai trò"),
        },
    ),
    (
        _l("Danh sách đảng viên"),
        {
            "roster.upload": _l("Tải lên tệp danh sách"),
            "roster.import_units": _l("Nhập danh sách đơn vị"),
            "roster.import_members": _l("Nhập danh sách đảng viên"),
            "roster.import_cancelled": _l("Hủy lần nhập"),
            "roster.members_viewed": _l("Xem danh sách đảng viên (có thông tin chi tiết)"),
            "roster.cell_viewed": _l("Xem danh sách chi bộ (có số thẻ)"),
            "member.viewed": _l("Xem hồ sơ đảng viên"),
            "roster.rejected_exported": _l("Tải danh sách dòng bị từ chối"),
            "adoption.exported": _l("Tải bảng tình hình sử dụng (Excel, CSV, PDF)"),
            "adoption.cell_viewed": _l("Xem danh sách đảng viên chưa sử dụng ứng dụng"),
            "member.no_smartphone": _l("Khai báo đảng viên không có điện thoại thông minh"),
        },
    ),
    (
        _l("Dữ liệu cá nhân"),
        {
            "mydata.downloaded": _l("Tải về dữ liệu của mình"),
            "mydata.correction_requested": _l("Gửi đề nghị sửa thông tin"),
            "mydata.correction_handled": _l("Xử lý đề nghị sửa thông tin"),
        },
    ),
    (
        _l("Thẻ đảng viên"),
        {
            "card_request.submitted": _l("Gửi đề nghị cấp thẻ"),
            "card_request.info_requested": _l("Yêu cầu bổ sung thông tin"),
            "card_request.info_added": _l("Bổ sung thông tin"),
            "card_request.approved": _l("Duyệt đề nghị cấp thẻ"),
            "card_request.rejected": _l("Từ chối đề nghị cấp thẻ"),
            "card_request.number_taken": _l("Số thẻ mới đã thuộc người khác"),
        },
    ),
    (
        _l("Sổ tay, văn bản, tin tức"),
        {
            "content.create": _l("Tạo bài"),
            "content.edit": _l("Sửa bài"),
            "content.submit": _l("Gửi bài đi duyệt"),
            "content.return": _l("Trả bài về để sửa"),
            "content.publish": _l("Duyệt và xuất bản"),
            "content.archive": _l("Lưu trữ bài"),
            "content.redraft": _l("Chuyển bài về nháp"),
            "content.upload": _l("Đính kèm tệp"),
            "content.delete_file": _l("Xóa tệp đính kèm"),
            "content.files_approve": _l("Duyệt thay đổi tệp đính kèm"),
            "content.files_reject": _l("Không duyệt thay đổi tệp đính kèm"),
        },
    ),
    (
        _l("Trợ lý ảo"),
        {
            "assistant.entry_create": _l("Tạo mục hỏi đáp"),
            "assistant.entry_edit": _l("Sửa mục hỏi đáp"),
            "assistant.entry_submit": _l("Gửi mục hỏi đáp đi duyệt"),
            "assistant.entry_publish": _l("Duyệt và xuất bản mục hỏi đáp"),
            "assistant.entry_return": _l("Trả mục hỏi đáp về để sửa"),
            "assistant.entry_archive": _l("Lưu trữ mục hỏi đáp"),
            "assistant.entry_redraft": _l("Chuyển mục hỏi đáp về nháp"),
            "assistant.replied": _l("Trả lời câu hỏi gửi trợ lý ảo"),
            "assistant.dismissed": _l("Bỏ qua câu hỏi trong hàng chờ"),
            "assistant.term_saved": _l("Lưu một từ trong bảng từ của trợ lý ảo"),
            "assistant.term_deleted": _l("Xóa một từ trong bảng từ của trợ lý ảo"),
        },
    ),
    (
        _l("Sinh hoạt chi bộ"),
        {
            "meeting.schedule": _l("Lên lịch buổi sinh hoạt"),
            "meeting.edit": _l("Sửa thông tin buổi sinh hoạt"),
            "meeting.document": _l("Đính kèm tài liệu"),
            "meeting.start": _l("Bắt đầu buổi sinh hoạt"),
            "meeting.close": _l("Kết thúc buổi sinh hoạt"),
            "meeting.attendance": _l("Điểm danh"),
            "meeting.proxy_checkin": _l("Điểm danh hộ"),
            "meeting.attendance_rest": _l("Điểm danh những đồng chí còn lại"),
            "meeting.motion_open": _l("Mở biểu quyết"),
            "meeting.motion_close": _l("Kết thúc biểu quyết"),
            "meeting.proxy_vote": _l("Biểu quyết hộ"),
            "meeting.minutes_edit": _l("Sửa biên bản"),
            "meeting.minutes_approve": _l("Duyệt biên bản"),
            "meeting.minutes_lock": _l("Khóa biên bản"),
            "meeting.minutes_reopen": _l("Mở lại biên bản đã khóa"),
        },
    ),
]

ACTION_LABELS: dict[str, object] = {
    code: label for _group, labels in ACTION_GROUPS for code, label in labels.items()
}

# Filled by the features (register_object, register_values) when their blueprints load.
OBJECT_LABELS: dict[str, object] = {}
OBJECT_LOADERS: dict[str, Loader] = {}
VALUE_LABELS: dict[str, dict] = {}


def register_object(type_name: str, label: object, loader: Loader) -> None:
    """Declare an audited object type (a model's class name): its label and its loader."""
    OBJECT_LABELS[type_name] = label
    OBJECT_LOADERS[type_name] = loader


def register_values(key: str, labels: Mapping) -> None:
    """Labels of the coded values a detail `key` takes (several features may add to one key)."""
    VALUE_LABELS.setdefault(key, {}).update(labels)


DETAIL_LABELS: dict[str, object] = {
    "login": _l("Tên đăng nhập đã gõ"),
    "no_smartphone": _l("Không có điện thoại thông minh"),
    "role": _l("Vai trò"),
    "unit": _l("Đơn vị"),
    "card": _l("Số thẻ"),
    "count": _l("Số tài khoản"),
    "mode": _l("Phạm vi"),
    "members": _l("Đảng viên"),
    "filename": _l("Tệp"),
    "file": _l("Tệp"),
    "size": _l("Dung lượng (byte)"),
    "source": _l("Nguồn"),
    "new": _l("Mới"),
    "changed": _l("Thay đổi"),
    "unchanged": _l("Không đổi"),
    "rejected": _l("Bị từ chối"),
    "missing": _l("Không còn trong tệp"),
    "transferred": _l("Chuyển đi"),
    "old": _l("Cũ"),
    "kind": _l("Loại"),
    "title": _l("Tiêu đề"),
    "comment": _l("Nhận xét"),
    "published_at": _l("Thời điểm xuất bản"),
    "topic": _l("Chủ đề"),
    "changes": _l("Thay đổi"),
    "starts_at": _l("Thời gian"),
    "place": _l("Địa điểm"),
    "chair_id": _l("Chủ trì"),
    "clerk_id": _l("Thư ký"),
    "guests": _l("Đại biểu, khách mời"),
    "member_id": _l("Đảng viên"),
    "status": _l("Trạng thái"),
    "reason": _l("Lý do"),
    "user_id": _l("Mã tài khoản"),
    "moved_from": _l("Chuyển khỏi đơn vị"),
    "skipped": _l("Không cấp lại"),
    "ended": _l("Số phiên đăng nhập đã kết thúc"),
    "motion_id": _l("Nội dung biểu quyết"),
    "text": _l("Nội dung"),
    "secret": _l("Bỏ phiếu kín"),
    "yes": _l("Tán thành"),
    "no": _l("Không tán thành"),
    "content_hash": _l("Mã kiểm tra"),
    "old_hash": _l("Mã kiểm tra cũ"),
    "q": _l("Tìm kiếm"),
    "member_status": _l("Lọc theo trạng thái"),
    "rows": _l("Số dòng"),
    "month": _l("Tháng"),
    "unmarked_as": _l("Ghi những đồng chí chưa điểm danh là"),
    "quorum": _l("Đủ số lượng"),
    "present": _l("Đảng viên chính thức có mặt"),
    "base": _l("Đảng viên chính thức được triệu tập"),
}


def action_label(code: str) -> str:
    """The Vietnamese name of an action code (the code itself for one we do not know)."""
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code
