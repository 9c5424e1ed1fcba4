"""The ticket state machine (民生工单). The only place that knows which move is allowed.

pending_routing ─route─▶ dispatched ─claim─▶ claimed ─resolve─▶ resolved ─verify ok─▶ closed
      └─no rule─▶ triage ─assign─┘  └─return─▶ (next department, or triage)
resolved ─verify not fixed─▶ claimed (reopen_count + 1)
closed ─回头看 finds it back─▶ dispatched (reopen_count + 1)
closed ─回访 不满意, confirmed by the office─▶ dispatched (reopen_count + 1)
Any open ticket can be closed by the office as duplicate or invalid.

Some actions record something without changing the state (a reminder, an escalation, an
extension request, a plan, a handover): their target is the current state. They go through
the same writer and leave one event each, like every change of state.
"""
from enum import Enum
from .messages import Named, _, named_list


class TicketStatus(str, Enum):
    PENDING_ROUTING = "pending_routing"
    TRIAGE = "triage"
    DISPATCHED = "dispatched"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Action(str, Enum):
    OPEN = "open"    # the ticket is created (from a finding), pending_routing
    ROUTE = "route"
    ASSIGN = "assign"
    CLAIM = "claim"
    RETURN = "return"
    PROGRESS = "progress"
    RESOLVE = "resolve"
    VERIFY_CONFIRMED = "verify_confirmed"
    VERIFY_NOT_FIXED = "verify_not_fixed"
    CLOSE = "close"  # office closes as duplicate or invalid
    # Clocks and pressure (the deadline sweep, as the system)
    CLAIM_REMINDER = "claim_reminder"     # not claimed within the claim deadline
    REMIND = "remind"                     # 催办: 75% of the time to resolve is used
    OVERDUE = "overdue"                   # the deadline passed
    ESCALATE = "escalate"                 # 督办: level 1 (department head), level 2 (office)
    # Requests and decisions that leave the state alone
    EXTENSION_REQUEST = "extension_request"    # 延期申请
    EXTENSION_APPROVE = "extension_approve"
    EXTENSION_REFUSE = "extension_refuse"
    PLAN_SUBMIT = "plan_submit"                # 整改方案
    PLAN_APPROVE = "plan_approve"
    PLAN_RETURN = "plan_return"
    HANDOVER = "handover"                      # 责任交接
    LOOKBACK_SAMPLED = "lookback_sampled"      # 回头看: picked for re-inspection
    LOOKBACK_CONFIRMED = "lookback_confirmed"  # re-inspection found it still fixed
    REOPEN = "reopen"                          # re-inspection found the problem back
    # 回访 of a villager's ticket (码上巡视): the answer (stays closed), and 不满意 confirmed
    RETURN_VISIT = "return_visit"              # the reporter's rating, or the office keeps it closed
    RETURN_VISIT_REOPEN = "return_visit_reopen"  # the office confirmed 不满意: back to the same department


class Outcome(str, Enum):
    """How a closed ticket ended."""
    FIXED = "fixed"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


S = TicketStatus
INITIAL_STATE = S.PENDING_ROUTING
OPEN_STATES = frozenset({S.PENDING_ROUTING, S.TRIAGE, S.DISPATCHED, S.CLAIMED, S.RESOLVED})

DEADLINE_STATES = frozenset({S.DISPATCHED, S.CLAIMED})  # the department's clock runs


def _stay(states) -> dict:
    return {state: frozenset({state}) for state in states}


# action -> {from state: possible to-states}. Route and return have two possible ends
# (a department, or triage when none is left); the service picks one of them.
TRANSITIONS: dict[Action, dict[TicketStatus, frozenset[TicketStatus]]] = {
    Action.ROUTE: {S.PENDING_ROUTING: frozenset({S.DISPATCHED, S.TRIAGE})},
    Action.ASSIGN: {S.TRIAGE: frozenset({S.DISPATCHED})},
    Action.CLAIM: {S.DISPATCHED: frozenset({S.CLAIMED})},
    Action.RETURN: {
        S.DISPATCHED: frozenset({S.DISPATCHED, S.TRIAGE}),
        S.CLAIMED: frozenset({S.DISPATCHED, S.TRIAGE}),
    },
    Action.PROGRESS: {S.CLAIMED: frozenset({S.CLAIMED})},
    Action.RESOLVE: {S.CLAIMED: frozenset({S.RESOLVED})},
    Action.VERIFY_CONFIRMED: {S.RESOLVED: frozenset({S.CLOSED})},
    Action.VERIFY_NOT_FIXED: {S.RESOLVED: frozenset({S.CLAIMED})},
    Action.CLOSE: {state: frozenset({S.CLOSED}) for state in OPEN_STATES},
    Action.CLAIM_REMINDER: _stay({S.DISPATCHED}),
    Action.REMIND: _stay(DEADLINE_STATES),
    Action.OVERDUE: _stay(DEADLINE_STATES),
    Action.ESCALATE: _stay(DEADLINE_STATES),
    Action.EXTENSION_REQUEST: _stay(DEADLINE_STATES),
    Action.EXTENSION_APPROVE: _stay(DEADLINE_STATES),
    Action.EXTENSION_REFUSE: _stay(DEADLINE_STATES),
    Action.PLAN_SUBMIT: _stay({S.CLAIMED}),
    Action.PLAN_APPROVE: _stay({S.CLAIMED}),
    Action.PLAN_RETURN: _stay({S.CLAIMED}),
    Action.HANDOVER: _stay({S.CLAIMED, S.RESOLVED}),
    Action.LOOKBACK_SAMPLED: _stay({S.CLOSED}),
    Action.LOOKBACK_CONFIRMED: _stay({S.CLOSED}),
    Action.REOPEN: {S.CLOSED: frozenset({S.DISPATCHED})},
    Action.RETURN_VISIT: _stay({S.CLOSED}),
    Action.RETURN_VISIT_REOPEN: {S.CLOSED: frozenset({S.DISPATCHED})},
}


