"""Rectification (整改) after 反馈: the inspected unit's case and each problem.

`_transition` is the only writer of a problem (and updates the round's counters from the
same change); `_case_transition` the only writer of a case. Units are village party
organisations (`org:<id>`) and county departments (`dept:<code>`); an `organisation`
user acts for their organisation, a `department` user for their department.
"""
from collections import defaultdict
from datetime import date, datetime, timedelta

from bson import ObjectId
from mongoengine.errors import NotUniqueError
from mongoengine.queryset.visitor import Q

from ..auth import Actor
from ..domain import rectification as rect
from ..domain.codes import Role
from ..domain.rounds import Phase, phase_reached
from ..domain.sla import ESCALATION_WORKING_DAYS
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..i18n import _, shown
from ..models import (Attachment, Department, Finding, InspectionRound, InspectionTask,
                      PartyOrganisation, Photo, Rectification, RectificationProblem, ReviewEntry,
                      Sequence, Ticket, User, Village)
from ..models.common import utcnow
from ..models.rectification import Evaluation, PlanItem, UnitPlan
from . import changes, documents, lifecycle, organisations, rectification_counters, reply_clock, sla
from .rounds import get_visible as get_round, scope as round_scope

PS, PA, CS, CA = rect.ProblemStatus, rect.ProblemAction, rect.CaseStatus, rect.CaseAction
OPEN = list(rect.OPEN_PROBLEM_STATES)
UNRESOLVED = [PS.PENDING_FEEDBACK.value, *OPEN]


EVIDENCE_KINDS = frozenset({"pdf", "docx", "xlsx"})   # photos go through the photo pipeline


# ---------------------------------------------------------------- the writers

def _transition(problem: RectificationProblem, action, target, actor: Actor | None, **kw) -> RectificationProblem:
    """The only writer of a problem: one version-guarded update with its event, then the
    round's counters from the same change."""
    updated = lifecycle.transition(problem, rect.PROBLEM_MACHINE, action, target, actor, **kw)
    rectification_counters.record(problem, updated)
    return updated


def _case_transition(case: Rectification, action, target, actor: Actor | None, **kw) -> Rectification:
    return lifecycle.transition(case, rect.CASE_MACHINE, action, target, actor, **kw)


def _retrying(load, change, attempts: int = 3):
    """Apply `change` to a freshly loaded object, again if it changed meanwhile (system moves)."""
    for _attempt in range(attempts):
        try:
            return change(load())
        except Conflict as exc:
            if exc.code != "stale":
                raise
    raise Conflict(_("It keeps changing; try again."), code="stale")


# ---------------------------------------------------------------- visibility

def unit_key_of(actor: Actor) -> str | None:
    if actor.role == Role.ORGANISATION and actor.organisation_id:
        return f"org:{actor.organisation_id}"
    if actor.role == Role.DEPARTMENT and actor.department_code:
        return f"dept:{actor.department_code}"
    return None


def scope(actor: Actor) -> Q:
    """Problems (and cases) `actor` may see: the office its county's; an organisation or a
    department only its own; an inspector those of their check and 回头看 tasks and of the
    rounds they are on; a city or province office those of its counties (read-only)."""
    if actor.role in (Role.OFFICE, Role.ADMIN):
        return Q(county_code=actor.county_code)
    if actor.role in (Role.ORGANISATION, Role.DEPARTMENT):
        return Q(county_code=actor.county_code, unit_key=unit_key_of(actor) or "-")
    if actor.role == Role.INSPECTOR:
        rounds = [r.id for r in InspectionRound.objects(county_code=actor.county_code, team_ids=actor.id).only("id")]
        return Q(county_code=actor.county_code, round_id__in=rounds)
    if actor.role == Role.CITY_OFFICE:
        return Q(city_code=actor.county_code[:4])
    if actor.role == Role.PROVINCE_OFFICE:
        return Q(province_code=actor.county_code[:2])
    return Q(id=None)


def get_problem(actor: Actor, problem_id: str) -> RectificationProblem:
    found = (RectificationProblem.objects(scope(actor), id=problem_id).first()
             if ObjectId.is_valid(problem_id) else None)
    if found is None:
        raise NotFound(_("No rectification problem %(id)s that you can see.", id=problem_id))
    return found


def get_case(actor: Actor, case_id: str) -> Rectification:
    found = Rectification.objects(scope(actor), id=case_id).first() if ObjectId.is_valid(case_id) else None
    if found is None:
        raise NotFound(_("No rectification %(id)s that you can see.", id=case_id))
    return found


def _own(actor: Actor, unit_key: str) -> None:
    """Only the unit itself submits its plan, progress, evidence and report."""
    if unit_key_of(actor) != unit_key:
        raise Forbidden(_("Only the inspected organisation (or department) itself does this."))


