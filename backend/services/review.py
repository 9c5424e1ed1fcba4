"""The 问题底稿 review queue: every finding that needs action, and every villager's report
(码上巡视, Open311), is an entry; the round's 组长 (the office, outside any round) approves
it (with its class and type), sends it back to its author with a reason, merges it into
another entry, or does not accept it. `_transition` is the only writer of an entry; each
decision is one version-guarded update with its event.

Each source kind registers in `SOURCES` how a decision reaches its source: an inspector's
finding mirrors the decision to the phone (sync); a report is decided by it
(`public_reports.apply_review`). A report has no author: the reviewer completes its 底稿
fields when approving it, and it cannot be sent back.
"""
from collections.abc import Callable
from datetime import date

from bson import ObjectId
from mongoengine.errors import NotUniqueError
from mongoengine.queryset.visitor import Q

from ..auth import Actor
from ..domain.codes import RESTRICTED_CATEGORIES, Role
from ..domain.rounds import (RECTIFIED_TYPES, REVIEW_MACHINE, Phase, ProblemType, RectificationClass,
                             ReviewAction, ReviewStatus)
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..i18n import _
from ..models import Finding, InspectionRound, InspectionTask, ReviewEntry
from ..models.common import utcnow
from ..models.review import Milestone, ReviewDecision
from . import changes, lifecycle, review_handoff

RS = ReviewStatus


# ---------------------------------------------------------------- sources

def _mirror_to_finding(entry: ReviewEntry, actor: Actor | None) -> None:
    """The inspector's phone learns every decision through its sync feed (the finding)."""
    Finding.objects(id=entry.source_id).update_one(
        set__review_status=entry.status,
        set__review_note=entry.return_reason if entry.status in (RS.RETURNED, RS.REJECTED) else None,
        **changes.stamp(entry.county_code))


def _decide_report(entry: ReviewEntry, actor: Actor | None) -> None:
    from . import public_reports
    public_reports.apply_review(entry, actor)


# source kind -> what a change of the entry does to its source (None: nothing)
SOURCES: dict[str, Callable[[ReviewEntry, Actor | None], None] | None] = {
    "finding": _mirror_to_finding, "public_report": _decide_report}


def _after(entry: ReviewEntry, actor: Actor | None) -> ReviewEntry:
    hook = SOURCES.get(entry.source_kind)
    if hook:
        hook(entry, actor)
    return entry


def _transition(entry: ReviewEntry, action, target, actor: Actor | None, **kw) -> ReviewEntry:
    return _after(lifecycle.transition(entry, REVIEW_MACHINE, action, target, actor, **kw), actor)


# ---------------------------------------------------------------- joining the queue

def queue(*, source_kind: str, source_id, county_code: str, round_id, task_id, author_id,
          village_code: str, township_code: str, fields: dict, immediate_mark: bool = False) -> ReviewEntry:
    """Put an entry in the queue once per source (idempotent)."""
    existing = ReviewEntry.objects(source_kind=source_kind, source_id=source_id).first()
    if existing:
        return existing
    entry = ReviewEntry(source_kind=source_kind, source_id=source_id, county_code=county_code,
                        round_id=round_id, task_id=task_id, author_id=author_id, village_code=village_code,
                        township_code=township_code, immediate_mark=immediate_mark, status=RS.PENDING.value,
                        **fields)
    try:
        lifecycle.create(entry, REVIEW_MACHINE, ReviewAction.QUEUE, None, data={"source": source_kind})
    except NotUniqueError:
        return ReviewEntry.objects.get(source_kind=source_kind, source_id=source_id)
    return entry


def _finding_fields(finding: Finding) -> dict:
    return {"category": finding.category, "severity": finding.severity, "title": finding.title,
            "description": finding.description, "fact_basis": finding.fact_basis,
            "policy_basis": finding.policy_basis, "responsibility_basis": finding.responsibility_basis,
            "responsible_subject": {"post": finding.responsible_post} if finding.responsible_post else {}}


def queue_finding(finding: Finding) -> ReviewEntry:
    if finding.public_report_id:   # a report approved as 立行立改: reviewed already, as the report
        return ReviewEntry.objects.get(source_kind="public_report", source_id=finding.public_report_id)
    task = InspectionTask.objects(id=finding.task_id).only("round_id").first()
    entry = queue(source_kind="finding", source_id=finding.id, county_code=finding.county_code,
                  round_id=task.round_id if task else None, task_id=finding.task_id,
                  author_id=finding.inspector_id, village_code=finding.village_code,
                  township_code=finding.township_code, fields=_finding_fields(finding),
                  immediate_mark=finding.immediate)
    if finding.review_status is None:
        Finding.objects(id=finding.id, review_status=None).update_one(set__review_status=entry.status)
    return entry


