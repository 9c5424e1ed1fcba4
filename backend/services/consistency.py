"""The consistency check: every ticket's state agrees with its event log.

For each ticket: events numbered 1..n without a gap, the first one `open`, each event
leaving from the state the previous one reached by a move the state machine allows, the
version equal to the last event's number and the status equal to where it led; and no open
ticket with an inactive handler.
"""
from ..domain.states import INITIAL_STATE, Action, TicketStatus, TransitionNotAllowed, check_transition
from ..models import Ticket, User
from .tickets import OPEN


def problems_of(ticket: dict, inactive: set) -> list[str]:
    events = ticket.get("events") or []
    found = []
    if not events:
        return ["no events"]
    if [e.get("seq") for e in events] != list(range(1, len(events) + 1)):
        found.append(f"event numbers {[e.get('seq') for e in events]} are not 1..{len(events)}")
    first = events[0]
    if first.get("action") != Action.OPEN.value or first.get("to_status") != INITIAL_STATE.value:
        found.append("the first event does not open the ticket")
    for before, event in zip(events, events[1:]):
        if event.get("from_status") != before.get("to_status"):
            found.append(f"event {event.get('seq')} leaves {event.get('from_status')} but the ticket "
                         f"was {before.get('to_status')}")
            continue
        try:
            check_transition(Action(event["action"]), TicketStatus(event["from_status"]),
                             TicketStatus(event["to_status"]))
        except (TransitionNotAllowed, ValueError, KeyError) as exc:
            found.append(f"event {event.get('seq')}: {exc}")
    if ticket.get("version") != events[-1].get("seq"):
        found.append(f"version {ticket.get('version')} but the last event is {events[-1].get('seq')}")
    if ticket.get("status") != events[-1].get("to_status"):
        found.append(f"status {ticket.get('status')} but the events lead to {events[-1].get('to_status')}")
    if ticket.get("status") in OPEN and ticket.get("handler_id") in inactive:
        found.append("open, with an inactive handler: hand it over (PATCH /users/{id} with successor_id)")
    return found


def check(county_code: str | None = None):
    """Yield (ticket number, [problems]) for every ticket with a problem; returns the count checked."""
    inactive = {u.id for u in User.objects(active=False).only("id")}
    query = Ticket.objects(county_code=county_code) if county_code else Ticket.objects
    for ticket in query.only("number", "status", "version", "events", "handler_id").as_pymongo():
        found = problems_of(ticket, inactive)
        if found:
            yield ticket.get("number"), found


# ---------------------------------------------------------------- the inspection round (issue 11)

def check_rounds(county_code: str | None = None):
    """Yield (label, [problems]) for every round, 底稿 entry, rectification, problem, clue,
    suggestion and villager's report whose state disagrees with its event log; an unresolved problem without a responsible person;
    an approved problem entry without its problem."""
    from ..domain import rectification as rect
    from ..domain.rounds import RECTIFIED_TYPES, REVIEW_MACHINE, ROUND_MACHINE
    from ..models import InspectionRound, Rectification, RectificationProblem, ReviewEntry
    from .lifecycle import problems_of as lifecycle_problems

    query = {"county_code": county_code} if county_code else {}
    from ..domain import clues, public_reports, suggestions
    from ..models import Clue, PublicReport, Suggestion
    kinds = ((InspectionRound, ROUND_MACHINE, "round"), (ReviewEntry, REVIEW_MACHINE, "entry"),
             (Rectification, rect.CASE_MACHINE, "rectification"),
             (RectificationProblem, rect.PROBLEM_MACHINE, "problem"), (Clue, clues.MACHINE, "clue"),
             (Suggestion, suggestions.MACHINE, "suggestion"), (PublicReport, public_reports.MACHINE, "report"))
    for model, machine, label in kinds:
        fields = {"status": 1, "version": 1, "events": 1, "number": 1, "responsible_name": 1, "decision": 1,
                  "problem_id": 1}
        for doc in model._get_collection().find(query, fields):
            found = lifecycle_problems(doc, machine)
            if model is RectificationProblem and doc.get("status") != "closed" and not doc.get("responsible_name"):
                found.append("unresolved, without a responsible person")
            if model is ReviewEntry and doc.get("status") == "approved" \
                    and (doc.get("decision") or {}).get("problem_type") in RECTIFIED_TYPES \
                    and not RectificationProblem.objects(id=doc.get("problem_id")).first():
                found.append("approved as a problem, but its rectification problem is missing")
            if found:
                yield f"{label} {doc.get('number') or doc['_id']}", found
