"""Problem clues (问题线索): their own confidential loop, outside every ticket figure.

Who sees a clue: the county's office, and the handlers the office named at the receiving
body (the discipline commission or the organisation department) once it is transferred.
Nobody else: not the inspector who found it (their finding shows only "transferred"), not
the receiver's other staff, not any other department. Every read — a list, a detail, a
document — is written to the audit log, and so is every refused attempt.
"""
from datetime import datetime

from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError
from mongoengine.queryset.visitor import Q

from .. import pdf
from ..auth import Actor
from ..domain import clues as domain
from ..domain.clues import ClueSource, ClueStatus, Disposition, Receiver
from ..domain.codes import Role
from ..domain.followups import add_months, clocks, local_day
from ..errors import Conflict, InvalidInput, NotFound
from ..i18n import _
from ..models import Attachment, Clue, ClueAccess, Department, Finding, User, Village
from ..models.common import utcnow
from . import changes, documents, followups, lifecycle, reply_clock

S = ClueStatus
TALLIES = followups.Tallies("clue", Clue, domain.FIELDS, domain.contribution)
PREFIX = "XS"                       # 线索
REMIND_DAYS_BEFORE = 14             # 催办 two weeks before the feedback is due
ESCALATE_DAYS_AFTER = (7, 30)       # 督办 a week after it, then a month after it
MAX_HANDLERS = 5
DOCUMENT_KINDS = frozenset({"pdf", "docx", "jpeg", "png"})   # letters, or scans of them
LIST_FIELDS = ("id", "number", "status", "source", "title", "village_code", "township_code", "receiver",
               "handler_ids", "disposition", "transferred_at", "due_at", "fed_back_at", "overdue",
               "escalation_level", "created_at")


# ---------------------------------------------------------------- who sees what, and the audit

def scope(actor: Actor) -> Q:
    """The office: every clue of its county. A department user: the clues transferred to
    their body that name them as a handler. Anybody else: nothing."""
    if actor.role == Role.OFFICE:
        return Q(county_code=actor.county_code)
    if actor.role == Role.DEPARTMENT and actor.department_code in {r.value for r in Receiver}:
        return Q(county_code=actor.county_code, receiver=actor.department_code, handler_ids=actor.id,
                 status__in=[S.TRANSFERRED.value, S.FED_BACK.value])
    return Q(id=None)


def _audit(actor: Actor, action: str, clue_ids: list) -> None:
    ClueAccess(county_code=actor.county_code, actor_id=actor.id, actor_name=actor.username,
               actor_role=actor.role, department_code=actor.department_code, action=action,
               clue_ids=[ObjectId(i) for i in clue_ids if ObjectId.is_valid(str(i))]).save()


def _visible(actor: Actor, clue_id: str, action: str = "detail") -> Clue:
    clue = Clue.objects(scope(actor), id=clue_id).first() if ObjectId.is_valid(clue_id) else None
    if clue is None:
        _audit(actor, "denied", [clue_id])
        raise NotFound(_("No clue %(id)s that you can see.", id=clue_id))
    _audit(actor, action, [clue.id])
    return clue


def list_clues(actor: Actor, filters: dict, offset: int, limit: int) -> dict:
    """A page of the clues the actor may see, newest first; the page is audited."""
    query = Clue.objects(scope(actor))
    for name in ("status", "receiver", "disposition", "source"):
        if filters.get(name):
            query = query.filter(**{name: filters[name]})
    if filters.get("overdue") is not None:
        query = query.filter(status=S.TRANSFERRED.value, overdue=filters["overdue"])
    total = query.count()
    page = list(query.only(*LIST_FIELDS).order_by("-created_at")[offset:offset + limit])
    _audit(actor, "list", [c.id for c in page])
    return {"total": total, "offset": offset, "limit": limit, "clues": page}


def detail(actor: Actor, clue_id: str) -> Clue:
    clue = _visible(actor, clue_id)
    return _with_extras(clue)


def _with_extras(clue: Clue) -> Clue:
    users = {u.id: u for u in User.objects(id__in=clue.handler_ids).only("id", "username", "display_name")}
    clue.handlers = [{"id": str(i), "username": users[i].username, "display_name": users[i].display_name}
                     for i in clue.handler_ids if i in users]
    clue.documents = documents.of_owner(f"clue:{clue.id}")
    return clue