class ReturnReason(str, Enum):
    """退单理由: a fixed list (plus free text), so returns can be counted by reason."""
    NOT_OUR_DUTY = "not_our_duty"              # 不属于本部门职责
    WRONG_TOWNSHIP = "wrong_township"          # 不属于本乡镇（属地错误）
    DUPLICATE = "duplicate"                    # 重复交办
    INSUFFICIENT_INFO = "insufficient_info"    # 问题描述不清，无法办理
    BEYOND_AUTHORITY = "beyond_authority"      # 超出本部门权限，需上级协调
    OTHER = "other"                            # 其他


RETURN_REASON_LABELS = {
    ReturnReason.NOT_OUR_DUTY: "不属于本部门职责", ReturnReason.WRONG_TOWNSHIP: "不属于本乡镇（属地错误）",
    ReturnReason.DUPLICATE: "重复交办", ReturnReason.INSUFFICIENT_INFO: "问题描述不清，无法办理",
    ReturnReason.BEYOND_AUTHORITY: "超出本部门权限，需上级协调", ReturnReason.OTHER: "其他",
}


def is_overdue(status: str, due_at, now) -> bool:
    """Overdue is a flag on top of the state: open, with its deadline passed."""
    return status in OPEN_STATES and due_at is not None and due_at < now


# What people read (keyed by the stored values): the ledger's states, the error messages.
STATUS_LABELS = {S.PENDING_ROUTING.value: "待分派", S.TRIAGE.value: "待人工分派", S.DISPATCHED.value: "已派单",
                 S.CLAIMED.value: "办理中", S.RESOLVED.value: "已办结待核查", S.CLOSED.value: "已销号"}
ACTION_LABELS = {
    Action.OPEN.value: "立单", Action.ROUTE.value: "派单", Action.ASSIGN.value: "人工分派", Action.CLAIM.value: "签收",
    Action.RETURN.value: "退单", Action.PROGRESS.value: "报告进展", Action.RESOLVE.value: "办结",
    Action.VERIFY_CONFIRMED.value: "核查确认", Action.VERIFY_NOT_FIXED.value: "核查退回", Action.CLOSE.value: "关闭",
    Action.CLAIM_REMINDER.value: "签收提醒", Action.REMIND.value: "催办", Action.OVERDUE.value: "超期",
    Action.ESCALATE.value: "督办", Action.EXTENSION_REQUEST.value: "申请延期", Action.EXTENSION_APPROVE.value: "批准延期",
    Action.EXTENSION_REFUSE.value: "不批准延期", Action.PLAN_SUBMIT.value: "提交整改方案",
    Action.PLAN_APPROVE.value: "批准整改方案", Action.PLAN_RETURN.value: "退回整改方案", Action.HANDOVER.value: "责任交接",
    Action.LOOKBACK_SAMPLED.value: "列入回头看", Action.LOOKBACK_CONFIRMED.value: "回头看确认",
    Action.REOPEN.value: "重新交办", Action.RETURN_VISIT.value: "回访", Action.RETURN_VISIT_REOPEN.value: "回访不满意重新交办",
}


class TransitionNotAllowed(Exception):
    def __init__(self, action: Action, status: TicketStatus):
        self.action, self.status = Action(action), TicketStatus(status)
        allowed = sorted(TRANSITIONS[self.action], key=list(S).index)
        super().__init__(_("Cannot %(action)s a ticket that is %(status)s; allowed only from: %(allowed)s.",
                           action=Named(self.action.value, ACTION_LABELS[self.action.value]),
                           status=Named(self.status.value, STATUS_LABELS[self.status.value]),
                           allowed=named_list([s.value for s in allowed], [STATUS_LABELS[s.value] for s in allowed])))


def named_status(status) -> Named:
    """A state as people read it in a message (办理中 in Chinese, claimed in English)."""
    code = str(getattr(status, "value", status))
    return Named(code, STATUS_LABELS.get(code, code))


def check_transition(action: Action, status: TicketStatus, target: TicketStatus) -> TicketStatus:
    """Return `target` if `action` may move a ticket from `status` to it, else raise."""
    targets = TRANSITIONS[Action(action)].get(TicketStatus(status))
    if targets is None:
        raise TransitionNotAllowed(action, status)
    if TicketStatus(target) not in targets:
        raise ValueError(f"{action} cannot lead from {status} to {target}")
    return TicketStatus(target)
