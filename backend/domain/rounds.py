"""The inspection round (一轮巡察) and the review of its 问题底稿: phases, review decisions,
and their state machines. Plain Python.

Round phases, moved forward one at a time by the office:
    entry (进驻) → inspection (巡察) → report (报告) → feedback (反馈) → rectification (整改)
    → evaluation (评估)

A 底稿 entry waits in its round's review queue (`pending`); the team leader (组长)
approves it, sends it back to its author with a reason (`returned`: the author resubmits
a new revision and it is `pending` again), merges it into another entry (`merged`), or
does not accept it (`rejected`). Entries come from inspectors' findings (`source_kind`
"finding"); other kinds of entry (villagers' reports) join the same queue with their own
source kind.
"""
from enum import Enum

from .lifecycle import Machine, create, move, stay


class Phase(str, Enum):
    ENTRY = "entry"                  # 进驻
    INSPECTION = "inspection"        # 巡察
    REPORT = "report"                # 报告
    FEEDBACK = "feedback"            # 反馈
    RECTIFICATION = "rectification"  # 整改
    EVALUATION = "evaluation"        # 评估


PHASES = [p.value for p in Phase]
PHASE_LABELS = {"entry": "进驻", "inspection": "巡察", "report": "报告", "feedback": "反馈",
                "rectification": "整改", "evaluation": "评估"}


def next_phase(phase: str) -> str | None:
    i = PHASES.index(phase)
    return PHASES[i + 1] if i + 1 < len(PHASES) else None


def phase_reached(current: str, wanted: str) -> bool:
    return PHASES.index(current) >= PHASES.index(wanted)


class RoundAction(str, Enum):
    CREATE = "create"
    ADVANCE = "advance"          # to the next phase
    TEAM = "team"                # the team changed
    LOOKBACK = "lookback"        # 回头看 of chosen organisations started


ROUND_MACHINE = Machine("round", label="巡察轮次", states=PHASE_LABELS, transitions={
    RoundAction.CREATE.value: create(Phase.ENTRY.value),
    RoundAction.ADVANCE.value: {p: frozenset({next_phase(p)}) for p in PHASES[:-1]},
    RoundAction.TEAM.value: stay(PHASES),
    RoundAction.LOOKBACK.value: stay([Phase.RECTIFICATION.value, Phase.EVALUATION.value]),
})


class TeamRole(str, Enum):
    LEADER = "leader"        # 组长: reviews every 底稿 entry
    DEPUTY = "deputy"        # 副组长
    MEMBER = "member"


# ---------------------------------------------------------------- the 底稿 review

class ReviewStatus(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    RETURNED = "returned"
    MERGED = "merged"
    REJECTED = "rejected"


class ReviewAction(str, Enum):
    QUEUE = "queue"          # the entry joins the queue
    APPROVE = "approve"
    RETURN = "return"        # 退回: back to its author with a reason
    RESUBMIT = "resubmit"    # the author sent a new revision
    MERGE = "merge"          # merged into another entry
    ABSORB = "absorb"        # another entry was merged into this one
    REJECT = "reject"        # 不予采纳
    DISPATCH = "dispatch"    # 边巡边改: the inspector's 立行立改 mark dispatched it before review


REVIEW_STATUS_LABELS = {ReviewStatus.PENDING: "待审核", ReviewStatus.APPROVED: "已通过",
                        ReviewStatus.RETURNED: "已退回", ReviewStatus.MERGED: "已合并",
                        ReviewStatus.REJECTED: "不予采纳"}
P, A = ReviewStatus.PENDING.value, ReviewStatus.APPROVED.value
REVIEW_MACHINE = Machine("review entry", label="底稿", states=REVIEW_STATUS_LABELS, transitions={
    ReviewAction.QUEUE.value: create(P),
    ReviewAction.APPROVE.value: move({P: A}),
    ReviewAction.RETURN.value: move({P: ReviewStatus.RETURNED.value}),
    ReviewAction.RESUBMIT.value: move({ReviewStatus.RETURNED.value: P}),
    ReviewAction.MERGE.value: move({P: ReviewStatus.MERGED.value}),
    ReviewAction.ABSORB.value: stay([P, A]),
    ReviewAction.REJECT.value: move({P: ReviewStatus.REJECTED.value}),
    ReviewAction.DISPATCH.value: stay([P, ReviewStatus.RETURNED.value]),
})


class RectificationClass(str, Enum):
    IMMEDIATE = "immediate"  # 立行立改: the department ticket loop, at once
    DEADLINE = "deadline"    # 限期整改: a deadline in days or months
    LONG_TERM = "long_term"  # 长期整改: milestones


CLASS_LABELS = {"immediate": "立行立改", "deadline": "限期整改", "long_term": "长期整改"}


class ProblemType(str, Enum):
    ORGANISATION = "organisation"  # a problem of the inspected organisation
    DEPARTMENT = "department"      # a problem of a county department
    CLUE = "clue"                  # 问题线索: the clue loop
    SUGGESTION = "suggestion"      # 意见建议 to a department


# Types that become rectification problems here; clues and suggestions are handed off.
RECTIFIED_TYPES = frozenset({ProblemType.ORGANISATION.value, ProblemType.DEPARTMENT.value})
TYPE_LABELS = {"organisation": "被巡察党组织问题", "department": "县直部门问题", "clue": "问题线索",
               "suggestion": "意见建议"}
