"""Accountability (问责): decisions the office records against the tickets, suggestions —
and, once they exist, rectification problems and party organisations — they answer for,
and the "整改不力" list of what calls for one.

A decision links its target by kind and id. Each kind has a resolver (TARGETS) that finds
the target in the office's county and says which department (or organisation) answers for
it; a new kind registers its resolver with `register_target`.
"""
from collections.abc import Callable
from datetime import date

from bson import ObjectId
from mongoengine.queryset.visitor import Q

from ..auth import Actor
from ..domain import accountability as domain
from ..domain.accountability import FORM_LABELS, Form
from ..domain.codes import RESTRICTED_CATEGORIES
from ..domain.followups import local_day
from ..domain.states import OPEN_STATES
from ..errors import InvalidInput, NotFound
from ..i18n import _
from ..domain.rectification import OPEN_PROBLEM_STATES
from ..models import (AccountabilityDecision, Attachment, PartyOrganisation, RectificationProblem, Suggestion,
                      Ticket)
from ..models.common import utcnow
from . import departments, documents, followups

TALLIES = followups.Tallies("accountability", AccountabilityDecision, domain.FIELDS, domain.contribution)
PREFIX = "WZ"   # 问责
DOCUMENT_KINDS = frozenset({"pdf", "docx", "jpeg", "png"})   # the decision, or a scan of it


# ---------------------------------------------------------------- targets, by kind

def _ticket(actor: Actor, target_id: ObjectId) -> dict | None:
    ticket = Ticket.objects(id=target_id, county_code=actor.county_code,
                            category__nin=list(RESTRICTED_CATEGORIES)).only(
        "number", "title", "department_code").first()
    return ticket and {"label": f"{ticket.number} {ticket.title}", "department_code": ticket.department_code}


def _suggestion(actor: Actor, target_id: ObjectId) -> dict | None:
    found = Suggestion.objects(id=target_id, county_code=actor.county_code).only(
        "number", "title", "department_code").first()
    return found and {"label": f"{found.number} {found.title}", "department_code": found.department_code}


def _problem(actor: Actor, target_id: ObjectId) -> dict | None:
    """A round's rectification problem: its unit (a party organisation, or a department) answers."""
    found = RectificationProblem.objects(id=target_id, county_code=actor.county_code).only(
        "number", "title", "department_code", "organisation_id").first()
    return found and {"label": f"{found.number} {found.title}", "department_code": found.department_code,
                      "organisation_code": str(found.organisation_id) if found.organisation_id else None}


def _organisation(actor: Actor, target_id: ObjectId) -> dict | None:
    found = PartyOrganisation.objects(id=target_id, county_code=actor.county_code).only("name").first()
    return found and {"label": found.name, "organisation_code": str(found.id)}


TARGETS: dict[str, Callable[[Actor, ObjectId], dict | None]] = {
    "ticket": _ticket, "suggestion": _suggestion, "problem": _problem, "organisation": _organisation}


def register_target(kind: str, resolver: Callable[[Actor, ObjectId], dict | None]) -> None:
    """A new kind of target (problem, organisation): `resolver(actor, id)` returns its
    label and department_code / organisation_code, or None when the office cannot see it."""
    TARGETS[kind] = resolver


def _resolve(actor: Actor, kind: str, target_id: str) -> dict:
    resolver = TARGETS.get(kind)
    if resolver is None:
        raise InvalidInput(_("Unknown kind of target: %(kind)s.", kind=kind),
                           errors={"target_kind": [_("One of: %(kinds)s", kinds=", ".join(sorted(TARGETS)))]})
    target = resolver(actor, ObjectId(target_id)) if ObjectId.is_valid(target_id) else None
    if target is None:
        raise InvalidInput(_("No %(kind)s %(id)s in your county.", kind=kind, id=target_id),
                           errors={"target_id": [_("Unknown.")]})
    return target


# ---------------------------------------------------------------- decisions