def _office(actor: Actor) -> None:
    if actor.role != Role.OFFICE:
        raise Forbidden(_("Only the county's inspection office does this."))


def list_problems(actor: Actor, filters: dict):
    query = RectificationProblem.objects(scope(actor)).exclude("events")
    for name in ("round_id", "status", "problem_class", "unit_key", "village_code", "category", "county_code"):
        if filters.get(name):
            query = query.filter(**{name: filters[name]})
    if filters.get("overdue") is True:
        query = query.filter(status__in=OPEN, due_at__lt=utcnow())
    return query.order_by("number")


def list_cases(actor: Actor, filters: dict):
    query = Rectification.objects(scope(actor)).exclude("events")
    for name in ("round_id", "status", "county_code"):
        if filters.get(name):
            query = query.filter(**{name: filters[name]})
    return query.order_by("unit_name")


# ---------------------------------------------------------------- opening (from the review)

def _number(county_code: str, year: int) -> str:
    seq = Sequence.objects(key=f"problem:{county_code}:{year}").modify(upsert=True, new=True, inc__value=1)
    return f"{county_code}-{year}-Z{seq.value:05d}"


def _unit(entry: ReviewEntry) -> dict:
    decision = entry.decision
    if decision.problem_type == "department":
        department = Department.objects(county_code=entry.county_code, code=decision.department_code).first()
        head = User.objects(county_code=entry.county_code, role=Role.DEPARTMENT.value,
                            department_code=decision.department_code, is_department_head=True, active=True).first()
        return {"unit_key": f"dept:{decision.department_code}", "unit_kind": "department",
                "department_code": decision.department_code, "organisation_id": None,
                "unit_name": department.name if department else decision.department_code,
                "responsible_name": department.name if department else decision.department_code,
                "responsible_user_id": head.id if head else None, "responsible_member_id": None,
                "leader_name": head.display_name if head else ""}
    org = organisations.for_village(Village.objects.get(code=entry.village_code))
    holder = organisations.responsible_for(org, decision.responsible_post)
    secretary = org.secretary()
    return {"unit_key": f"org:{org.id}", "unit_kind": "organisation", "organisation_id": org.id,
            "department_code": None, "unit_name": org.name,
            # 第一责任人: the secretary answers until the plan names someone; a vacant post
            # leaves the organisation itself answering (never nobody).
            "responsible_name": holder.name if holder else org.name,
            "responsible_member_id": holder.member_id if holder else None,
            "responsible_user_id": holder.user_id if holder else None,
            "leader_name": secretary.name if secretary else ""}


def open_problem(entry: ReviewEntry, problem_id: ObjectId, actor: Actor | None) -> RectificationProblem:
    """The rectification problem of an approved entry (idempotent: one per entry). A 立行立改
    problem also gets its department ticket now, through the existing ticket loop."""
    existing = RectificationProblem.objects(review_entry_id=entry.id).first()
    if existing:
        return existing
    decision = entry.decision
    unit = _unit(entry)
    unit_name = unit.pop("unit_name")
    now = utcnow()
    county = entry.county_code
    problem = RectificationProblem(
        id=problem_id, number=_number(county, now.year), county_code=county, city_code=county[:4],
        province_code=county[:2], round_id=entry.round_id, review_entry_id=entry.id,
        finding_id=entry.source_id if entry.source_kind == "finding" else None,
        village_code=entry.village_code, township_code=entry.township_code, category=entry.category,
        title=entry.title, description=entry.description, fact_basis=entry.fact_basis,
        policy_basis=entry.policy_basis, responsibility_basis=entry.responsibility_basis,
        problem_class=decision.problem_class, deadline_days=decision.deadline_days,
        deadline_months=decision.deadline_months, milestones=list(decision.milestones),
        responsible_post=decision.responsible_post, status=PS.PENDING_FEEDBACK.value, **unit)
    try:
        lifecycle.create(problem, rect.PROBLEM_MACHINE, PA.OPEN, actor,
                         data={"entry_id": str(entry.id), "unit": unit_name})
    except NotUniqueError:
        return RectificationProblem.objects.get(review_entry_id=entry.id)
    rectification_counters.record(None, problem)
    if decision.problem_class == "immediate":
        _dispatch_now(problem, entry, actor)
    return problem


