"""The push gateway scaled out on loopback (see conftest.py): a change made through host A
reaches a phone listening through host B; killing host A's app and one of host B's workers in
the middle of a meeting loses no check-in and no vote, and the phones keep receiving."""

from __future__ import annotations

import http.client
import os
import signal
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import create_engine, text

from tests.cluster.conftest import SSE


def post(port: int, path: str, cred: tuple[str, str], form: dict) -> int:
    """One htmx-style POST through a host's nginx; 0 when the connection failed."""
    cookie, csrf = cred
    body = urllib.parse.urlencode(form)
    headers = {
        "Cookie": cookie,
        "X-CSRFToken": csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", path, body=body, headers=headers)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


def post_until_done(ports: list[int], path: str, cred, form: dict) -> int:
    """What a phone does: retry (same form, same key) until an answer that is not an error of
    the gateway or a dead worker, alternating hosts; returns the number of attempts."""
    for attempt in range(1, 40):
        status = post(ports[attempt % len(ports)], path, cred, form)
        if status == 200:
            return attempt
        time.sleep(0.25)
    raise AssertionError(f"{path} never succeeded")


def member_creds(c, meeting_id: int) -> list:
    return [c.creds[c.ids["users"][m]] for m in c.ids["members"][meeting_id]]


def counts(c, meeting_id: int) -> tuple[int, int]:
    engine = create_engine(f"sqlite:///{c.db_path}")
    with engine.connect() as conn:
        present = conn.scalar(
            text(
                "SELECT count(*) FROM meeting_attendance "
                "WHERE meeting_id = :m AND status = 'present'"
            ),
            {"m": meeting_id},
        )
        votes = conn.scalar(
            text(
                "SELECT count(*) FROM meeting_open_votes v JOIN meeting_motions m "
                "ON m.id = v.motion_id WHERE m.meeting_id = :m"
            ),
            {"m": meeting_id},
        )
    engine.dispose()
    return present, votes


def motion_of(c, meeting_id: int) -> int:
    engine = create_engine(f"sqlite:///{c.db_path}")
    with engine.connect() as conn:
        motion = conn.scalar(
            text("SELECT max(id) FROM meeting_motions WHERE meeting_id = :m"), {"m": meeting_id}
        )
    engine.dispose()
    return motion


def test_a_change_through_host_a_reaches_a_phone_on_host_b(push_cluster):
    c = push_cluster
    a, b = c.hosts["a"], c.hosts["b"]
    meeting, other_meeting = c.ids["meetings"]
    phone_cookie = member_creds(c, meeting)[3][0]
    phone = SSE(b.port, meeting, phone_cookie)
    assert phone.status == 200
    # A member of another cell may not listen to this meeting, nor may an anonymous caller.
    assert SSE(b.port, meeting, member_creds(c, other_meeting)[2][0]).status == 403
    assert SSE(b.port, meeting, "sotay_session=nope").status == 403
    secretary = c.creds[c.ids["secretaries"][meeting]]
    item = c.items[meeting][2]
    assert post(a.port, f"/meetings/{meeting}/current", secretary, {"item_id": item}) == 200
    message = phone.wait_for(lambda m: "parts" in m and m["v"] > 0)
    assert set(message) >= {"v", "lang", "shape", "parts"}
    assert "Đang bàn" in message["parts"]["head"]
    phone.close()


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def test_killing_a_host_and_a_worker_loses_no_checkin_or_vote(push_cluster):
    c = push_cluster
    a, b = c.hosts["a"], c.hosts["b"]
    meeting = c.ids["meetings"][1]
    creds = member_creds(c, meeting)
    secretary = c.creds[c.ids["secretaries"][meeting]]
    # Half the phones listen through host A's gateway, half through host B's.
    phones = [SSE((a, b)[i % 2].port, meeting, cred[0]) for i, cred in enumerate(creds)]
    assert all(p.status == 200 for p in phones)
    checkin = f"/meetings/{meeting}/checkin"
    # The first half check in; then host A's app dies (all its processes).
    for cred in creds[:3]:
        post_until_done([a.port], checkin, cred, {"code": c.code(meeting)})
    os.killpg(a.app.pid, signal.SIGKILL)
    a.app.wait()
    # The rest check in through host A's nginx (now sent on to host B) and through B.
    form = {"code": c.code(meeting)}
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda cr: post_until_done([a.port, b.port], checkin, cr, form), creds[3:]))
    assert counts(c, meeting)[0] == len(creds)

    assert (
        post_until_done(
            [b.port],
            f"/meetings/{meeting}/motions",
            secretary,
            {"text": "Thông qua", "majority": "all", "confirm_no_quorum": "1"},
        )
        >= 1
    )
    motion = motion_of(c, meeting)
    vote = f"/meetings/{meeting}/motions/{motion}/vote"
    # One of host B's workers dies while the votes arrive; each phone retries, some twice.
    worker = _children(b.app.pid)[0]
    with ThreadPoolExecutor(6) as pool:
        futures = [
            pool.submit(post_until_done, [a.port, b.port], vote, cr, {"choice": "yes"})
            for cr in creds + creds[:2]
        ]
        os.kill(worker, signal.SIGKILL)
        [f.result() for f in futures]
    assert counts(c, meeting) == (len(creds), len(creds))

    # The phones recover: every one of them (on A's gateway too) gets the next change,
    # and a phone reconnecting through host A (whose app is dead) is let in by host B's app.
    assert (
        post_until_done(
            [a.port], f"/meetings/{meeting}/current", secretary, {"item_id": c.items[meeting][1]}
        )
        >= 1
    )
    for phone in phones:
        phone.wait_for(lambda m: "Đang bàn" in m["parts"]["head"] and m["v"] > 0)
        phone.close()
    again = SSE(a.port, meeting, creds[0][0])
    assert again.status == 200
    again.close()
    c.start_app(a)  # host A back, for any later test
