"""File handling: CSV with BOM, legacy encodings, formulas, non-spreadsheets, templates."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from blueprints.roster.models import ImportJob
from blueprints.roster.reading import MEMBER_HEADERS, UNIT_HEADERS
from core.extensions import db
from tests.roster.helpers import job_id_of, member_row, upload, xlsx


def _job(app, job_id):
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        job.rejected  # noqa: B018 - load the deferred column before detaching
        db.session.expunge(job)
        return job


def _csv(rows, sep=";") -> str:
    lines = [sep.join(MEMBER_HEADERS)] + [sep.join(str(v) for v in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def test_csv_with_utf8_bom_and_semicolons(app, client, world, as_role):
    as_role("staff_d1")
    text = _csv([member_row("52100601", "Phan Thị Thu Hà", "A")])
    data = b"\xef\xbb\xbf" + text.encode("utf-8")
    job = _job(app, job_id_of(upload(client, data, "ds.csv", unit_id=world.units["D1"])))
    assert job.status == "preview", job.error
    assert job.counts["new"] == 1 and job.counts["rejected"] == 0


def test_csv_in_nfd_is_normalised(app, client, world, as_role):
    import unicodedata

    from sqlalchemy import select

    from blueprints.members.models import Member
    from tests.roster.helpers import commit

    as_role("staff_d1")
    text = unicodedata.normalize("NFD", _csv([member_row("52100602", "Nguyễn Thị Ứng", "A")]))
    job_id = job_id_of(upload(client, text.encode(), "ds.csv", unit_id=world.units["D1"]))
    commit(client, job_id)
    with app.app_context():
        name = db.session.scalar(select(Member.full_name).where(Member.card_number == "52100602"))
        assert name == unicodedata.normalize("NFC", "Nguyễn Thị Ứng")


@pytest.mark.parametrize("encoding", ["cp1258", "vni", "tcvn3"])
def test_csv_in_a_legacy_encoding_is_converted(app, client, world, as_role, encoding):
    from sqlalchemy import select

    from blueprints.members.models import Member
    from tests.roster.helpers import commit
    from tests.test_legacy_vn import to_cp1258, to_tcvn3, to_vni

    encode = {"cp1258": to_cp1258, "vni": to_vni, "tcvn3": to_tcvn3}[encoding]
    as_role("staff_d1")
    text = _csv(
        [member_row("52100603", "Trần Văn Hùng", "A"), member_row("52100604", "Lê Thị Hồng", "A")]
    )
    job_id = job_id_of(upload(client, encode(text), "ds.csv", unit_id=world.units["D1"]))
    job = _job(app, job_id)
    assert job.status == "preview", job.error
    assert job.counts["new"] == 2
    assert job.encoding == encoding
    commit(client, job_id)
    with app.app_context():
        name = db.session.scalar(select(Member.full_name).where(Member.card_number == "52100604"))
        assert name == "Lê Thị Hồng"


@pytest.mark.parametrize(
    ("typed", "encoding"), [("NguyÔn V¨n TuÊn", "tcvn3"), ("Nguyeãn Vaên Tuaán", "vni")]
)
def test_xlsx_typed_in_a_legacy_font_is_converted(app, client, world, as_role, typed, encoding):
    from sqlalchemy import select

    from blueprints.members.models import Member
    from tests.roster.helpers import commit

    as_role("staff_d1")
    # "Nguyễn Văn Tuấn" typed with a .VnTime (TCVN3) or VNI-Times font, as old files hold it.
    rows = [member_row("52100605", typed, "A")]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    job = _job(app, job_id)
    assert job.encoding == encoding
    assert "bảng mã cũ" in client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    commit(client, job_id)
    with app.app_context():
        name = db.session.scalar(select(Member.full_name).where(Member.card_number == "52100605"))
        assert name == "Nguyễn Văn Tuấn"


def test_unconvertible_legacy_csv_is_refused_naming_the_encoding(app, client, world, as_role):
    from core import legacy_vn as legacy

    as_role("staff_d1")
    # Accented words that are not Vietnamese in any legacy encoding: a guess, not a conversion.
    data = b"H\xe0 N\xf4m;caf\xe9 na\xefve r\xe9sum\xe9 cr\xe8me br\xfbl\xe9e fa\xe7ade\r\n"
    with pytest.raises(legacy.LegacyEncodingError) as info:
        legacy.decode_bytes(data)
    name = legacy.ENCODING_NAMES[info.value.encoding]
    job = _job(app, job_id_of(upload(client, data, "x.csv", unit_id=world.units["D1"])))
    assert job.status == "failed"
    assert "bảng mã cũ" in job.error and name in job.error


def _with_cached_value(data: bytes, value: str) -> bytes:
    """Add the value Excel would have saved next to each formula (openpyxl writes none)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                pattern = r'<c r="([A-Z]+\d+)"[^>]*><f>(.*?)</f>(?:<v\s*/>|<v>.*?</v>)?</c>'
                cached = r'<c r="\1" t="str"><f>\2</f><v>' + value + "</v></c>"
                text = re.sub(pattern, cached, text)
                content = text.encode()
            dst.writestr(item, content)
    return out.getvalue()