def _dispatch_now(problem: RectificationProblem, entry: ReviewEntry, actor: Actor | None) -> None:
    """立行立改: the finding's department ticket (opened already if 边巡边改 dispatched it); a
    villager's report becomes the finding its reviewer completed, with its ticket."""
    from . import public_reports, tickets
    if entry.source_kind == "public_report":
        ticket_id = public_reports.dispatch_now(entry, actor)
        RectificationProblem.objects(id=problem.id, ticket_id=None).update_one(set__ticket_id=ticket_id)
        return
    finding = Finding.objects(id=entry.source_id).first()
    if finding is None:
        return
    if finding.ticket_id is None:
        Finding.objects(id=finding.id).update_one(set__dispatch=True)
        finding.dispatch = True
        ticket = tickets.open_from_finding(finding)
        Finding.objects(id=finding.id).update_one(**changes.stamp(finding.county_code))
    else:
        ticket = Ticket.objects(id=finding.ticket_id).only("id").first()
    RectificationProblem.objects(id=problem.id, ticket_id=None).update_one(set__ticket_id=ticket.id)


def unit_name(problem_or_case) -> str:
    if problem_or_case.unit_kind == "department":
        department = Department.objects(county_code=problem_or_case.county_code,
                                        code=problem_or_case.department_code).first()
        return department.name if department else problem_or_case.department_code
    org = PartyOrganisation.objects(id=problem_or_case.organisation_id).first()
    return org.name if org else ""


# ---------------------------------------------------------------- 反馈

def _at_noon(day: date) -> datetime:
    from datetime import time as dtime
    from ..domain.sla import CHINA
    return datetime.combine(day, dtime(12, 0), tzinfo=CHINA)


def _clock(problem_class: str, due_on: str | None, milestones) -> datetime | None:
    day = rect.current_clock(problem_class, due_on, [{"due_on": m.due_on, "done_at": m.done_at}
                                                     for m in milestones])
    return rect.end_of_day(date.fromisoformat(day)) if day else None


def _clock_fields(due_at: datetime | None, *, reset: bool = False) -> dict:
    """A problem's clock: its deadline (or next milestone) and the 督办 points one and three
    working days after it on China's calendar, as for tickets. A new clock (`reset`) clears
    the overdue flag, the level and the marks: each stage is marked once per clock."""
    calendar = sla.calendar()
    level1, level2 = ((calendar.add_working_days(due_at, n) if due_at else None) for n in ESCALATION_WORKING_DAYS)
    fields = {"due_at": due_at, "escalate1_at": level1, "escalate2_at": level2}
    if reset:
        fields.update(overdue=False, escalation_level=0, sla_marks={}, sla_pending=[])
    return fields


def feed_back(actor: Actor, round_id: str, on: date, unit_keys: list[str] | None = None) -> list[Rectification]:
    """反馈: issue each unit its problem list at `on`. The unit's clocks start: the plan
    within the round's plan_days, the report after report_months; a 限期 problem's deadline
    counts from `on`. Problems approved later are fed back by calling this again."""
    _office(actor)
    found = get_round(actor, round_id)
    if not phase_reached(found.status, Phase.FEEDBACK.value):
        raise Conflict(_("Feedback comes after the report: the round is in its %(phase)s phase.",
                         phase=found.status), code="invalid_phase")
    if on > rect.local_day(utcnow()):
        raise InvalidInput(_("Feedback cannot be dated in the future."), errors={"on": [_("In the future.")]})
    waiting = RectificationProblem.objects(round_id=found.id, status=PS.PENDING_FEEDBACK.value)
    if unit_keys:
        waiting = waiting.filter(unit_key__in=unit_keys)
    by_unit: dict[str, list] = defaultdict(list)
    for problem in waiting:
        by_unit[problem.unit_key].append(problem)
    if not by_unit:
        raise Conflict(_("No approved problem of this round waits for feedback."), code="nothing_to_feed_back")
    cases = []
    for key, problems in sorted(by_unit.items()):
        case = _case_for(actor, found, problems[0], on, len(problems))
        for problem in problems:
            due_on = (rect.deadline_after(on, problem.deadline_days, problem.deadline_months).isoformat()
                      if problem.problem_class == "deadline" else None)
            _transition(problem, PA.FEED_BACK, PS.FED_BACK.value, actor, data={"case_id": str(case.id), "on": on.isoformat()},
                        set_fields={"case_id": case.id, "fed_back_at": _at_noon(on), "due_on": due_on,
                                    **_clock_fields(_clock(problem.problem_class, due_on, problem.milestones))})
        cases.append(Rectification.objects.get(id=case.id))
    return cases


