"""Units import: create and update under one's committee, with checks."""

from __future__ import annotations

from sqlalchemy import select

from blueprints.roster.models import ImportJob
from blueprints.roster.reading import UNIT_HEADERS
from blueprints.roster.reasons import reason_text
from blueprints.units.models import Unit
from core.extensions import db
from tests.roster.helpers import commit, job_id_of, units_xlsx, upload


def _job(app, job_id):
    with app.app_context():
        job = db.session.get(ImportJob, job_id)
        job.rejected, job.changes  # noqa: B018 - load before detaching
        db.session.expunge(job)
        return job


def test_units_file_creates_tree_and_reports_problems(app, client, world, as_role):
    as_role("staff_d1")
    rows = [
        ["CB-D", "Chi bộ thôn Đông", "G2", "chi bộ"],  # 2: parent created later in the file
        ["G2", "Đảng bộ xã Tịnh Ấn", "D1", "cơ sở"],  # 3
        ["A", "Chi bộ thôn An Phú (mới)", "G1", "Chi bộ"],  # 4: rename
        ["CB-X", "Chi bộ ngoài", "D2", "chi bộ"],  # 5: parent outside D1
        ["CB-Y", "Chi bộ lạc", "KHONGCO", "chi bộ"],  # 6: unknown parent
        ["CB-Z", "Chi bộ lạ", "G1", "tổ"],  # 7: unknown kind
        ["G3", "Đảng bộ dưới chi bộ", "A", "cơ sở"],  # 8: a cell cannot hold units
        ["CB-Q", "Trùng 1", "G1", "chi bộ"],  # 9
        ["CB-Q", "Trùng 2", "G1", "chi bộ"],  # 10
        ["C", "Chi bộ của huyện khác", "D2", "chi bộ"],  # 11: not ours
    ]
    job_id = job_id_of(upload(client, units_xlsx(rows), kind="units", unit_id=world.units["D1"]))
    job = _job(app, job_id)
    assert job.status == "preview", job.error
    rejected = {
        r["row"]: " ".join(reason_text(c, p) for c, p in r["reasons"]) for r in job.rejected
    }
    assert set(rejected) == {5, 6, 7, 8, 9, 10, 11}
    assert "KHONGCO" in rejected[6]
    assert "phạm vi" in rejected[5] and "phạm vi" in rejected[11]
    assert job.counts["new"] == 2 and job.counts["changed"] == 1
    # The preview says what changes for an existing unit, old → new.
    assert job.changes == [
        {
            "row": 4,
            "card": "A",
            "name": "Chi bộ thôn An Phú",
            "fields": [["unit_name", "Chi bộ thôn An Phú", "Chi bộ thôn An Phú (mới)"]],
        }
    ]
    page = client.get(f"/roster/jobs/{job_id}").get_data(as_text=True)
    assert "Tên đơn vị: Chi bộ thôn An Phú → Chi bộ thôn An Phú (mới)" in page
    commit(client, job_id)
    with app.app_context():
        g2 = db.session.scalar(select(Unit).where(Unit.code == "G2"))
        cell = db.session.scalar(select(Unit).where(Unit.code == "CB-D"))
        assert cell.parent_id == g2.id and cell.path.startswith(g2.path)
        assert db.session.get(Unit, world.units["A"]).name == "Chi bộ thôn An Phú (mới)"
    again = _job(
        app,
        job_id_of(upload(client, units_xlsx(rows[:3]), kind="units", unit_id=world.units["D1"])),
    )
    assert again.counts["unchanged"] == 3


