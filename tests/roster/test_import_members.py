"""Member import: preview, commit, re-import, every rejection reason, missing members."""

from __future__ import annotations

from sqlalchemy import select

from blueprints.audit.models import AuditEntry
from blueprints.members.models import Member, MemberStatus
from blueprints.roster.models import ImportJob
from core.extensions import db
from tests.roster.helpers import commit, job_id_of, member_row, upload, xlsx

CLEAN = [
    member_row("52100101", "Đặng Văn Sơn", "A"),
    member_row("52.100.102", "  Nguyễn   Thị Hoa ", "a", gender="Nữ", phone="+84 905 333 444"),
    member_row("52100103", "Bùi Đức Đạt", "B", status="Dự bị", official=""),
]


def _job(app, job_id) -> ImportJob:
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        job.rejected, job.missing  # noqa: B018 - load deferred columns
        db.session.expunge(job)
        return job


def test_clean_file_preview_then_commit_then_reimport(app, client, world, as_role):
    as_role("staff_d1")
    job_id = job_id_of(upload(client, xlsx(CLEAN), unit_id=world.units["D1"]))
    job = _job(app, job_id)
    assert job.status == "preview"
    assert job.counts == {"new": 3, "changed": 0, "unchanged": 0, "rejected": 0, "missing": 4}
    page = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "Kết quả kiểm tra" in page and "Xác nhận nhập 3 dòng" in page
    with app.app_context():  # nothing written before the commit
        assert db.session.scalar(select(Member).where(Member.card_number == "52100101")) is None

    response = commit(client, job_id)
    assert response.status_code == 302
    assert _job(app, job_id).status == "done"
    with app.app_context():
        hoa = db.session.scalar(select(Member).where(Member.card_number == "52100102"))
        assert hoa.full_name == "Nguyễn Thị Hoa"
        assert hoa.gender == "F" and hoa.phone == "0905333444"
        assert hoa.name_search == "nguyen thi hoa" and hoa.name_sort
        dat = db.session.scalar(select(Member).where(Member.card_number == "52100103"))
        assert dat.status == MemberStatus.PROBATIONARY and dat.cell_id == world.units["B"]
        assert db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "roster.import_members")
        )
        # the personal file is not kept once imported
        assert db.session.scalar(select(ImportJob.content).where(ImportJob.id == job_id)) is None

    again = job_id_of(upload(client, xlsx(CLEAN), unit_id=world.units["D1"]))
    assert _job(app, again).counts["unchanged"] == 3
    assert _job(app, again).counts["new"] == 0 and _job(app, again).counts["changed"] == 0


def test_changed_row_is_updated(app, client, world, as_role):
    as_role("staff_d1")
    rows = [member_row("52100002", "Trần Thị Ánh", "B", phone="0912345678", gender="Nữ")]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    assert _job(app, job_id).counts["changed"] == 1
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "Số điện thoại: 0905000002 → 0912345678" in html
    assert "Chi bộ: Chi bộ thôn An Phú → Chi bộ thôn Phước Lộc" in html
    assert "Giới tính: — → Nữ" in html
    commit(client, job_id)
    with app.app_context():
        moved = db.session.get(Member, world.members["mem_a"])
        assert moved.phone == "0912345678" and moved.cell_id == world.units["B"]


def _reasons(job) -> dict[int, str]:
    from blueprints.roster.reasons import reason_text

    return {
        r["row"]: " ".join(reason_text(code, params) for code, params in r["reasons"])
        for r in job.rejected
    }


