"""The inspected unit's rectification (整改) after 反馈: the case of one unit in one round,
its problems, their clocks and the figures they add. Plain Python.

A unit is a village party organisation (`org:<id>`) or a county department
(`dept:<code>`). After the office's feedback the case waits for the 整改方案 (plan), which
the office approves or returns; then the problems are rectified and each is closed (销号)
by the office only, on evidence.

Problem states:
    pending_feedback ─feed_back─▶ fed_back ─plan approved─▶ rectifying ─request closure─▶
    closure_requested ─销号─▶ closed;   closure_requested ─closure returned─▶ rectifying
    closed ─回头看 finds it back─▶ rectifying (reopen_count + 1)
A 立行立改 problem is fixed through its department ticket: the office closes it once the
ticket is closed as fixed, from fed_back or rectifying.

`overdue` and `escalation_level` are flags, as on tickets. A 限期 problem's clock is its
deadline; a 长期 problem's clock is its next milestone not yet done, so it is never overdue
while its milestones are on time.
"""
from datetime import date, datetime, timedelta
from enum import Enum

from .followups import add_months, end_of_day, local_day  # noqa: F401 (the reply clock's days)
from .lifecycle import Machine, create, move, stay
from .messages import _


class ProblemStatus(str, Enum):
    PENDING_FEEDBACK = "pending_feedback"
    FED_BACK = "fed_back"
    RECTIFYING = "rectifying"
    CLOSURE_REQUESTED = "closure_requested"
    CLOSED = "closed"


PS = ProblemStatus
OPEN_PROBLEM_STATES = frozenset({PS.FED_BACK.value, PS.RECTIFYING.value, PS.CLOSURE_REQUESTED.value})
STATUS_LABELS = {"pending_feedback": "待反馈", "fed_back": "已反馈待整改", "rectifying": "整改中",
                 "closure_requested": "申请销号", "closed": "已销号"}


class ProblemAction(str, Enum):
    OPEN = "open"                        # approved in review: the problem exists
    FEED_BACK = "feed_back"              # 反馈: the unit receives it
    MEASURES = "measures"                # the approved plan's measures, 责任人 and deadline
    PROGRESS = "progress"                # 进展 (optionally a milestone done)
    EVIDENCE = "evidence"                # a photo or document added
    REQUEST_CLOSURE = "request_closure"  # the unit asks for 销号 with its evidence
    RETURN_CLOSURE = "return_closure"    # the office: not yet
    CHECK = "check"                      # the office asks an inspector to check on site
    CHECK_RESULT = "check_result"        # the inspector's on-site result
    CLOSE = "close"                      # 销号 by the office
    OVERDUE = "overdue"
    ESCALATE = "escalate"                # 督办
    HANDOVER = "handover"                # 责任交接
    REOPEN = "reopen"                    # 回头看 found it back


OPEN_STATES = [PS.FED_BACK.value, PS.RECTIFYING.value, PS.CLOSURE_REQUESTED.value]
PROBLEM_MACHINE = Machine("problem", label="整改问题", states=STATUS_LABELS, transitions={
    ProblemAction.OPEN.value: create(PS.PENDING_FEEDBACK.value),
    ProblemAction.FEED_BACK.value: move({PS.PENDING_FEEDBACK.value: PS.FED_BACK.value}),
    ProblemAction.MEASURES.value: move({PS.FED_BACK.value: PS.RECTIFYING.value}) | stay(
        [PS.RECTIFYING.value]),
    ProblemAction.PROGRESS.value: stay([PS.FED_BACK.value, PS.RECTIFYING.value]),
    ProblemAction.EVIDENCE.value: stay([PS.FED_BACK.value, PS.RECTIFYING.value]),
    ProblemAction.REQUEST_CLOSURE.value: move({PS.RECTIFYING.value: PS.CLOSURE_REQUESTED.value}),
    ProblemAction.RETURN_CLOSURE.value: move({PS.CLOSURE_REQUESTED.value: PS.RECTIFYING.value}),
    ProblemAction.CHECK.value: stay([PS.CLOSURE_REQUESTED.value]),
    ProblemAction.CHECK_RESULT.value: stay([PS.CLOSURE_REQUESTED.value]),
    ProblemAction.CLOSE.value: {PS.CLOSURE_REQUESTED.value: frozenset({PS.CLOSED.value}),
                                PS.FED_BACK.value: frozenset({PS.CLOSED.value}),
                                PS.RECTIFYING.value: frozenset({PS.CLOSED.value})},
    ProblemAction.OVERDUE.value: stay(OPEN_STATES),
    ProblemAction.ESCALATE.value: stay(OPEN_STATES),
    ProblemAction.HANDOVER.value: stay([PS.PENDING_FEEDBACK.value, *OPEN_STATES]),
    ProblemAction.REOPEN.value: move({PS.CLOSED.value: PS.RECTIFYING.value}),
})


