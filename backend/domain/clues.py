"""Problem clues (问题线索): their states, receivers, dispositions and figures.

A clue never enters the ticket loop. The office registers it (登记), transfers it (移交)
with a transfer document to the discipline commission or the organisation department,
naming the handlers there, and the receiver feeds back its disposition within a period
(default 3 months). Only the office and the named handlers ever see a clue.
"""
from enum import Enum

from .lifecycle import Machine, create, move, stay


class ClueStatus(str, Enum):
    REGISTERED = "registered"    # 已登记
    TRANSFERRED = "transferred"  # 已移交, feedback owed
    FED_BACK = "fed_back"        # 已反馈 (a later disposition may follow: 初步核实 → 立案审查)


class ClueSource(str, Enum):
    FINDING = "finding"          # an inspector's finding (the 组长's review at merge)
    REPORT = "report"            # a villager's report (码上巡视), through the same review
    LETTER = "letter"            # 来信来访 received by the office
    OTHER = "other"


class Receiver(str, Enum):
    DISCIPLINE_COMMISSION = "discipline_commission"  # 县纪委监委
    ORGANIZATION_DEPT = "organization_dept"          # 县委组织部


class Disposition(str, Enum):
    TALK_INQUIRY = "talk_inquiry"                      # 谈话函询
    PRELIMINARY_CHECK = "preliminary_check"            # 初步核实
    HOLD = "hold"                                      # 暂存待查
    CLOSED_OUT = "closed_out"                          # 予以了结
    CASE_OPENED = "case_opened"                        # 立案审查


DISPOSITION_LABELS = {Disposition.TALK_INQUIRY: "谈话函询", Disposition.PRELIMINARY_CHECK: "初步核实",
                      Disposition.HOLD: "暂存待查", Disposition.CLOSED_OUT: "予以了结",
                      Disposition.CASE_OPENED: "立案审查"}
STATUS_LABELS = {ClueStatus.REGISTERED: "已登记", ClueStatus.TRANSFERRED: "已移交",
                 ClueStatus.FED_BACK: "已反馈"}

S = ClueStatus
MACHINE = Machine("clue", label="线索", states=STATUS_LABELS, transitions={
    "register": create(S.REGISTERED.value),
    "transfer": move({S.REGISTERED.value: S.TRANSFERRED.value}),
    "handlers": stay([S.TRANSFERRED.value, S.FED_BACK.value]),   # the office names other handlers
    # a later disposition replaces the first one
    "feedback": {S.TRANSFERRED.value: frozenset({S.FED_BACK.value}), S.FED_BACK.value: frozenset({S.FED_BACK.value})},
    # the reply clock (services/reply_clock.py), only while feedback is owed
    "remind": stay([S.TRANSFERRED.value]),
    "overdue": stay([S.TRANSFERRED.value]),
    "escalate": stay([S.TRANSFERRED.value]),
})
OWED = (S.TRANSFERRED.value,)   # statuses whose reply clock runs

# What a clue adds to its county's figures (services/followups.Tallies); a snapshot dict.
FIELDS = ("county_code", "status", "receiver", "disposition", "overdue", "fed_back_on_time",
          "first_fed_back_at", "transferred_at")


def contribution(snap: dict) -> dict[str, int]:
    out = {"registered": 1}
    if snap.get("transferred_at"):
        receiver = snap.get("receiver") or "unknown"
        out.update({"transferred": 1, f"receiver.{receiver}.transferred": 1})
        if snap.get("first_fed_back_at"):
            out.update({"fed_back": 1, f"receiver.{receiver}.fed_back": 1})
            if snap.get("fed_back_on_time"):
                out["fed_back_on_time"] = 1
        if snap.get("status") == S.TRANSFERRED.value and snap.get("overdue"):
            out.update({"overdue": 1, f"receiver.{receiver}.overdue": 1})
    if snap.get("disposition"):
        out[f"disposition.{snap['disposition']}"] = 1
    return out