def record(actor: Actor, data: dict) -> AccountabilityDecision:
    """Record a decision: who, which form, when, why, against which target."""
    target = _resolve(actor, data["target_kind"], data["target_id"])
    decided_on: date = data["decided_on"]
    if decided_on > local_day(utcnow()):
        raise InvalidInput(_("The decision date lies in the future."), errors={"decided_on": [_("In the future.")]})
    department = data.get("department_code") or target.get("department_code")
    if data.get("department_code"):
        departments.require(actor.county_code, department)
    decision = AccountabilityDecision(
        number=followups.next_number(actor.county_code, PREFIX, utcnow()), county_code=actor.county_code,
        target_kind=data["target_kind"], target_id=ObjectId(data["target_id"]), target_label=target["label"],
        department_code=department, organisation_code=target.get("organisation_code"),
        person_name=data["person_name"], person_position=data.get("person_position"),
        form=Form(data["form"]).value, decided_on=decided_on.isoformat(), reason=data["reason"],
        recorded_by=actor.id)
    decision.save(force_insert=True)
    TALLIES.record(None, decision)
    return decision


def get(actor: Actor, decision_id: str) -> AccountabilityDecision:
    decision = (AccountabilityDecision.objects(id=decision_id, county_code=actor.county_code).first()
                if ObjectId.is_valid(decision_id) else None)
    if decision is None:
        raise NotFound(_("No accountability decision %(id)s in your county.", id=decision_id))
    return decision


def attach_document(actor: Actor, decision_id: str, storage) -> AccountabilityDecision:
    """The decision document (问责决定书): PDF, DOCX or a scan; a later one replaces it."""
    decision = get(actor, decision_id)
    data = documents.read_upload(storage, documents.document_limit())
    attachment, _created = documents.store(actor, county_code=actor.county_code, owner=f"accountability:{decision.id}",
                                           kind="decision", data=data, accepted=DOCUMENT_KINDS)
    return AccountabilityDecision.objects(id=decision.id).modify(new=True, set__document_id=attachment.id)


def document(actor: Actor, decision_id: str) -> Attachment:
    decision = get(actor, decision_id)
    found = documents.of(f"accountability:{decision.id}", str(decision.document_id), with_file=True) \
        if decision.document_id else None
    if found is None:
        raise NotFound(_("This decision has no document yet."))
    return found


def list_decisions(actor: Actor, filters: dict, offset: int, limit: int) -> dict:
    query = AccountabilityDecision.objects(county_code=actor.county_code)
    for name in ("target_kind", "form", "department_code"):
        if filters.get(name):
            query = query.filter(**{name: filters[name]})
    if filters.get("target_id"):   # 24 hexadecimal characters (api/schemas.py ObjectIdStr)
        query = query.filter(target_id=ObjectId(filters["target_id"]))
    total = query.count()
    return {"total": total, "offset": offset, "limit": limit,
            "decisions": list(query.order_by("-created_at")[offset:offset + limit])}


def figures(actor: Actor) -> dict:
    """Decisions by form, and by department and organisation with their forms."""
    organisations = {str(o.id): o.name for o in PartyOrganisation.objects(county_code=actor.county_code).only("name")}
    c = TALLIES.read(actor.county_code)
    names = departments.names(actor.county_code)
    forms = [f.value for f in Form]

    def rows(group: str, label: Callable[[str], str]) -> list[dict]:
        out = [{"code": code, "name": label(code), **{f: by.get(f, 0) for f in forms},
                "decisions": sum(by.values())} for code, by in c.get(group, {}).items()]
        return sorted(out, key=lambda r: (-r["decisions"], r["code"]))
    return {"decisions": c.get("decisions", 0),
            "by_form": [{"form": f.value, "label": FORM_LABELS[f], "decisions": c.get("form", {}).get(f.value, 0)}
                        for f in Form],
            "departments": rows("department", lambda code: names.get(code, code)),
            "organisations": rows("organisation", lambda code: organisations.get(code, code))}