def test_cli_imports_units_and_members(app, runner, world, tmp_path):
    from tests.roster.helpers import member_row, xlsx

    units = tmp_path / "donvi.xlsx"
    units.write_bytes(units_xlsx([["CB-M", "Chi bộ Mới", "G1", "chi bộ"]]))
    result = runner.invoke(args=["units", "import", str(units)])
    assert result.exit_code == 0, result.output
    members = tmp_path / "dangvien.xlsx"
    members.write_bytes(
        xlsx([member_row("52100801", "Tạ Văn Khoa", "CB-M"), member_row("", "X", "CB-M")])
    )
    dry = runner.invoke(args=["members", "import", str(members), "--dry-run"])
    assert dry.exit_code == 0 and "Mới: 1" in dry.output and "Dòng 3" in dry.output
    from blueprints.members.models import Member

    with app.app_context():
        assert db.session.scalar(select(Member).where(Member.card_number == "52100801")) is None
    real = runner.invoke(args=["members", "import", str(members)])
    assert real.exit_code == 0, real.output
    with app.app_context():
        assert db.session.scalar(select(Member).where(Member.card_number == "52100801"))
    bad = tmp_path / "x.csv"
    bad.write_bytes(b"\x00\x01\x02" * 40)
    refused = runner.invoke(args=["members", "import", str(bad)])
    assert refused.exit_code != 0 and "không phải bảng tính" in refused.output


def test_cli_builds_a_whole_tree_on_an_empty_database(app, runner, tmp_path):
    rows = [
        ["QN", "Tỉnh ủy Quảng Ngãi", "", "tỉnh"],
        ["ST", "Huyện ủy Sơn Tịnh", "QN", "huyện"],
        ["TH", "Đảng bộ xã Tịnh Hà", "ST", "cơ sở"],
        ["TH-01", "Chi bộ thôn Phú Lộc", "TH", "chi bộ"],
        ["VP", "Chi bộ Văn phòng Tỉnh ủy", "QN", "chi bộ"],  # a cell directly under the province
    ]
    file = tmp_path / "donvi.csv"
    file.write_text("\n".join(",".join(r) for r in [UNIT_HEADERS, *rows]), encoding="utf-8-sig")
    result = runner.invoke(args=["units", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert "Mới: 5" in result.output
    with app.app_context():
        cell = db.session.scalar(select(Unit).where(Unit.code == "TH-01"))
        assert cell.depth == 3 and cell.is_cell
        assert len(cell.ancestor_ids) == 4
    again = runner.invoke(args=["units", "import", str(file)])
    assert "không đổi: 5" in again.output


def test_cli_builds_the_post_2025_tree_and_still_takes_an_old_district(app, runner, tmp_path):
    """Quy định 294-QĐ/TW: communes and bodies directly under the Tỉnh ủy; any depth below."""
    rows = [
        ["QN", "Tỉnh ủy Quảng Ngãi", "", "tỉnh"],
        ["X-TK", "Đảng bộ xã Tịnh Khê", "QN", "xã"],
        ["P-CT", "Đảng bộ phường Cẩm Thành", "QN", "phường"],
        ["DK-LS", "Đảng bộ đặc khu Lý Sơn", "QN", "đặc khu"],
        ["UB", "Đảng bộ Ủy ban nhân dân tỉnh", "QN", "trực thuộc"],
        ["UB-SYT", "Đảng bộ Sở Y tế", "UB", "cơ sở"],
        ["UB-SYT-1", "Chi bộ Phòng Nghiệp vụ Y", "UB-SYT", "chi bộ"],
        ["X-TK-01", "Chi bộ thôn Cổ Lũy", "X-TK", "chi bộ"],  # a cell right under the commune
        # an old roster's district, above an old-style commune grassroots committee
        ["HU-ST", "Huyện ủy Sơn Tịnh", "QN", "huyện"],
        ["HU-ST-TH", "Đảng bộ xã Tịnh Hà", "HU-ST", "xã"],
        ["HU-ST-TH-1", "Chi bộ thôn Phú Lộc", "HU-ST-TH", "chi bộ"],
        ["BAD", "Chi bộ con của chi bộ", "X-TK-01", "chi bộ"],
    ]
    file = tmp_path / "donvi.csv"
    file.write_text("\n".join(",".join(r) for r in [UNIT_HEADERS, *rows]), encoding="utf-8-sig")
    result = runner.invoke(args=["units", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert "Mới: 11" in result.output
    with app.app_context():
        kinds = dict(db.session.execute(select(Unit.code, Unit.kind)).all())
        assert kinds["X-TK"] == kinds["P-CT"] == kinds["DK-LS"] == "commune"
        assert kinds["UB"] == "direct" and kinds["HU-ST"] == "committee"
        assert db.session.scalar(select(Unit).where(Unit.code == "HU-ST-TH-1")).depth == 3
        assert "BAD" not in kinds
