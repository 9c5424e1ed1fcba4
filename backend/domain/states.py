"""The ticket state machine (民生工单). The only place that knows which move is allowed.

pending_routing ─route─▶ dispatched ─claim─▶ claimed ─resolve─▶ resolved ─verify ok─▶ closed
      └─no rule─▶ triage ─assign─┘  └─return─▶ (next department, or triage)
resolved ─verify not fixed─▶ claimed (reopen_count + 1)
Any open ticket can be closed by the office as duplicate or invalid.
"""
from enum import Enum


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


class Outcome(str, Enum):
    """How a closed ticket ended."""
    FIXED = "fixed"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


S = TicketStatus
INITIAL_STATE = S.PENDING_ROUTING
OPEN_STATES = frozenset({S.PENDING_ROUTING, S.TRIAGE, S.DISPATCHED, S.CLAIMED, S.RESOLVED})

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
}


def is_overdue(status: str, due_at, now) -> bool:
    """Overdue is a flag on top of the state: open, with its deadline passed."""
    return status in OPEN_STATES and due_at is not None and due_at < now


class TransitionNotAllowed(Exception):
    def __init__(self, action: Action, status: TicketStatus):
        self.action, self.status = Action(action), TicketStatus(status)
        allowed = sorted(s.value for s in TRANSITIONS[self.action])
        super().__init__(
            f"cannot {self.action.value} a ticket that is {self.status.value}; "
            f"allowed only from: {', '.join(allowed)}"
        )


def check_transition(action: Action, status: TicketStatus, target: TicketStatus) -> TicketStatus:
    """Return `target` if `action` may move a ticket from `status` to it, else raise."""
    targets = TRANSITIONS[Action(action)].get(TicketStatus(status))
    if targets is None:
        raise TransitionNotAllowed(action, status)
    if TicketStatus(target) not in targets:
        raise ValueError(f"{action} cannot lead from {status} to {target}")
    return TicketStatus(target)


def allowed_from(action: Action) -> list[str]:
    return [s.value for s in TRANSITIONS[Action(action)]]
