"""Suggestions to departments (意见建议): the office writes one from a common problem
(共性问题) or a round's report, with a reply deadline; the department answers with the
measures taken and the rules changed; the office accepts the reply or sends it back."""
from enum import Enum

from .lifecycle import Machine, create, move, stay


class SuggestionStatus(str, Enum):
    SENT = "sent"            # 已发出, reply owed
    REPLIED = "replied"      # 已反馈, waiting for the office
    ACCEPTED = "accepted"    # 已办结: the office accepted the reply


class SuggestionSource(str, Enum):
    COMMON_PROBLEM = "common_problem"   # GET stats/common-problems: kind:key
    ROUND_REPORT = "round_report"       # 巡察报告 of a round
    OTHER = "other"


STATUS_LABELS = {SuggestionStatus.SENT: "待反馈", SuggestionStatus.REPLIED: "已反馈待审核",
                 SuggestionStatus.ACCEPTED: "已办结"}

S = SuggestionStatus
MACHINE = Machine("suggestion", label="意见建议", states=STATUS_LABELS, transitions={
    "send": create(S.SENT.value),
    "reply": move({S.SENT.value: S.REPLIED.value}),
    "accept": move({S.REPLIED.value: S.ACCEPTED.value}),
    "send_back": move({S.REPLIED.value: S.SENT.value}),   # not enough: reply again, by a new deadline
    "remind": stay([S.SENT.value]),
    "overdue": stay([S.SENT.value]),
    "escalate": stay([S.SENT.value]),
})
OWED = (S.SENT.value,)

FIELDS = ("county_code", "department_code", "status", "overdue", "first_replied_at", "replied_on_time")


def contribution(snap: dict) -> dict[str, int]:
    d = snap.get("department_code") or "unknown"
    out = {"sent": 1, f"department.{d}.sent": 1}
    if snap.get("first_replied_at"):
        out.update({"replied": 1, f"department.{d}.replied": 1})
        if snap.get("replied_on_time"):
            out.update({"replied_on_time": 1, f"department.{d}.replied_on_time": 1})
    if snap.get("status") == S.ACCEPTED.value:
        out.update({"accepted": 1, f"department.{d}.accepted": 1})
    if snap.get("status") == S.SENT.value and snap.get("overdue"):
        out.update({"overdue": 1, f"department.{d}.overdue": 1})
    return out