# ---------------------------------------------------------------- 整改不力

def underperforming(actor: Actor, limit: int) -> dict:
    """整改不力: tickets and rectification problems reopened twice or more, and open tickets,
    open problems and owed suggestions past escalation level 2 — with the decisions already
    recorded against each."""
    county = actor.county_code
    ticket_fields = ("id", "number", "title", "status", "department_code", "reopen_count", "escalation_level",
                     "due_at", "created_at")
    tickets = Ticket.objects(
        Q(county_code=county, category__nin=list(RESTRICTED_CATEGORIES))
        & (Q(reopen_count__gte=domain.REOPENED_AT_LEAST)
           | Q(status__in=[s.value for s in OPEN_STATES], escalation_level__gte=domain.ESCALATION_LEVEL))
    ).only(*ticket_fields).order_by("-escalation_level", "-reopen_count", "created_at")[:limit]
    suggestions = Suggestion.objects(county_code=county, status="sent",
                                     escalation_level__gte=domain.ESCALATION_LEVEL).only(
        "id", "number", "title", "status", "department_code", "escalation_level", "due_at").order_by("due_at")[:limit]
    problems = RectificationProblem.objects(
        Q(county_code=county)
        & (Q(reopen_count__gte=domain.REOPENED_AT_LEAST)
           | Q(status__in=list(OPEN_PROBLEM_STATES), escalation_level__gte=domain.ESCALATION_LEVEL))
    ).only("id", "number", "title", "status", "department_code", "organisation_id", "reopen_count",
           "escalation_level", "due_at").order_by("-escalation_level", "-reopen_count", "number")[:limit]
    items = []
    for t in tickets:
        reasons = []
        if (t.reopen_count or 0) >= domain.REOPENED_AT_LEAST:
            reasons.append("reopened")
        if t.status in {s.value for s in OPEN_STATES} and (t.escalation_level or 0) >= domain.ESCALATION_LEVEL:
            reasons.append("escalated")
        items.append({"kind": "ticket", "id": t.id, "number": t.number, "title": t.title, "status": t.status,
                      "department_code": t.department_code, "reopen_count": t.reopen_count or 0,
                      "escalation_level": t.escalation_level or 0, "due_at": t.due_at, "reasons": reasons})
    for s in suggestions:
        items.append({"kind": "suggestion", "id": s.id, "number": s.number, "title": s.title, "status": s.status,
                      "department_code": s.department_code, "reopen_count": 0,
                      "escalation_level": s.escalation_level, "due_at": s.due_at, "reasons": ["escalated"]})
    organisations = {o.id: o.name for o in PartyOrganisation.objects(
        id__in=[p.organisation_id for p in problems if p.organisation_id]).only("name")}
    for p in problems:
        reasons = []
        if (p.reopen_count or 0) >= domain.REOPENED_AT_LEAST:
            reasons.append("reopened")
        if p.status in OPEN_PROBLEM_STATES and (p.escalation_level or 0) >= domain.ESCALATION_LEVEL:
            reasons.append("escalated")
        items.append({"kind": "problem", "id": p.id, "number": p.number, "title": p.title, "status": p.status,
                      "department_code": p.department_code, "organisation_name": organisations.get(p.organisation_id),
                      "reopen_count": p.reopen_count or 0, "escalation_level": p.escalation_level or 0,
                      "due_at": p.due_at, "reasons": reasons})
    decided = {}
    for d in AccountabilityDecision.objects(county_code=county, target_id__in=[i["id"] for i in items]).only(
            "target_id", "number", "form"):
        decided.setdefault(d.target_id, []).append({"number": d.number, "form": d.form})
    names = departments.names(county)
    for item in items:
        item["department_name"] = names.get(item["department_code"], item["department_code"])
        item["decisions"] = decided.get(item["id"], [])
        item["id"] = str(item["id"])
    return {"total": len(items), "items": items[:limit]}
