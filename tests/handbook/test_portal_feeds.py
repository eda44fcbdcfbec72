"""The portal finds the feeds: <link rel="alternate"> on home, news and documents; a feed of
province-wide official documents; imported portal items keep their source link."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from blueprints.handbook.models import Kind
from tests.handbook.helpers import make_article

ATOM = "{http://www.w3.org/2005/Atom}"


def test_pages_advertise_both_feeds(client, world, as_role):
    as_role("member_a")
    for path in ("/", "/news/", "/documents/"):
        html = client.get(path).get_data(as_text=True)
        assert 'type="application/atom+xml"' in html, path
        assert 'href="/news/feed.atom"' in html and 'href="/documents/feed.atom"' in html, path


def test_documents_feed_lists_province_documents_without_their_text(app, client, world):
    with app.app_context():
        make_article(
            world.units["P"],
            "Kế hoạch triển khai sổ tay",
            "Nội dung **nội bộ**.",
            kind=Kind.DOCUMENT,
            doc_number="01-KH/TU",
            issuer="Tỉnh ủy",
            summary="Lộ trình cấp tài khoản.",
        )
        make_article(world.units["D1"], "Văn bản riêng một đơn vị", kind=Kind.DOCUMENT)
    response = client.get("/documents/feed.atom")
    assert response.status_code == 200 and response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.data)  # noqa: S314 - our own output
    entries = list(root.iter(f"{ATOM}entry"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "Kế hoạch triển khai sổ tay (01-KH/TU)"
    ]
    assert entries[0].find(f"{ATOM}content") is None  # the text stays behind the login
    assert entries[0].findtext(f"{ATOM}summary") == "Lộ trình cấp tài khoản."
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "Tỉnh ủy"


def test_imported_items_keep_their_source_link(app, client, world, as_role):
    source = "https://congthongtin.example.vn/tin/hoi-nghi"
    with app.app_context():
        article_id = make_article(world.units["P"], "Tin từ cổng", source_url=source)
    root = ET.fromstring(client.get("/news/feed.atom").data)  # noqa: S314
    via = [link.get("href") for link in root.iter(f"{ATOM}link") if link.get("rel") == "via"]
    assert via == [source]
    as_role("member_a")
    assert source in client.get(f"/news/{article_id}").get_data(as_text=True)