def test_every_rejection_reason(app, client, world, as_role):
    as_role("staff_d1")
    rows = [
        member_row("52100201", "Người Hợp Lệ", "A"),  # row 2: accepted
        member_row("", "Thiếu Số Thẻ", "A"),  # 3
        member_row("12", "Số Thẻ Ngắn", "A"),  # 4
        member_row("52100204", "Trùng Một", "A"),  # 5
        member_row("52100204", "Trùng Hai", "B"),  # 6
        member_row("52100005", "Võ Minh Châu", "A"),  # 7: card of a member of D2
        member_row("52100208", "Sai Mã Chi Bộ", "XYZ"),  # 8
        member_row("52100209", "Chi Bộ Ngoài", "C"),  # 9: cell outside D1
        member_row("52100210", "Sinh Sau", "A", birth="01/01/2000", joined="01/01/1995"),  # 10
        member_row("52100211", "Còn Trẻ", "A", birth="01/01/1990", joined="01/06/2005"),  # 11
        member_row("52100212", "Sai Điện Thoại", "A", phone="12345"),  # 12
        member_row("52100213", "Sai Ngày", "A", birth="31/02/1970"),  # 13
        member_row("52100214", "Sai Giới", "A", gender="Khác lạ"),  # 14
        member_row("52100215", "Sai Trạng Thái", "A", status="Không rõ"),  # 15
        member_row("52100216", "", "A"),  # 16
        member_row("52100217", "Không Chi Bộ", ""),  # 17
        member_row("52100218", "Mã Đảng Bộ", "G1"),  # 18
        member_row("52100219", "Ngày Lạ", "A", official="01/01/1990"),  # 19: official < joined
    ]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    job = _job(app, job_id)
    reasons = _reasons(job)
    assert 2 not in reasons
    assert "Thiếu số thẻ" in reasons[3]
    assert "không hợp lệ" in reasons[4]
    assert "Thẻ trùng" in reasons[5] and "dòng 6" in reasons[5] and "Trùng Hai" in reasons[5]
    assert "Thẻ trùng" in reasons[6] and "dòng 5" in reasons[6]
    assert "ngoài các đơn vị đồng chí phụ trách" in reasons[7]
    assert "Võ Minh Châu" not in reasons[7] and "An Vĩnh" not in reasons[7]
    assert "XYZ" in reasons[8]
    assert "không thuộc các đơn vị đồng chí phụ trách" in reasons[9]
    assert "sau ngày vào Đảng" in reasons[10]
    assert "chưa đủ 18 tuổi" in reasons[11]
    assert "Số điện thoại" in reasons[12]
    assert "31/02/1970" in reasons[13]
    assert "Giới tính" in reasons[14]
    assert "Trạng thái" in reasons[15]
    assert "Thiếu họ và tên" in reasons[16]
    assert "Thiếu mã chi bộ" in reasons[17]
    assert "không phải một chi bộ" in reasons[18]
    assert "trước ngày vào Đảng" in reasons[19]
    assert job.counts["rejected"] == 17 and job.counts["new"] == 1
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "Dòng bị từ chối" in html and "chưa đủ 18 tuổi" in html
    commit(client, job_id)
    with app.app_context():
        cards = set(db.session.scalars(select(Member.card_number)))
        assert "52100201" in cards and "52100204" not in cards and "52100210" not in cards
        # the other committee's member was not touched
        assert db.session.get(Member, world.members["mem_c"]).cell_id == world.units["C"]


def test_missing_members_are_listed_and_only_marked_on_request(app, client, world, as_role):
    as_role("staff_d1")
    rows = [member_row("52100001", "Nguyễn Văn Bình", "A")]  # mem_a and new_a left out
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    job = _job(app, job_id)
    names = {m["name"] for m in job.missing}
    assert names == {"Trần Thị Ánh", "Lê Đức Anh"}
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "không có trong tệp" in html and "Trần Thị Ánh" in html
    commit(client, job_id, transfer=[world.members["mem_a"]])
    with app.app_context():
        assert db.session.get(Member, world.members["mem_a"]).status == MemberStatus.TRANSFERRED
        assert db.session.get(Member, world.members["new_a"]).status == MemberStatus.OFFICIAL