def _round_of(county_code: str, task_id, village_code: str | None):
    """Whose queue: the round of the task (the QR code of a round's task), or else the round
    whose team is in the village now (进驻, 巡察); None (the office) outside any round."""
    if task_id:
        task = InspectionTask.objects(id=task_id).only("round_id").first()
        return task.round_id if task else None
    if village_code:
        found = InspectionRound.objects(county_code=county_code, villages__code=village_code,
                                        status__in=[Phase.ENTRY.value, Phase.INSPECTION.value]) \
            .only("id").order_by("-created_at").first()
        return found.id if found else None
    return None


def queue_report(report) -> ReviewEntry:
    """A villager's report joins the queue of whoever reviews an inspector's finding of the
    same task or village. Its title is its text's beginning; its description the text with
    phone and ID numbers masked (the reviewer reads the whole report in the entry)."""
    from ..domain.privacy import mask
    text = report.text.strip()
    return queue(source_kind="public_report", source_id=report.id, county_code=report.county_code,
                 round_id=_round_of(report.county_code, report.task_id, report.village_code),
                 task_id=report.task_id, author_id=None, village_code=report.village_code,
                 township_code=report.township_code,
                 fields={"category": report.category, "title": text if len(text) <= 40 else text[:39] + "…",
                         "description": mask(text)})


def record_dispatch(finding: Finding, ticket) -> None:
    """边巡边改: the finding was dispatched as a ticket before review (recorded once)."""
    entry = ReviewEntry.objects(source_kind="finding", source_id=finding.id).first()
    if entry is None or entry.ticket_id is not None:
        return
    try:
        _transition(entry, ReviewAction.DISPATCH, entry.status, None, note="边巡边改：立行立改先行派单",
                    data={"ticket_id": str(ticket.id)},
                    set_fields={"ticket_id": ticket.id, "dispatched_before_review": True},
                    expect={"ticket_id": None})
    except Conflict:
        pass  # recorded by a concurrent replay, or decided meanwhile: the ticket id stays on the finding


def resubmit_finding(finding: Finding, data: dict, fingerprint: str) -> Finding:
    """The inspector's new revision of a finding that was sent back (same client_id): the
    finding takes the new content and its entry waits for review again."""
    entry = ReviewEntry.objects(source_kind="finding", source_id=finding.id).first()
    if entry is None or entry.status != RS.RETURNED:
        raise Conflict(_("client_id %(id)s was already used for a different finding; generate a new UUID "
                         "for a new finding.", id=finding.client_id), code="client_id_conflict")
    if data["task_id"] != str(finding.task_id) or data["village_code"] != finding.village_code:
        raise InvalidInput(_("A new revision keeps its task and village."),
                           errors={"task_id": [_("Must stay the same.")], "village_code": [_("Must stay the same.")]})
    from .findings import location_from
    from ..models.common import to_millis
    location = location_from(data.get("location")) or finding.location
    update = {"set__fingerprint": fingerprint, "inc__revision": 1, "set__review_status": RS.PENDING.value,
              "set__review_note": None, "set__location": location,
              "set__point": [location.lon, location.lat] if location else None,
              "set__observed_at": to_millis(data["observed_at"]),
              "set__immediate": bool(data.get("immediate")), "set__responsible_post": data.get("responsible_post")}
    for name in ("category", "severity", "title", "description", "fact_basis", "policy_basis",
                 "responsibility_basis"):
        update[f"set__{name}"] = data[name]
    updated = Finding.objects(id=finding.id, revision=finding.revision, fingerprint=finding.fingerprint).modify(
        new=True, **update, **changes.stamp(finding.county_code))
    if updated is None:
        raise Conflict(_("The finding changed meanwhile; sync and try again."), code="stale")
    _transition(entry, ReviewAction.RESUBMIT, RS.PENDING.value, _author(updated),
                data={"revision": updated.revision},
                set_fields={**_finding_fields(updated), "revision": updated.revision, "return_reason": None,
                            "immediate_mark": updated.immediate})
    updated.revised = True
    return updated


def _author(finding: Finding) -> Actor:
    from ..models import User
    user = User.objects(id=finding.inspector_id).first()
    return Actor.of(user)


# ---------------------------------------------------------------- the reviewer

def scope(actor: Actor) -> Q:
    """Entries `actor` reviews: the office those of its county outside any round; a 组长
    those of the rounds they lead."""
    if actor.role == Role.OFFICE:
        return Q(county_code=actor.county_code, round_id=None)
    if actor.role == Role.INSPECTOR:
        led = [r.id for r in InspectionRound.objects(county_code=actor.county_code, leader_id=actor.id).only("id")]
        return Q(county_code=actor.county_code, round_id__in=led)
    return Q(id=None)