def _case_for(actor: Actor, found: InspectionRound, problem: RectificationProblem, on: date, count: int) -> Rectification:
    existing = Rectification.objects(round_id=found.id, unit_key=problem.unit_key).first()
    if existing:
        return _case_transition(existing, CA.ADD_PROBLEMS, existing.status, actor,
                                data={"problems": count, "on": on.isoformat()})
    case = Rectification(
        county_code=found.county_code, city_code=found.city_code, province_code=found.province_code,
        round_id=found.id, unit_key=problem.unit_key, unit_kind=problem.unit_kind,
        organisation_id=problem.organisation_id, department_code=problem.department_code,
        unit_name=unit_name(problem), fed_back_on=on.isoformat(),
        plan_due_at=rect.end_of_day(on + timedelta(days=found.plan_days)),
        report_due_at=rect.end_of_day(rect.add_months(on, found.report_months)),
        status=CS.FED_BACK.value)
    try:
        lifecycle.create(case, rect.CASE_MACHINE, CA.FEED_BACK, actor, data={"problems": count, "on": on.isoformat()})
    except NotUniqueError:
        return Rectification.objects.get(round_id=found.id, unit_key=problem.unit_key)
    return case


def problems_of_case(case: Rectification) -> list[RectificationProblem]:
    return list(RectificationProblem.objects(case_id=case.id).order_by("number"))


# ---------------------------------------------------------------- 整改方案

def submit_plan(actor: Actor, case_id: str, summary: str, items: list[dict]) -> Rectification:
    """The unit's plan: for every problem fed back, its measures, 责任人 and deadline."""
    case = get_case(actor, case_id)
    _own(actor, case.unit_key)
    problems = {str(p.id): p for p in problems_of_case(case) if p.status in UNRESOLVED}
    org = PartyOrganisation.objects(id=case.organisation_id).first() if case.organisation_id else None
    errors, plan_items = {}, []
    seen = set()
    for n, item in enumerate(items, start=1):
        problem = problems.get(item["problem_id"])
        if problem is None:
            errors[f"items.{n}.problem_id"] = [_("Not an open problem of this rectification.")]
            continue
        seen.add(item["problem_id"])
        member = None
        if item.get("responsible_member_id"):
            member = org.member(ObjectId(item["responsible_member_id"])) \
                if org and ObjectId.is_valid(item["responsible_member_id"]) else None
            if member is None:
                errors[f"items.{n}.responsible_member_id"] = [_("Not a member of the organisation.")]
                continue
        name = member.name if member else item.get("responsible_name")
        if not name:
            errors[f"items.{n}.responsible_member_id"] = [_("Name the 责任人 (a member, or responsible_name).")]
            continue
        due_on = item.get("due_on")
        if problem.problem_class == "deadline":
            if due_on is None:
                errors[f"items.{n}.due_on"] = [_("A 限期 problem needs its deadline.")]
                continue
            if problem.due_on and due_on.isoformat() > problem.due_on:
                errors[f"items.{n}.due_on"] = [_("After the deadline set at feedback (%(day)s).", day=problem.due_on)]
                continue
        plan_items.append(PlanItem(problem_id=problem.id, measures=item["measures"],
                                   responsible_member_id=member.member_id if member else None,
                                   responsible_user_id=member.user_id if member else None,
                                   responsible_name=name, due_on=due_on.isoformat() if due_on else None))
    if missing := sorted(set(problems) - seen):
        errors["items"] = [_("Every problem needs its measures; missing: %(numbers)s",
                             numbers=", ".join(problems[m].number for m in missing))]
    if errors:
        raise InvalidInput(_("The plan cannot be submitted as sent; see errors."), errors=errors)
    plan = UnitPlan(status="submitted", summary=summary, items=plan_items,
                    revision=(case.plan.revision + 1) if case.plan else 1, submitted_at=utcnow(),
                    submitted_by=actor.id)
    return _case_transition(case, CA.SUBMIT_PLAN, CS.PLAN_SUBMITTED.value, actor, note=summary,
                            data={"revision": plan.revision, "items": len(plan_items)}, set_fields={"plan": plan})


def decide_plan(actor: Actor, case_id: str, approve: bool, note: str | None) -> Rectification:
    """The office approves the plan (each problem takes its measures, 责任人 and deadline
    and is being rectified) or returns it with what must change."""
    _office(actor)
    case = get_case(actor, case_id)
    if case.plan is None or case.plan.status != "submitted":
        raise Conflict(_("This rectification has no submitted plan waiting for a decision."), code="no_submitted_plan")
    if not approve and not note:
        raise InvalidInput(_("Say what the plan must change."), errors={"note": [_("Required when returning it.")]})
    plan = case.plan
    plan.status = "approved" if approve else "returned"
    plan.decided_at, plan.decided_by, plan.decision_note = utcnow(), actor.id, note
    if not approve:
        return _case_transition(case, CA.RETURN_PLAN, CS.PLAN_RETURNED.value, actor, note=note,
                                data={"revision": plan.revision}, set_fields={"plan": plan},
                                expect={"plan__status": "submitted"})
    updated = _case_transition(case, CA.APPROVE_PLAN, CS.RECTIFYING.value, actor, note=note,
                               data={"revision": plan.revision}, set_fields={"plan": plan},
                               expect={"plan__status": "submitted"})
    for item in plan.items:
        def change(problem, item=item):
            if problem.status not in (PS.FED_BACK.value, PS.RECTIFYING.value):
                return problem
            fields = {"measures": item.measures, "responsible_member_id": item.responsible_member_id,
                      "responsible_user_id": item.responsible_user_id, "responsible_name": item.responsible_name}
            if problem.problem_class == "deadline" and item.due_on:
                fields["due_on"] = item.due_on
                due_at = _clock("deadline", item.due_on, [])
                fields.update(_clock_fields(due_at, reset=due_at != problem.due_at))
            return _transition(problem, PA.MEASURES, PS.RECTIFYING.value, actor,
                               data={"revision": plan.revision, "due_on": item.due_on}, set_fields=fields)
        _retrying(lambda item=item: RectificationProblem.objects.get(id=item.problem_id), change)
    return updated