def test_commit_rechecks_and_refuses_a_stale_preview(app, client, world, as_role):
    as_role("staff_d1")
    rows = [member_row("52100301", "Hồ Văn Mới", "A")]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    with app.app_context():  # someone else adds the same card meanwhile, in another committee
        from blueprints.units.models import Unit
        from tests.conftest import make_member

        make_member("52100301", "Hồ Văn Mới", db.session.get(Unit, world.units["C"]))
        db.session.commit()
    commit(client, job_id)
    job = _job(app, job_id)
    assert job.status == "preview" and job.error
    assert job.counts["rejected"] == 1


def test_merged_title_rows_trailing_empty_rows_and_any_column_order(app, client, world, as_role):
    as_role("staff_d1")
    headers = ["  HỌ VÀ TÊN ", "so the dang vien", "Mã  chi bộ", "ngày sinh"]
    rows = [["Lý Thị Mai", "52100401", "A", "05/06/1975"]]
    data = xlsx(rows, headers=headers, title_rows=2, trailing_empty=30)
    job = _job(app, job_id_of(upload(client, data, unit_id=world.units["D1"])))
    assert job.status == "preview", job.error
    assert job.counts["new"] == 1 and job.counts["rejected"] == 0


def test_real_excel_dates_and_serial_numbers(app, client, world, as_role):
    from datetime import datetime

    as_role("staff_d1")
    rows = [
        member_row("52100501", "Đỗ Thị Lan", "A", birth=datetime(1968, 3, 1), joined=33000),
    ]
    job_id = job_id_of(upload(client, xlsx(rows), unit_id=world.units["D1"]))
    assert _job(app, job_id).counts["new"] == 1
    commit(client, job_id)
    with app.app_context():
        lan = db.session.scalar(select(Member).where(Member.card_number == "52100501"))
        assert lan.birth_date.isoformat() == "1968-03-01"
        assert lan.joined_on.isoformat() == "1990-05-07"


def test_staff_cannot_import_for_another_committee(app, client, world, as_role):
    as_role("staff_d2")
    response = upload(client, xlsx(CLEAN), unit_id=world.units["D1"])
    assert response.status_code == 200  # not a valid choice for this user
    with app.app_context():
        assert db.session.scalar(select(ImportJob)) is None


def test_members_and_secretaries_cannot_import(client, world, as_role):
    as_role("secretary_a")
    assert client.get("/roster/import").status_code == 403


def test_job_of_another_committee_is_hidden(app, client, world, as_role):
    as_role("staff_d1")
    job_id = job_id_of(upload(client, xlsx(CLEAN), unit_id=world.units["D1"]))
    client.post("/logout", data={"csrf_token": ""})
    client.delete_cookie("sotay_session")
    as_role("staff_d2")
    assert client.get(f"/roster/jobs/{job_id}").status_code == 404


def test_a_second_commit_of_the_same_job_does_nothing(app, client, world, as_role):
    as_role("staff_d1")
    job_id = job_id_of(upload(client, xlsx(CLEAN), unit_id=world.units["D1"]))
    commit(client, job_id)
    commit(client, job_id)
    html = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "không còn chờ xác nhận" in html
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "roster.import_members")
        ).all()
        assert len(entries) == 1


def test_rejected_rows_download_as_csv(app, client, world, as_role):
    import csv
    import io

    as_role("staff_d1")
    from blueprints.roster.reading import MEMBER_HEADERS

    rows = [member_row("", "=HYPERLINK(1)", "A"), member_row("52100901", "Đúng", "A")]
    text = "\n".join(";".join(map(str, r)) for r in [MEMBER_HEADERS, *rows])
    job_id = job_id_of(upload(client, text.encode(), "ds.csv", unit_id=world.units["D1"]))
    response = client.get(f"/roster/jobs/{job_id}/rejected.csv")
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert table[0][0] == "Dòng" and table[1][0] == "2" and "Thiếu số thẻ" in table[1][3]
    assert table[1][2] == "'=HYPERLINK(1)"  # never a live formula in Excel
    assert len(table) == 2