def list_queue(actor: Actor, round_id: str | None = None, status: str | None = "pending"):
    query = ReviewEntry.objects(scope(actor)).exclude("events")
    if round_id:
        query = query.filter(round_id=round_id if ObjectId.is_valid(round_id) else None)
    if status:
        query = query.filter(status=status)
    return query.order_by("created_at")


def get_reviewable(actor: Actor, entry_id: str, version: int | None = None) -> ReviewEntry:
    entry = ReviewEntry.objects(scope(actor), id=entry_id).first() if ObjectId.is_valid(entry_id) else None
    if entry is None:
        if actor.role not in (Role.OFFICE, Role.INSPECTOR):
            raise Forbidden(_("Only a round's team leader (组长) reviews its 底稿 entries."))
        raise NotFound(_("No 底稿 entry %(id)s that you review.", id=entry_id))
    if version is not None and version != entry.version:
        raise Conflict(_("The entry changed since you read it (version %(have)s, now %(now)s); reload it.",
                         have=version, now=entry.version), code="stale")
    return entry


def _milestones(items: list[dict], allow_past: bool) -> list[Milestone]:
    from ..domain.rectification import local_day
    today = local_day(utcnow())
    errors = {}
    days = [m["due_on"] for m in items]
    if not items:
        errors["milestones"] = [_("A long-term problem needs at least one milestone.")]
    elif days != sorted(days):
        errors["milestones"] = [_("Give the milestones in the order of their dates.")]
    elif not allow_past and days[0] < today:
        errors["milestones"] = [_("A milestone lies in the past.")]
    if errors:
        raise InvalidInput(_("The decision cannot be recorded as sent; see errors."), errors=errors)
    return [Milestone(title=m["title"], due_on=m["due_on"].isoformat() if isinstance(m["due_on"], date)
                      else m["due_on"]) for m in items]


def _decision(actor: Actor, entry: ReviewEntry, data: dict, allow_past: bool, category: str | None) -> ReviewDecision:
    kind = data["problem_type"]
    klass = data.get("problem_class")
    errors = {}
    if category in RESTRICTED_CATEGORIES and kind != ProblemType.CLUE:
        errors["problem_type"] = [_("A misconduct entry is a clue (线索): it never enters the ticket loop.")]
    if kind in RECTIFIED_TYPES and not klass:
        errors["problem_class"] = [_("Required for a problem: immediate, deadline or long_term.")]
    if klass == RectificationClass.DEADLINE and not (data.get("deadline_days") or data.get("deadline_months")):
        errors["deadline_days"] = [_("A 限期 problem needs deadline_days or deadline_months.")]
    if kind in (ProblemType.DEPARTMENT, ProblemType.SUGGESTION) and not data.get("department_code"):
        errors["department_code"] = [_("Name the county department.")]
    if data.get("department_code"):
        from ..models import Department
        if not Department.objects(county_code=entry.county_code, code=data["department_code"]).first():
            errors["department_code"] = [_("Unknown department.")]
    if errors:
        raise InvalidInput(_("The decision cannot be recorded as sent; see errors."), errors=errors)
    milestones = _milestones(data.get("milestones") or [], allow_past) \
        if klass == RectificationClass.LONG_TERM else []
    return ReviewDecision(problem_class=klass if kind in RECTIFIED_TYPES else None, problem_type=kind,
                          deadline_days=data.get("deadline_days") if klass == "deadline" else None,
                          deadline_months=data.get("deadline_months") if klass == "deadline" else None,
                          milestones=milestones, department_code=data.get("department_code"),
                          responsible_post=data.get("responsible_post")
                          or entry.responsible_subject.get("post") or "secretary",
                          note=data.get("note"), public_reply=data.get("public_reply"), decided_by=actor.id,
                          decided_at=utcnow())


# The 底稿 fields a reviewer completes on a villager's report (an inspector's are the author's).
COMPLETED = ("village_code", "category", "severity", "title", "description", "fact_basis", "policy_basis",
             "responsibility_basis")


