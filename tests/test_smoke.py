"""First checks that the app starts and the main pages answer in Vietnamese."""


def test_home_is_vietnamese(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="vi"' in html
    assert "Sổ tay đảng viên điện tử" in html


def test_member_logs_in_and_sees_card(client, world, as_role):
    as_role("member_a")
    html = client.get("/me").get_data(as_text=True)
    assert "Trần Thị Ánh" in html
    assert "52100002" in html
    assert "Chi bộ thôn An Phú" in html
    assert "Chính thức" in html