# ---------------------------------------------------------------- progress, evidence, closure

def _evidence_named(problem: RectificationProblem, photo_ids: list[str] | None,
                    document_ids: list[str] | None) -> dict:
    photos = {str(i) for i in problem.evidence_photo_ids}
    docs = {str(i) for i in problem.evidence_document_ids}
    errors = {}
    if bad := [i for i in photo_ids or [] if i not in photos]:
        errors["photo_ids"] = [_("Not evidence of this problem: %(ids)s", ids=", ".join(bad))]
    if bad := [i for i in document_ids or [] if i not in docs]:
        errors["document_ids"] = [_("Not evidence of this problem: %(ids)s", ids=", ".join(bad))]
    if errors:
        raise InvalidInput(_("Add the evidence to the problem first; see errors."), errors=errors)
    return {k: v for k, v in (("photo_ids", photo_ids), ("document_ids", document_ids)) if v}


def report_progress(actor: Actor, problem_id: str, note: str, photo_ids=None, document_ids=None,
                    milestone: int | None = None) -> RectificationProblem:
    """进展. Naming a milestone (from 1) of a 长期 problem marks it done; the problem's clock
    moves to the next milestone."""
    problem = get_problem(actor, problem_id)
    _own(actor, problem.unit_key)
    data = _evidence_named(problem, photo_ids, document_ids)
    fields = {}
    if milestone is not None:
        if problem.problem_class != "long_term" or not 1 <= milestone <= len(problem.milestones):
            raise InvalidInput(_("Only a long-term problem's milestones (1 to %(n)s) can be reported done.",
                                 n=len(problem.milestones)), errors={"milestone": [_("No such milestone.")]})
        if problem.milestones[milestone - 1].done_at:
            raise Conflict(_("That milestone is already reported done."), code="milestone_done")
        now = utcnow()
        milestones = list(problem.milestones)
        milestones[milestone - 1].done_at, milestones[milestone - 1].done_note = now, note
        due_at = _clock("long_term", None, milestones)
        fields = {"milestones": milestones, **_clock_fields(due_at, reset=due_at != problem.due_at)}
        data["milestone"] = milestone
    return _transition(problem, PA.PROGRESS, problem.status, actor, note=note, data=data or None,
                       set_fields=fields or None)


def add_evidence(actor: Actor, problem_id: str, upload) -> tuple[str, object, bool]:
    """A photo (through the photo pipeline) or a document (PDF, DOCX, XLSX, its type read
    from its content) proving the fix. Returns (kind, stored, created); the same bytes
    again return the stored one."""
    from . import photos
    problem = get_problem(actor, problem_id)
    _own(actor, problem.unit_key)
    if problem.status not in (PS.FED_BACK.value, PS.RECTIFYING.value):
        raise Conflict(_("Evidence is added while the problem is being rectified; it is %(status)s.",
                         status=shown(rect.PROBLEM_MACHINE.named(problem.status))), code="invalid_transition")
    head = upload.stream.read(8)
    upload.stream.seek(0)
    if head.startswith(b"%PDF-") or head.startswith(b"PK\x03\x04"):
        kind, stored, created = "document", *_store_document(actor, problem, upload)
        field = "evidence_document_ids"
    else:
        stored, created = photos.store_evidence(actor, f"problem:{problem.id}", upload, problem_id=problem.id)
        kind, field = "photo", "evidence_photo_ids"
    if stored.id not in getattr(problem, field):
        _retrying(lambda: RectificationProblem.objects.get(id=problem.id),
                  lambda p: p if stored.id in getattr(p, field) else _transition(
                      p, PA.EVIDENCE, p.status, actor, data={kind: str(stored.id)}, push={field: stored.id}))
    return kind, stored, created


def _store_document(actor: Actor, problem: RectificationProblem, upload) -> tuple[Attachment, bool]:
    data = documents.read_upload(upload, documents.document_limit())
    return documents.store(actor, county_code=problem.county_code, owner=f"problem:{problem.id}", kind="evidence",
                           data=data, accepted=EVIDENCE_KINDS, filename=upload.filename or "evidence")