def _completed(entry: ReviewEntry, data: dict) -> dict:
    """The fields the reviewer completed on a report's entry: all of them before it becomes
    a problem (organisation or department); refused on an inspector's entry."""
    given = {name: data[name] for name in COMPLETED if data.get(name)}
    if entry.source_kind != "public_report":
        if given or data.get("public_reply"):
            raise InvalidInput(_("An inspector's entry is corrected by its author: send it back with the reason."),
                               errors={name: [_("Only a villager's report is completed by its reviewer.")]
                                       for name in [*given, *(["public_reply"] if data.get("public_reply") else [])]})
        return {}
    fields = {name: given.get(name) or getattr(entry, name) for name in COMPLETED}
    if given.get("village_code") and given["village_code"] != entry.village_code:
        from ..models import Village
        village = Village.objects(code=given["village_code"], county_code=entry.county_code).first()
        if village is None:
            raise InvalidInput(_("No village %(code)s in this county.", code=given["village_code"]),
                               errors={"village_code": [_("Unknown village.")]})
        fields["township_code"] = village.township_code
    if data["problem_type"] in RECTIFIED_TYPES:
        missing = [name for name in COMPLETED if not fields.get(name)]
        if missing:
            raise InvalidInput(_("Complete the report before approving it as a problem: %(fields)s.",
                                 fields=", ".join(missing)),
                               errors={name: [_("Required to approve a villager's report as a problem.")]
                                       for name in missing})
    return {name: value for name, value in fields.items() if value != getattr(entry, name)}


def approve(actor: Actor, entry_id: str, data: dict, *, allow_past: bool = False) -> ReviewEntry:
    """Approve an entry with its class and type. An organisation's or a department's problem
    becomes a rectification problem (立行立改 also opens its department ticket now); a clue
    or a suggestion is handed off to its own loop. A villager's report is completed here by
    its reviewer (category, severity, the three bases), and its receipt follows."""
    from . import rectification
    entry = get_reviewable(actor, entry_id, data.get("version"))
    completed = _completed(entry, data)
    decision = _decision(actor, entry, data, allow_past, completed.get("category") or entry.category)
    problem_id = ObjectId() if decision.problem_type in RECTIFIED_TYPES else None
    approved = _transition(entry, ReviewAction.APPROVE, RS.APPROVED.value, actor, note=decision.note,
                           data={"problem_type": decision.problem_type, "problem_class": decision.problem_class},
                           set_fields={**completed, "decision": decision, "problem_id": problem_id})
    if problem_id:
        rectification.open_problem(approved, problem_id, actor)
    else:
        review_handoff.hand_off(actor, approved)
    return ReviewEntry.objects.get(id=approved.id)


def send_back(actor: Actor, entry_id: str, reason: str, version: int | None = None) -> ReviewEntry:
    """退回: back to its author with the reason; the author resubmits a new revision."""
    entry = get_reviewable(actor, entry_id, version)
    if entry.source_kind != "finding":
        raise Conflict(_("A villager's report has no author to send it back to: approve it (completing it "
                         "yourself), or reject it with the reason the reporter reads."), code="no_author")
    return _transition(entry, ReviewAction.RETURN, RS.RETURNED.value, actor, note=reason,
                       data={"revision": entry.revision}, set_fields={"return_reason": reason})


def reject(actor: Actor, entry_id: str, reason: str, version: int | None = None) -> ReviewEntry:
    """不予采纳, with the reason (a villager's report: not accepted, the reason shown on its receipt)."""
    entry = get_reviewable(actor, entry_id, version)
    return _transition(entry, ReviewAction.REJECT, RS.REJECTED.value, actor, note=reason,
                       set_fields={"return_reason": reason})


def merge(actor: Actor, entry_id: str, into_id: str, note: str | None, version: int | None = None) -> ReviewEntry:
    """Merge an entry into another of the same round (the same problem seen twice): it ends
    as merged; the other records it (its event `absorb`)."""
    entry = get_reviewable(actor, entry_id, version)
    target = get_reviewable(actor, into_id)
    if target.id == entry.id:
        raise InvalidInput(_("An entry cannot be merged into itself."), errors={"into_id": [_("The same entry.")]})
    if target.round_id != entry.round_id or target.status not in (RS.PENDING, RS.APPROVED):
        raise Conflict(_("Merge into a pending or approved entry of the same round."), code="merge_target")
    merged = _transition(entry, ReviewAction.MERGE, RS.MERGED.value, actor, note=note,
                         data={"into": str(target.id)}, set_fields={"merged_into": target.id})
    for _attempt in range(3):
        try:
            _transition(target, ReviewAction.ABSORB, target.status, actor, note=note,
                        data={"merged": str(entry.id)}, push={"merged_ids": entry.id})
            break
        except Conflict:
            target = ReviewEntry.objects.get(id=target.id)
    return merged


def detail(actor: Actor, entry_id: str) -> ReviewEntry:
    """One entry; a villager's report's with the report itself (the whole text and the
    reporter's phone, for its reviewer: each view recorded on the report)."""
    entry = get_reviewable(actor, entry_id)
    if entry.source_kind == "public_report":
        from . import public_reports
        entry.report = public_reports.for_reviewer(actor, entry.source_id)
    return entry