class CaseStatus(str, Enum):
    FED_BACK = "fed_back"                # the plan is awaited
    PLAN_SUBMITTED = "plan_submitted"
    PLAN_RETURNED = "plan_returned"
    RECTIFYING = "rectifying"            # plan approved
    REPORTED = "reported"                # 整改情况报告 submitted
    EVALUATED = "evaluated"              # 整改评估 scored


CS = CaseStatus
CASE_STATUS_LABELS = {CS.FED_BACK: "待报整改方案", CS.PLAN_SUBMITTED: "整改方案待审核",
                      CS.PLAN_RETURNED: "整改方案已退回", CS.RECTIFYING: "整改中",
                      CS.REPORTED: "已报整改情况", CS.EVALUATED: "已评估"}


class CaseAction(str, Enum):
    FEED_BACK = "feed_back"
    SUBMIT_PLAN = "submit_plan"
    APPROVE_PLAN = "approve_plan"
    RETURN_PLAN = "return_plan"
    PROGRESS = "progress"
    SUBMIT_REPORT = "submit_report"
    EVALUATE = "evaluate"
    PLAN_OVERDUE = "plan_overdue"
    REPORT_OVERDUE = "report_overdue"
    ADD_PROBLEMS = "add_problems"        # problems approved after the first feedback
    HANDOVER = "handover"
    LOOKBACK = "lookback"                # chosen for 回头看


ALL_CASE_STATES = [s.value for s in CaseStatus]
CASE_MACHINE = Machine("rectification", label="整改", states=CASE_STATUS_LABELS, transitions={
    CaseAction.FEED_BACK.value: create(CS.FED_BACK.value),
    CaseAction.SUBMIT_PLAN.value: move({CS.FED_BACK.value: CS.PLAN_SUBMITTED.value,
                                        CS.PLAN_RETURNED.value: CS.PLAN_SUBMITTED.value}),
    CaseAction.APPROVE_PLAN.value: move({CS.PLAN_SUBMITTED.value: CS.RECTIFYING.value}),
    CaseAction.RETURN_PLAN.value: move({CS.PLAN_SUBMITTED.value: CS.PLAN_RETURNED.value}),
    CaseAction.PROGRESS.value: stay([CS.RECTIFYING.value, CS.REPORTED.value]),
    CaseAction.SUBMIT_REPORT.value: move({CS.RECTIFYING.value: CS.REPORTED.value}) | stay([CS.REPORTED.value]),
    CaseAction.EVALUATE.value: move({CS.RECTIFYING.value: CS.EVALUATED.value,
                                     CS.REPORTED.value: CS.EVALUATED.value}),
    CaseAction.PLAN_OVERDUE.value: stay([CS.FED_BACK.value, CS.PLAN_SUBMITTED.value, CS.PLAN_RETURNED.value]),
    CaseAction.REPORT_OVERDUE.value: stay([CS.RECTIFYING.value]),
    CaseAction.ADD_PROBLEMS.value: stay(ALL_CASE_STATES),
    CaseAction.HANDOVER.value: stay(ALL_CASE_STATES),
    CaseAction.LOOKBACK.value: stay([CS.RECTIFYING.value, CS.REPORTED.value, CS.EVALUATED.value]),
})