def audit_log(actor: Actor, clue_id: str | None, limit: int) -> list[ClueAccess]:
    """The office reads who read which clue (newest first)."""
    query = ClueAccess.objects(county_code=actor.county_code)
    if clue_id:
        if not ObjectId.is_valid(clue_id):
            raise InvalidInput(_("Not a clue id."), errors={"clue_id": [_("Not an id.")]})
        query = query.filter(clue_ids=ObjectId(clue_id))
    return list(query.order_by("-at")[:limit])


# ---------------------------------------------------------------- registering (登记)

def register_from_finding(actor: Actor | None, finding: Finding) -> Clue:
    """A misconduct finding (or a finding the 组长 typed "clue") becomes a clue, once: a
    second call returns the same clue. The finding shows the inspector only "transferred"."""
    clue = Clue.objects(finding_id=finding.id).first()
    if clue is None:
        now = utcnow()
        clue = Clue(number=followups.next_number(finding.county_code, PREFIX, now),
                    county_code=finding.county_code, source=ClueSource.FINDING.value, finding_id=finding.id,
                    task_id=finding.task_id, inspector_id=finding.inspector_id,
                    village_code=finding.village_code, township_code=finding.township_code,
                    title=finding.title, description=finding.description, fact_basis=finding.fact_basis,
                    policy_basis=finding.policy_basis, responsibility_basis=finding.responsibility_basis,
                    status=S.REGISTERED.value, registered_by=actor.id if actor else None)
        try:
            clue = followups.create(clue, domain.MACHINE, TALLIES, "register", actor,
                                    data={"finding_id": str(finding.id)})
        except NotUniqueError:  # registered concurrently
            clue = Clue.objects.get(finding_id=finding.id)
    Finding.objects(id=finding.id, clue_id=None).update_one(set__clue_id=clue.id, **changes.stamp(finding.county_code))
    finding.clue_id = clue.id
    return clue


def register(actor: Actor, data: dict) -> Clue:
    """The office registers a clue by hand (a letter, a call, a villager's report)."""
    village = None
    if data.get("village_code"):
        village = Village.objects(code=data["village_code"], county_code=actor.county_code).first()
        if village is None:
            raise InvalidInput(_("No village %(code)s in your county.", code=data["village_code"]),
                               errors={"village_code": [_("Unknown village.")]})
    now = utcnow()
    clue = Clue(number=followups.next_number(actor.county_code, PREFIX, now), county_code=actor.county_code,
                source=data.get("source") or ClueSource.LETTER.value, title=data["title"],
                description=data["description"], subject=data.get("subject"),
                fact_basis=data.get("fact_basis"), village_code=village.code if village else None,
                township_code=village.township_code if village else None, status=S.REGISTERED.value,
                registered_by=actor.id)
    return _with_extras(followups.create(clue, domain.MACHINE, TALLIES, "register", actor, note=data.get("note")))


def register_from_report(actor: Actor, report) -> Clue:
    """A villager's report the reviewer decided is a clue (码上巡视 or Open311) becomes one,
    once: a second call returns the same clue. The reporter's name and phone stay on the
    report (the office sees them there); the clue carries the text and the place."""
    clue = Clue.objects(public_report_id=report.id).first()
    if clue is None:
        text = report.text.strip()
        clue = Clue(number=followups.next_number(report.county_code, PREFIX, utcnow()),
                    county_code=report.county_code, source=ClueSource.REPORT.value, public_report_id=report.id,
                    task_id=report.task_id, village_code=report.village_code, township_code=report.township_code,
                    title=text if len(text) <= 40 else text[:39] + "…", description=text,
                    status=S.REGISTERED.value, registered_by=actor.id)
        try:
            clue = followups.create(clue, domain.MACHINE, TALLIES, "register", actor,
                                    data={"public_report_id": str(report.id)})
        except NotUniqueError:  # registered concurrently
            clue = Clue.objects.get(public_report_id=report.id)
    return clue


# ---------------------------------------------------------------- transfer (移交) and handlers

def _handlers(actor: Actor, receiver: str, handler_ids: list[str]) -> list[ObjectId]:
    ids = list(dict.fromkeys(handler_ids))
    if not ids or len(ids) > MAX_HANDLERS:
        raise InvalidInput(_("Name one to %(n)s handlers at the receiving body.", n=MAX_HANDLERS),
                           errors={"handler_ids": [_("Name 1 to 5 users.")]})
    valid = [ObjectId(i) for i in ids if ObjectId.is_valid(i)]
    users = {u.id for u in User.objects(id__in=valid, county_code=actor.county_code, role=Role.DEPARTMENT.value,
                                        department_code=receiver, active=True).only("id")}
    unknown = [i for i in ids if not ObjectId.is_valid(i) or ObjectId(i) not in users]
    if unknown:
        raise InvalidInput(_("Handlers must be active users of the receiving body."),
                           errors={"handler_ids": [_("Not users of %(receiver)s: %(ids)s", receiver=receiver,
                                                        ids=", ".join(unknown))]})
    return valid


