"""The plain-Python rules: state machine, router, working-day calendar, metrics."""
from datetime import UTC, date, datetime

import pytest

from backend.domain import routing
from backend.domain.metrics import grouped, summarize
from backend.domain.sla import CHINA, WorkCalendar
from backend.domain.states import Action, TicketStatus as S, TransitionNotAllowed, check_transition


class TestStateMachine:
    def test_the_happy_path_is_allowed(self):
        path = [(Action.ROUTE, S.PENDING_ROUTING, S.DISPATCHED), (Action.CLAIM, S.DISPATCHED, S.CLAIMED),
                (Action.RESOLVE, S.CLAIMED, S.RESOLVED), (Action.VERIFY_CONFIRMED, S.RESOLVED, S.CLOSED)]
        for action, source, target in path:
            assert check_transition(action, source, target) == target

    @pytest.mark.parametrize("action, status", [
        (Action.CLAIM, S.CLAIMED), (Action.CLAIM, S.TRIAGE), (Action.RESOLVE, S.DISPATCHED),
        (Action.VERIFY_CONFIRMED, S.CLAIMED), (Action.RETURN, S.RESOLVED), (Action.CLOSE, S.CLOSED),
        (Action.ASSIGN, S.DISPATCHED), (Action.ROUTE, S.DISPATCHED)])
    def test_moves_from_the_wrong_state_are_refused_with_the_allowed_ones_named(self, action, status):
        with pytest.raises(TransitionNotAllowed, match="allowed only from"):
            check_transition(action, status, S.CLOSED)

    def test_a_move_cannot_lead_somewhere_else(self):
        with pytest.raises(ValueError):
            check_transition(Action.CLAIM, S.DISPATCHED, S.CLOSED)


class TestRouter:
    rules = [
        routing.Rule("1", "road", 20, "transport", category="livelihood", keywords=("道路",)),
        routing.Rule("2", "fallback", 90, routing.TOWNSHIP_GOVERNMENT, category="livelihood"),
        routing.Rule("3", "urgent water", 10, "water_resources", category="livelihood",
                     keywords=("水",), severities=("urgent",)),
        routing.Rule("4", "one township", 15, "health", category="livelihood", township_codes=("371323102",)),
    ]

    def decide(self, text, severity="general", township="371323101", excluded=frozenset()):
        return routing.decide(routing.Problem("livelihood", township, severity, text), self.rules, set(excluded))

    def test_priority_then_conditions(self):
        assert self.decide("道路坑洼").department == "transport"
        assert self.decide("道路积水", severity="urgent").department == "water_resources"
        assert self.decide("道路积水").department == "transport"
        assert self.decide("路灯").department == "town-371323101"
        assert self.decide("道路", township="371323102").department == "health"

    def test_excluded_departments_are_skipped_and_the_trace_says_why(self):
        decision = self.decide("道路坑洼", excluded={"transport"})
        assert decision.department == "town-371323101"
        reasons = {step["rule"]: step.get("reason") for step in decision.trace}
        assert "already returned" in reasons["road"]
        assert "severity" in reasons["urgent water"]

    def test_nothing_left_means_no_department(self):
        decision = self.decide("道路", excluded={"transport", "town-371323101"})
        assert decision.department is None and len(decision.trace) == 4


class TestWorkCalendar:
    def test_national_day_holidays_and_the_make_up_saturday(self):
        cal = WorkCalendar()
        assert not cal.is_workday(date(2026, 10, 1))
        assert cal.is_workday(date(2026, 10, 10))  # 调休 make-up working day (a Saturday)

    def test_deadline_skips_the_golden_week(self):
        start = datetime(2026, 9, 30, 10, 0, tzinfo=CHINA)
        due = WorkCalendar().add_working_days(start, 1).astimezone(CHINA)
        assert due.date() == date(2026, 10, 8) and due.hour == 18
        # the third working day is the make-up Saturday, the fourth the Monday after
        assert WorkCalendar().add_working_days(start, 3).astimezone(CHINA).date() == date(2026, 10, 10)
        assert WorkCalendar().add_working_days(start, 4).astimezone(CHINA).date() == date(2026, 10, 12)

    def test_unknown_years_fall_back_to_weekdays_and_overrides_win(self, caplog):
        # A year no calendar package will know yet; 2099-01-02 is a Friday.
        cal = WorkCalendar({date(2099, 1, 5): False})
        friday = datetime(2099, 1, 2, 9, tzinfo=CHINA)
        assert cal.add_working_days(friday, 1).astimezone(CHINA).date() == date(2099, 1, 6)
        assert "no official holiday data for 2099" in caplog.text


def t(**kw):
    base = {"status": "closed", "outcome": "fixed", "created_at": datetime(2026, 11, 1, tzinfo=UTC),
            "dispatched_at": datetime(2026, 11, 1, tzinfo=UTC), "first_claim_hours": 2.0,
            "resolved_at": datetime(2026, 11, 3, tzinfo=UTC), "due_at": datetime(2026, 11, 5, tzinfo=UTC),
            "closed_at": datetime(2026, 11, 4, tzinfo=UTC), "reopen_count": 0, "return_count": 0}
    return {**base, **kw}


class TestMetrics:
    now = datetime(2026, 11, 20, tzinfo=UTC)

    def test_rates_follow_the_product_definitions(self):
        tickets = [t(), t(resolved_at=datetime(2026, 11, 6, tzinfo=UTC), reopen_count=1),
                   t(status="claimed", outcome=None, closed_at=None, first_claim_hours=30, return_count=1),
                   t(status="closed", outcome="duplicate")]
        m = summarize(tickets, self.now)
        assert (m["tickets"], m["closed"], m["dispatched"]) == (3, 2, 3)
        assert m["resolution_rate"] == round(2 / 3, 4)
        assert m["on_time_rate"] == 0.5
        assert m["claim_24h_rate"] == round(2 / 3, 4)
        assert m["reopen_rate"] == 0.5 and m["return_rate"] == round(1 / 3, 4)
        assert m["median_hours_to_claim"] == 2.0 and m["median_days_to_close"] == 3.0
        assert m["open_overdue"] == 1

    def test_groups_below_the_minimum_are_not_ranked(self):
        tickets = [t(d="a")] + [t(d="b")] * 5 + [t(d="c", status="claimed", outcome=None)] * 5
        rows = grouped(tickets, key=lambda x: x["d"], now=self.now, min_tickets=5)
        assert [(r["key"], r["rank"]) for r in rows] == [("b", 1), ("c", 2), ("a", None)]

    def test_no_tickets_gives_no_rates_rather_than_zero(self):
        m = summarize([], self.now)
        assert m["resolution_rate"] is None and m["tickets"] == 0