# ---------------------------------------------------------------- clocks

DEFAULT_PLAN_DAYS = 30          # 整改方案 within this many days of feedback
DEFAULT_REPORT_MONTHS = 2       # 整改情况报告 at the end of the concentrated period


def deadline_after(start: date, days: int | None = None, months: int | None = None) -> date:
    """限期整改: a deadline of `days` days or `months` months after `start` (feedback day)."""
    if months:
        return add_months(start, months)
    return start + timedelta(days=days or 0)


def current_clock(problem_class: str, due_on: str | None, milestones: list[dict]) -> str | None:
    """The ISO day a problem is next measured against: a 限期 problem's deadline, a 长期
    problem's next milestone not done (none once all are done), none for 立行立改 (its
    ticket has its own clocks)."""
    if problem_class == "long_term":
        pending = sorted(m["due_on"] for m in milestones if not m.get("done_at"))
        return pending[0] if pending else None
    if problem_class == "deadline":
        return due_on
    return None


# ---------------------------------------------------------------- figures

FIELDS = ("county_code", "round_id", "unit_key", "status", "problem_class", "fed_back_at", "due_at")


def contribution(problem: dict) -> dict[str, int]:
    """What one problem adds to its unit's cell in its round's counter document."""
    out = {"problems": 1, f"class_{problem['problem_class']}": 1, f"state_{problem['status']}": 1}
    if problem.get("fed_back_at"):
        out["fed_back"] = 1
    if problem["status"] == PS.CLOSED.value:
        out["closed"] = 1
    return out


def open_due(problem: dict) -> datetime | None:
    """The clock of an open problem (for the overdue count, read against now)."""
    if problem["status"] in OPEN_PROBLEM_STATES and problem.get("due_at"):
        return problem["due_at"]
    return None


def completion_rate(closed: int, fed_back: int) -> float | None:
    """整改完成率: problems closed (销号) ÷ problems fed back."""
    return round(closed / fed_back, 4) if fed_back else None


# ---------------------------------------------------------------- 整改评估

DEFAULT_CHECKLIST = (
    {"code": "plan", "label": "整改方案针对性、可操作性", "weight": 20},
    {"code": "measures", "label": "整改措施落实到位", "weight": 40},
    {"code": "on_time", "label": "按期完成整改", "weight": 20},
    {"code": "mechanism", "label": "建章立制、长效机制", "weight": 10},
    {"code": "satisfaction", "label": "群众满意度", "weight": 10},
)


class ChecklistError(ValueError):
    def __init__(self, errors: dict):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def check_checklist(items: list[dict]) -> None:
    codes = [i["code"] for i in items]
    errors = {}
    if len(set(codes)) != len(codes):
        errors["items"] = _("The codes of the checklist must be distinct.")
    if sum(i["weight"] for i in items) != 100:
        errors["weights"] = _("The weights must add up to 100; they add up to %(total)s.",
                              total=sum(i["weight"] for i in items))
    if errors:
        raise ChecklistError(errors)


def weighted_score(items: list[dict], scores: dict[str, float]) -> float:
    """The evaluation's score out of 100: each item scored 0–100, weighted."""
    missing = [i["code"] for i in items if i["code"] not in scores]
    unknown = [c for c in scores if c not in {i["code"] for i in items}]
    errors = {}
    if missing:
        errors["missing"] = _("Not scored: %(codes)s", codes=", ".join(missing))
    if unknown:
        errors["unknown"] = _("Not items of the checklist: %(codes)s", codes=", ".join(unknown))
    bad = [c for c, s in scores.items() if not 0 <= s <= 100]
    if bad:
        errors["range"] = _("Not between 0 and 100: %(codes)s", codes=", ".join(bad))
    if errors:
        raise ChecklistError(errors)
    return round(sum(i["weight"] * scores[i["code"]] for i in items) / 100, 2)


def grade(score: float) -> str:
    """好 (90+), 较好 (80+), 一般 (60+), 差."""
    return "good" if score >= 90 else "fair" if score >= 80 else "average" if score >= 60 else "poor"