def transfer(actor: Actor, clue_id: str, receiver: str, handler_ids: list[str], note: str | None,
             document_id: str | None) -> Clue:
    """移交: to the discipline commission or the organisation department, naming its
    handlers, with a transfer document: one uploaded before (`document_id`) or, without
    one, the transfer letter generated as a PDF. Feedback is due in CLUE_FEEDBACK_MONTHS."""
    clue = _visible(actor, clue_id, "transfer")
    lifecycle.check(domain.MACHINE, "transfer", clue.status, S.TRANSFERRED.value)
    receiver = Receiver(receiver).value
    handlers = _handlers(actor, receiver, handler_ids)
    now = utcnow()
    due_day = add_months(local_day(now), current_app.config["CLUE_FEEDBACK_MONTHS"])
    clock = clocks(due_day, REMIND_DAYS_BEFORE, ESCALATE_DAYS_AFTER)
    if document_id:
        document = _document(clue, document_id, kind="transfer")
    else:
        document = _transfer_letter(actor, clue, receiver, clock.due_at)
    return _with_extras(followups.transition(
        clue, domain.MACHINE, TALLIES, "transfer", S.TRANSFERRED.value, actor, note=note,
        data={"receiver": receiver, "document_id": str(document.id)},
        set_fields={"receiver": receiver, "handler_ids": handlers, "transferred_at": now,
                    "transfer_document_id": document.id, **clock.fields()}))


def set_handlers(actor: Actor, clue_id: str, handler_ids: list[str], note: str | None) -> Clue:
    """The office names other handlers at the same receiving body."""
    clue = _visible(actor, clue_id, "handlers")
    if not clue.receiver:
        raise Conflict(_("Transfer the clue first; its handlers are named with the transfer."),
                       code="invalid_transition")
    handlers = _handlers(actor, clue.receiver, handler_ids)
    return _with_extras(followups.transition(
        clue, domain.MACHINE, TALLIES, "handlers", clue.status, actor, note=note,
        data={"handler_ids": [str(h) for h in handlers]}, set_fields={"handler_ids": handlers}))


def _receiver_name(county_code: str, code: str) -> str:
    department = Department.objects(county_code=county_code, code=code).first()
    return department.name if department else code


def _transfer_letter(actor: Actor, clue: Clue, receiver: str, due_at: datetime) -> Attachment:
    """The transfer letter (问题线索移交函) as a PDF with the Chinese font embedded."""
    from ..domain.sla import CHINA
    font = pdf.register_font(current_app.config["PDF_FONT"])
    doc = pdf.Document(title="问题线索移交函", subtitle=f"编号：{clue.number}", font=font)
    doc.paragraph(f"{_receiver_name(clue.county_code, receiver)}：")
    doc.paragraph("县委巡察办在巡察工作中发现以下问题线索，按照有关规定移交你单位处置，"
                  f"请于{due_at.astimezone(CHINA):%Y年%m月%d日}前将处置情况书面反馈县委巡察办。")
    village = Village.objects(code=clue.village_code).first() if clue.village_code else None
    doc.table(["项目", "内容"], [
        ["线索编号", clue.number], ["线索标题", clue.title], ["反映对象", clue.subject or ""],
        ["涉及村", village.name if village else ""], ["主要问题", clue.description],
        ["事实依据", clue.fact_basis or ""]], widths=[0.2, 0.8])
    doc.paragraph("本函及所附线索材料属于机密，请严格控制知悉范围。")
    doc.paragraph(f"县委巡察办　{utcnow().astimezone(CHINA):%Y年%m月%d日}")
    data, _pages = doc.render()
    return documents.store(actor, county_code=clue.county_code, owner=f"clue:{clue.id}", kind="transfer",
                           data=data, accepted=DOCUMENT_KINDS, generated=True)[0]


# ---------------------------------------------------------------- documents

def upload_document(actor: Actor, clue_id: str, kind: str, storage) -> Attachment:
    """A transfer document (the office, before transferring) or a feedback document (a
    handler): PDF, DOCX, JPEG or PNG, its type read from its bytes."""
    clue = _visible(actor, clue_id, "upload")
    if kind == "transfer" and actor.role != Role.OFFICE:
        raise NotFound(_("No clue %(id)s that you can see.", id=clue_id))
    if kind == "feedback" and actor.role != Role.DEPARTMENT:
        raise InvalidInput(_("Feedback documents come from the receiving body's handlers."),
                           errors={"kind": [_("Only kind=transfer here.")]})
    data = documents.read_upload(storage, documents.document_limit())
    return documents.store(actor, county_code=clue.county_code, owner=f"clue:{clue.id}", kind=kind, data=data,
                           accepted=DOCUMENT_KINDS)[0]


