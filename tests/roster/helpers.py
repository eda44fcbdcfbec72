"""Real roster files for the tests: .xlsx through openpyxl, CSV as bytes."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from pypdf import PdfReader

from blueprints.roster.reading import MEMBER_HEADERS, UNIT_HEADERS
from tests.conftest import csrf_token


def xlsx(rows: list[list], headers=MEMBER_HEADERS, title_rows: int = 0, trailing_empty: int = 0):
    """An .xlsx file: optional merged title rows, the header row, the rows, empty rows."""
    book = Workbook()
    sheet = book.active
    for i in range(title_rows):
        sheet.append(["DANH SÁCH ĐẢNG VIÊN" if i == 0 else None])
        sheet.merge_cells(start_row=i + 1, start_column=1, end_row=i + 1, end_column=len(headers))
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for _ in range(trailing_empty):
        sheet.append([None] * len(headers))
        sheet.cell(row=sheet.max_row, column=1).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def units_xlsx(rows):
    """A units file."""
    return xlsx(rows, headers=UNIT_HEADERS)


def member_row(card, name, cell="A", birth="12/05/1970", gender="Nam", phone="0905111222",
               joined="03/02/1995", official="03/02/1996", status="Chính thức"):  # fmt: skip
    """One member row in template column order."""
    return [card, name, birth, gender, phone, cell, joined, official, status]


def upload(client, data: bytes, filename="ds.xlsx", kind="members", unit_id=None):
    """Post a file to the import form; returns the response (redirect to the job)."""
    token = csrf_token(client, "/roster/import")
    form = {"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), filename)}
    if unit_id is not None:
        form["unit"] = str(unit_id)
    return client.post("/roster/import", data=form, content_type="multipart/form-data")


def job_id_of(response) -> int:
    """Job id from the redirect after an upload."""
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    return int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))


def commit(client, job_id: int, transfer=()):
    """Confirm a previewed job."""
    token = csrf_token(client, f"/roster/jobs/{job_id}")
    return client.post(
        f"/roster/jobs/{job_id}/commit", data={"csrf_token": token, "transfer": list(transfer)}
    )


def pdf_text(data: bytes) -> str:
    """All text of a PDF, through pypdf."""
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def issue_slips(client, unit_id: int, mode: str = "new", **request):
    """Ask for a unit's accounts and, when the issuance ran (jobs run inline in the suite),
    download its slips: the PDF response, or the request's own response when it was refused."""
    form = client.get(f"/roster/units/{unit_id}/accounts", **request).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    response = client.post(
        f"/roster/units/{unit_id}/accounts", data={"csrf_token": token, "mode": mode}, **request
    )
    location = response.headers.get("Location", "")
    if response.status_code != 302 or "/roster/issues/" not in location:
        return response
    page = client.get(location, **request).get_data(as_text=True)
    match = re.search(r'href="([^"]*/slips\.pdf)"', page)
    return client.get(match.group(1), **request) if match else response