def open_document(actor: Actor, document_id: str) -> tuple[Attachment, bytes]:
    """An evidence document of a problem `actor` may see."""
    doc = Attachment.objects(id=document_id, kind="evidence").first() if ObjectId.is_valid(document_id) else None
    owner = doc.owner.split(":", 1)[1] if doc else None
    if doc is None or not can_see(actor, owner):
        raise NotFound(_("No document %(id)s that you can see.", id=document_id))
    return doc, doc.file.read()


def can_see(actor: Actor, problem_id) -> bool:
    return RectificationProblem.objects(scope(actor), id=problem_id).first() is not None


def request_closure(actor: Actor, problem_id: str, note: str, photo_ids=None, document_ids=None) -> RectificationProblem:
    """The unit asks for 销号, naming the evidence that proves the fix."""
    problem = get_problem(actor, problem_id)
    _own(actor, problem.unit_key)
    data = _evidence_named(problem, photo_ids, document_ids)
    if not data:
        raise InvalidInput(_("Name the evidence (photo_ids or document_ids) that proves the fix."),
                           errors={"photo_ids": [_("At least one photo or document.")]})
    return _transition(problem, PA.REQUEST_CLOSURE, PS.CLOSURE_REQUESTED.value, actor, note=note, data=data,
                       set_fields={"closure_requested_at": utcnow(), "check_outcome": None})


def request_check(actor: Actor, problem_id: str, inspector_ids: list[str], days: int) -> RectificationProblem:
    """The office asks inspectors to check a fix on site before 销号: a task of kind
    rectification_check for the problem's village."""
    from . import tasks
    _office(actor)
    problem = get_problem(actor, problem_id)
    if problem.status != PS.CLOSURE_REQUESTED.value:
        raise Conflict(_("An on-site check is asked for when the unit has requested 销号."), code="invalid_transition")
    today = rect.local_day(utcnow())
    task = tasks.create_task(actor, {"name": f"整改核查 {problem.number}", "village_codes": [problem.village_code],
                                     "inspector_ids": inspector_ids, "starts_on": today,
                                     "ends_on": today + timedelta(days=days), "focus_categories": []},
                             round_id=problem.round_id)
    InspectionTask.objects(id=task.id).update_one(set__kind="rectification_check",
                                                  set__problem_ids=[problem.id], **changes.stamp(problem.county_code))
    return _transition(problem, PA.CHECK, problem.status, actor, data={"task_id": str(task.id)},
                       set_fields={"check_task_id": task.id, "check_outcome": None})


def record_check(actor: Actor, problem_id: str, outcome: str, note: str | None) -> RectificationProblem:
    """The inspector's on-site result: confirmed, or not_fixed (with what is wrong)."""
    problem = get_problem(actor, problem_id)
    task = InspectionTask.objects(id=problem.check_task_id, inspector_ids=actor.id).first() \
        if problem.check_task_id else None
    if task is None:
        raise Forbidden(_("No on-site check of this problem is assigned to you."))
    if outcome == "not_fixed" and not note:
        raise InvalidInput(_("Say what is still wrong."), errors={"note": [_("Required when not fixed.")]})
    return _transition(problem, PA.CHECK_RESULT, problem.status, actor, note=note, data={"outcome": outcome},
                       set_fields={"check_outcome": outcome}, expect={"check_outcome": None})


def decide_closure(actor: Actor, problem_id: str, approve: bool, note: str | None) -> RectificationProblem:
    """销号 by the office: only on evidence (and the on-site check, where it asked for one);
    a 立行立改 problem once its department ticket is closed as fixed. Or send it back."""
    _office(actor)
    problem = get_problem(actor, problem_id)
    if not approve:
        if not note:
            raise InvalidInput(_("Say what is missing."), errors={"note": [_("Required when returning it.")]})
        return _transition(problem, PA.RETURN_CLOSURE, PS.RECTIFYING.value, actor, note=note)
    if problem.problem_class == "immediate" and problem.status != PS.CLOSURE_REQUESTED.value:
        ticket = Ticket.objects(id=problem.ticket_id).only("status", "outcome").first() if problem.ticket_id else None
        if ticket is None or ticket.status != "closed" or ticket.outcome != "fixed":
            raise Conflict(_("A 立行立改 problem is closed once its department ticket is closed as fixed."),
                           code="ticket_not_closed")
        evidence = {"ticket_id": str(problem.ticket_id)}
    else:
        if problem.status != PS.CLOSURE_REQUESTED.value:
            raise Conflict(_("销号 needs the unit's request with its evidence; the problem is %(status)s.",
                             status=shown(rect.PROBLEM_MACHINE.named(problem.status))), code="no_closure_request")
        if not (problem.evidence_photo_ids or problem.evidence_document_ids):
            raise Conflict(_("销号 needs evidence of the fix."), code="no_evidence")
        if problem.check_task_id and problem.check_outcome != "confirmed":
            raise Conflict(_("The on-site check has not confirmed the fix (%(outcome)s).",
                             outcome=problem.check_outcome or "pending"), code="check_not_confirmed")
        evidence = {"photos": len(problem.evidence_photo_ids), "documents": len(problem.evidence_document_ids)}
    now = utcnow()
    return _transition(problem, PA.CLOSE, PS.CLOSED.value, actor, note=note, data=evidence,
                       set_fields={"closed_at": now, "closed_by": actor.id})