def _document(clue: Clue, document_id: str, kind: str) -> Attachment:
    document = documents.of(f"clue:{clue.id}", document_id, kind)
    if document is None:
        raise InvalidInput(_("No %(kind)s document %(id)s uploaded for this clue.", kind=kind, id=document_id),
                           errors={"document_id": [_("Upload it first (POST clues/<id>/documents).")]})
    return document


def download_document(actor: Actor, clue_id: str, document_id: str) -> Attachment:
    clue = _visible(actor, clue_id, "document")
    document = documents.of(f"clue:{clue.id}", document_id, with_file=True)
    if document is None:
        raise NotFound(_("No document %(id)s of this clue.", id=document_id))
    return document


# ---------------------------------------------------------------- feedback (反馈)

def feedback(actor: Actor, clue_id: str, disposition: str, note: str, document_id: str | None) -> Clue:
    """A named handler feeds back the disposition to the inspection office. A later
    feedback (初步核实, then 立案审查) replaces the disposition; the first one's date
    decides whether the feedback was on time."""
    clue = _visible(actor, clue_id, "feedback")
    if actor.role != Role.DEPARTMENT:
        raise Conflict(_("Only the receiving body's named handlers feed back on a clue."), code="not_handler")
    disposition = Disposition(disposition).value
    data = {"disposition": disposition}
    fields = {"disposition": disposition, "feedback_note": note}
    if document_id:
        fields["feedback_document_id"] = _document(clue, document_id, kind="feedback").id
        data["document_id"] = document_id
    now = utcnow()
    fields["fed_back_at"] = now
    if clue.first_fed_back_at is None:
        on_time = bool(clue.due_at and now <= clue.due_at and not clue.overdue)
        fields.update(first_fed_back_at=now, fed_back_on_time=on_time)
    return _with_extras(followups.transition(clue, domain.MACHINE, TALLIES, "feedback", S.FED_BACK.value,
                                             actor, note=note, data=data, set_fields=fields))


# ---------------------------------------------------------------- figures and the reply clock

def figures(actor: Actor) -> dict:
    """The office's clue figures: registered, transferred, fed back (on time), overdue, by
    disposition and by receiving body; read from the counters kept on the write path."""
    c = TALLIES.read(actor.county_code)
    transferred, on_time = c.get("transferred", 0), c.get("fed_back_on_time", 0)
    return {"registered": c.get("registered", 0), "transferred": transferred,
            "fed_back": c.get("fed_back", 0), "fed_back_on_time": on_time, "overdue": c.get("overdue", 0),
            "feedback_on_time_rate": round(on_time / c["fed_back"], 4) if c.get("fed_back") else None,
            "by_disposition": [{"disposition": d.value, "label": domain.DISPOSITION_LABELS[d],
                                "clues": c.get("disposition", {}).get(d.value, 0)} for d in Disposition],
            "by_receiver": [{"receiver": r.value, **{k: c.get("receiver", {}).get(r.value, {}).get(k, 0)
                                                     for k in ("transferred", "fed_back", "overdue")}}
                            for r in Receiver]}


def _notify(stage: str, run_id: str, rows: list[dict]) -> None:
    from . import notifications
    for clue in rows:
        # The notice names the clue's number only: its content stays in the system.
        row = {"_id": clue["_id"], "number": clue["number"], "title": "问题线索", "due_at": clue.get("due_at")}
        to_office = stage.startswith("escalate")
        notifications.publish(key=f"clue_{stage}:{run_id}:{clue['_id']}", kind=f"clue_{stage}",
                              county_code=clue["county_code"],
                              department_code=None if to_office else clue.get("receiver"),
                              audience="office" if to_office else "users", tickets=[row],
                              extra=None if to_office else {"user_ids": [str(i) for i in clue.get("handler_ids") or []]})


# 催办 the handlers before the feedback is due, flag it overdue, then 督办 to the office.
CLOCK = reply_clock.Clock(
    kind="clues", model=Clue, machine=domain.MACHINE, stages=reply_clock.reply_stages(domain.OWED),
    row={f: 1 for f in (*domain.FIELDS, "number", "due_at", "receiver", "handler_ids")},
    notify=_notify, record=TALLIES.record)