def test_formula_cells_use_the_saved_value_or_are_reported(app, client, world, as_role):
    as_role("staff_d1")
    rows = [member_row("52100701", '=CONCATENATE("Hà ","Văn Long")', "A")]
    plain = xlsx(rows)
    job = _job(app, job_id_of(upload(client, plain, unit_id=world.units["D1"])))
    assert job.counts["rejected"] == 1
    assert job.rejected[0]["reasons"][0][0] == "formula_empty"
    computed = _with_cached_value(plain, "Hà Văn Long")
    job = _job(app, job_id_of(upload(client, computed, unit_id=world.units["D1"])))
    assert job.counts["new"] == 1 and job.counts["rejected"] == 0


@pytest.mark.parametrize(
    ("data", "name", "words"),
    [
        (b"%PDF-1.4 binary", "ds.pdf", "Chỉ nhận tệp Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "ds.xls", ".xls"),
        (b"PK\x03\x04 not really a zip", "ds.xlsx", "bị hỏng"),
        (b"\x00\x01\x02\x03" * 50, "ds.csv", "không phải bảng tính"),
        (b"", "ds.csv", "rỗng"),
        ("Tên;Tuổi\r\nAn;3\r\n".encode(), "ds.csv", "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_bad_files_are_refused_with_a_message(app, client, world, as_role, data, name, words):
    as_role("staff_d1")
    response = upload(client, data, name, unit_id=world.units["D1"])
    job = _job(app, job_id_of(response))
    assert job.status == "failed"
    assert words in job.error
    html = client.get(f"/roster/jobs/{job.id}").get_data(as_text=True)
    assert words in html


def test_oversized_upload_gets_a_friendly_413(app, client, world, as_role, monkeypatch):
    as_role("staff_d1")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 10_000)
    response = upload(client, b"x" * 20_000, "big.csv", unit_id=world.units["D1"])
    assert response.status_code == 413
    assert "Tệp quá lớn" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "headers"), [("members", MEMBER_HEADERS), ("units", UNIT_HEADERS)]
)
def test_templates_open_in_openpyxl_and_import_cleanly(app, client, world, as_role, kind, headers):
    as_role("staff_d1")
    response = client.get(f"/roster/template/{kind}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == headers
    assert "Hướng dẫn" in book.sheetnames
    # The template itself is a valid file (its example row refers to unknown codes).
    sent = upload(client, response.data, "mau.xlsx", kind=kind, unit_id=world.units["D1"])
    job = _job(app, job_id_of(sent))
    assert job.status == "preview"
    assert job.counts["rejected"] == 1
