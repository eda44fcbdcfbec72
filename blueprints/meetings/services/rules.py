"""The Party's rules for a cell meeting's votes: who votes, the base a majority and the quorum
are counted on, and what a motion needs to pass. One place, cited beside each rule.

Texts (GUIDE §9): Điều lệ Đảng Cộng sản Việt Nam (Đại hội XI, 2011) and the Central
Committee's Quy định 294-QĐ/TW of 26/5/2025 on implementing it (in force 1/7/2025, replacing
24-QĐ/TW of 2021 and 232-QĐ/TW of 1/2025, whose points on these questions it carries over).

- Who votes: Điều lệ Đảng, Điều 3 (last paragraph): a probationary member (đảng viên dự bị,
  Điều 5: the twelve months after admission) has every right of a member except voting,
  standing and electing. So only official members vote; probationary members take part,
  speak and send opinions.
- The base (the official members "convened"): Quy định 294-QĐ/TW, the point on Điều lệ
  Điều 9 khoản 5 ("a resolution is valid when more than half of the members approve"): at a
  meeting of all Party members of a cell the number of members is the official members
  convened, leaving out members temporarily attached to another Party organisation and members
  exempt from Party work and activities (miễn công tác và sinh hoạt đảng) who are not present;
  an exempt member who does come and takes part in the vote is counted.
- The quorum: at least two thirds of the official members convened present (the same base),
  the threshold Party practice applies to meetings of members. A cell may ask for more
  (`Meeting.quorum_percent` above 67), never less. The base's wording was checked against
  reports of the text 294-QĐ/TW carries over (24-QĐ/TW point 9.3.2); the point that sets the
  two thirds could not be found in the texts and reports available here, so no screen or
  minutes cite a regulation for the number: they state it ("hai phần ba số đảng viên chính
  thức được triệu tập") and the cell's own setting decides.
- The majority: more than half of the base approve (Điều 9 khoản 5). A cell may ask for two
  thirds of the base (as the Statute itself does for admissions, Điều 4).

Suspended or prosecuted members, also left out of the base by the regulation, are not held in
the roster; a secretary marks them "Sinh hoạt tạm thời nơi khác" only if that is the case, and
otherwise the upper committee's guidance applies (the handbook says so).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from blueprints.meetings.models import Attend, Majority
from blueprints.members.models import MemberStatus

# The quorum: two thirds of the base (see above for its source).
STATUTE_QUORUM = (2, 3)
# A cell's own quorum at or below this percentage is the Statute's two thirds exactly.
STATUTE_QUORUM_PERCENT = 67

# Shown on the phone of a probationary member and when the server refuses their vote: words,
# not a code, with what they can do instead.
PROBATIONARY_NO_VOTE = _l(
    "Đồng chí là đảng viên dự bị. Theo Điều lệ Đảng (Điều 3), đảng viên dự bị có mọi quyền "
    "của đảng viên trừ quyền biểu quyết, ứng cử và bầu cử, nên không biểu quyết nội dung này. "
    "Đồng chí vẫn được phát biểu và gửi ý kiến; nếu đồng chí đã được công nhận chính thức, hãy "
    "báo bí thư chi bộ cập nhật hồ sơ."
)
NOT_A_VOTER = _l(
    "Đồng chí này không thuộc số đảng viên chính thức được biểu quyết (đảng viên dự bị hoặc "
    "đang sinh hoạt tạm thời nơi khác). Theo Điều lệ Đảng, Điều 3, chỉ đảng viên chính thức "
    "biểu quyết."
)


def may_vote(member_status: str) -> bool:
    """Whether a member of this status votes (Điều lệ Đảng, Điều 3: not a probationary one).

    An exempt member (miễn sinh hoạt) is an official member: one who comes and is present
    votes and is counted (Quy định 294-QĐ/TW, point on Điều 9 khoản 5).
    """
    return member_status in (MemberStatus.OFFICIAL, MemberStatus.EXEMPT)


def left_out_of_base(member_status: str, attend: str) -> bool:
    """Whether an official member is left out of the base (and of the quorum's count).

    Quy định 294-QĐ/TW (point on Điều 9 khoản 5): exempt members who are not present, and
    members temporarily attached to another Party organisation.
    """
    if attend == Attend.AWAY:
        return True
    exempt = member_status == MemberStatus.EXEMPT or attend == Attend.EXEMPT
    return exempt and attend != Attend.PRESENT


def quorum_needed(base: int, cell_percent: int = STATUTE_QUORUM_PERCENT) -> int:
    """The fewest official members present for a valid meeting: two thirds of the base, or
    the cell's stricter percentage when it set one."""
    num, den = STATUTE_QUORUM
    needed = -(-base * num // den)  # ceiling
    if cell_percent > STATUTE_QUORUM_PERCENT:
        needed = max(needed, -(-base * cell_percent // 100))
    return needed


def passes(majority: str, yes: int, base: int) -> bool:
    """Whether `yes` approvals carry a motion on `base` (Điều lệ Đảng, Điều 9 khoản 5: more
    than half; a cell's stricter rule: at least two thirds)."""
    if base <= 0:
        return False
    if majority == Majority.TWO_THIRDS:
        return yes * 3 >= base * 2
    return yes * 2 > base


def majority_needed(majority: str, base: int) -> int:
    """The fewest approvals that carry a motion on `base` (for the console and the minutes)."""
    if majority == Majority.TWO_THIRDS:
        return -(-base * 2 // 3)
    return base // 2 + 1