# ---------------------------------------------------------------- 整改情况报告, 评估, 回头看

def submit_report(actor: Actor, case_id: str, text: str) -> Rectification:
    case = get_case(actor, case_id)
    _own(actor, case.unit_key)
    return _case_transition(case, CA.SUBMIT_REPORT, CS.REPORTED.value, actor, note=text[:200],
                            set_fields={"report": text, "report_at": utcnow()})


def report_case_progress(actor: Actor, case_id: str, text: str) -> Rectification:
    """A progress report on the whole rectification (between plan and report)."""
    case = get_case(actor, case_id)
    _own(actor, case.unit_key)
    return _case_transition(case, CA.PROGRESS, case.status, actor, note=text)


def evaluate(actor: Actor, case_id: str, scores: dict, note: str | None) -> Rectification:
    """整改评估: the office scores the unit on the county's checklist (weights add to 100)."""
    from .rounds import checklist
    _office(actor)
    case = get_case(actor, case_id)
    items = checklist(case.county_code)
    try:
        score = rect.weighted_score(items, scores)
    except rect.ChecklistError as exc:
        raise InvalidInput(_("Score every item of the checklist from 0 to 100; see errors."),
                           errors={"scores": list(exc.errors.values())})
    evaluation = Evaluation(scores=scores, checklist=items, score=score, grade=rect.grade(score), note=note,
                            evaluated_by=actor.id, evaluated_at=utcnow())
    return _case_transition(case, CA.EVALUATE, CS.EVALUATED.value, actor, note=note,
                            data={"score": score, "grade": evaluation.grade}, set_fields={"evaluation": evaluation})


def start_lookback(actor: Actor, round_id: str, case_ids: list[str], inspector_ids: list[str],
                   days: int) -> InspectionTask:
    """回头看 of chosen units (not only a sample): one task over their villages naming their
    closed problems; a finding made on it with `reopens_problem_id` reopens one."""
    from . import rounds, tasks
    _office(actor)
    found = get_round(actor, round_id)
    cases = [get_case(actor, i) for i in case_ids]
    if any(c.round_id != found.id for c in cases):
        raise InvalidInput(_("Choose rectifications of this round."), errors={"case_ids": [_("Another round.")]})
    closed = list(RectificationProblem.objects(case_id__in=[c.id for c in cases], status=PS.CLOSED.value))
    villages = sorted({p.village_code for p in closed} | {
        v.code for v in found.villages for c in cases if c.organisation_id == v.organisation_id})
    if not villages:
        raise Conflict(_("The chosen units have no village to re-inspect."), code="nothing_to_lookback")
    today = rect.local_day(utcnow())
    task = tasks.create_task(actor, {"name": f"回头看 {found.name}", "village_codes": villages,
                                     "inspector_ids": inspector_ids, "starts_on": today,
                                     "ends_on": today + timedelta(days=days), "focus_categories": []},
                             round_id=found.id)
    InspectionTask.objects(id=task.id).update_one(set__kind="round_lookback",
                                                  set__problem_ids=[p.id for p in closed], **changes.stamp(found.county_code))
    rounds._transition(found, "lookback", found.status, actor, data={"task_id": str(task.id),
                                                                     "cases": [str(c.id) for c in cases]})
    for case in cases:
        _retrying(lambda case=case: Rectification.objects.get(id=case.id),
                  lambda c: _case_transition(c, CA.LOOKBACK, c.status, actor, data={"task_id": str(task.id)},
                                             set_fields={"lookback_task_id": task.id}))
    return InspectionTask.objects.get(id=task.id)


def check_reopen(actor: Actor, task: InspectionTask, problem_id: str) -> RectificationProblem:
    """A 回头看 finding may name a closed problem of its task to reopen."""
    problem = RectificationProblem.objects(id=problem_id).first() if ObjectId.is_valid(problem_id) else None
    if task.kind != "round_lookback" or problem is None or problem.id not in task.problem_ids:
        raise InvalidInput(_("Only a 回头看 task's findings can reopen its closed problems."),
                           errors={"reopens_problem_id": [_("Not a problem of this 回头看 task.")]})
    return problem


def reopen_from_finding(finding: Finding) -> RectificationProblem | None:
    """The 回头看 finding found the problem back: it is rectified again, with a new
    deadline (30 days), and counts as reopened. Idempotent (the finding is named once)."""
    problem = RectificationProblem.objects(id=finding.reopens_problem_id).first()
    if problem is None or any(e.data.get("finding_id") == str(finding.id) for e in problem.events):
        return problem
    if problem.status != PS.CLOSED.value:
        return problem
    user = User.objects(id=finding.inspector_id).first()
    due_on = (rect.local_day(utcnow()) + timedelta(days=30)).isoformat()
    return _transition(problem, PA.REOPEN, PS.RECTIFYING.value, Actor.of(user) if user else None,
                       note=finding.description, data={"finding_id": str(finding.id)}, inc={"reopen_count": 1},
                       set_fields={"closed_at": None, "closed_by": None, "check_outcome": None,
                                   "closure_requested_at": None, "due_on": due_on,
                                   **_clock_fields(rect.end_of_day(date.fromisoformat(due_on)), reset=True),
                                   "problem_class": "deadline" if problem.problem_class == "immediate"
                                   else problem.problem_class})


# ---------------------------------------------------------------- 责任交接

def hand_over_problems(actor: Actor, org: PartyOrganisation, leaving, successor, reason: str) -> int:
    """The leaver's unresolved problems pass to the successor; a new secretary becomes
    责任领导 of every unresolved problem of the organisation. One event per problem."""
    unit = f"org:{org.id}"
    query = Q(unit_key=unit, status__in=UNRESOLVED)
    if leaving.post != "secretary":
        query &= Q(responsible_member_id=leaving.member_id)
    moved = 0
    for problem in RectificationProblem.objects(query):
        def change(p):
            fields = {}
            if p.responsible_member_id == leaving.member_id:
                fields.update(responsible_member_id=successor.member_id, responsible_user_id=successor.user_id,
                              responsible_name=successor.name)
            if leaving.post == "secretary":
                fields["leader_name"] = successor.name
            if not fields or p.status not in UNRESOLVED:
                return None
            return _transition(p, PA.HANDOVER, p.status, actor, note=reason,
                               data={"from": leaving.name, "to": successor.name, "post": leaving.post},
                               set_fields=fields)
        if _retrying(lambda problem=problem: RectificationProblem.objects.get(id=problem.id), change):
            moved += 1
    for case in Rectification.objects(unit_key=unit):
        _retrying(lambda case=case: Rectification.objects.get(id=case.id),
                  lambda c: _case_transition(c, CA.HANDOVER, c.status, actor, note=reason,
                                             data={"from": leaving.name, "to": successor.name,
                                                   "post": leaving.post}))
    return moved


# ---------------------------------------------------------------- the reply clock (超期 · 督办)

def _notify(stage: str, run_id: str, rows: list[dict]) -> None:
    """The office hears of the problems a run marked, one notice per stage and county."""
    from . import notifications
    by_county: dict[str, list] = defaultdict(list)
    for row in rows:
        by_county[row["county_code"]].append(row)
    for county, marked in by_county.items():
        notifications.publish(key=f"problem_{stage}:{run_id}:{county}", kind=f"problem_{stage}",
                              county_code=county, department_code=None, audience="office", tickets=marked,
                              department_name="")


# A problem past its clock (a 限期 deadline, a 长期 milestone) is overdue, then escalated
# (督办: the unit's 第一责任人 after one working day, the office's list after three).
PROBLEM_CLOCK = reply_clock.Clock(
    kind="problems", model=RectificationProblem, machine=rect.PROBLEM_MACHINE,
    stages=reply_clock.reply_stages(tuple(OPEN), remind=False),
    row={f: 1 for f in ("county_code", "number", "title", "due_at", "unit_key")}, notify=_notify)
# A unit late with its plan or its report is flagged (the office's page lists it).
CASE_CLOCK = reply_clock.Clock(
    kind="rectifications", model=Rectification, machine=rect.CASE_MACHINE, stages=(
        reply_clock.Stage("plan_overdue", "plan_due_at", (CS.FED_BACK.value, CS.PLAN_RETURNED.value),
                          {"plan_overdue": {"$ne": True}}, {"plan_overdue": True}, CA.PLAN_OVERDUE.value),
        reply_clock.Stage("report_overdue", "report_due_at", (CS.RECTIFYING.value,),
                          {"report_overdue": {"$ne": True}}, {"report_overdue": True}, CA.REPORT_OVERDUE.value)),
    row={"county_code": 1})
