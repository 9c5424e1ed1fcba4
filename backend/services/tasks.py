"""Inspection tasks (巡察任务) and check-ins."""
from bson import ObjectId
from flask import current_app
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..domain import geo
from ..domain.codes import Role
from ..errors import Conflict, InvalidInput, NotFound
from ..models import CheckIn, Finding, InspectionTask, User, Village
from ..models.common import utcnow
from ..models.sync import SyncRemoval
from ..models.tasks import TaskVillage
from . import changes, places
from ..i18n import _


def create_task(actor: Actor, data: dict, round_id=None) -> InspectionTask:
    """`round_id`: the inspection round the task belongs to (services/rounds.py checks it)."""
    known, ids = _check_task(actor, data)
    codes = list(dict.fromkeys(data["village_codes"]))
    task = InspectionTask(county_code=actor.county_code, name=data["name"], village_codes=codes,
                          villages=task_villages([known[c] for c in codes]),
                          inspector_ids=[ObjectId(i) for i in ids],
                          starts_on=data["starts_on"].isoformat(), ends_on=data["ends_on"].isoformat(),
                          focus_categories=data.get("focus_categories", []), created_by=actor.id,
                          round_id=round_id, change_seq=changes.next_seq(actor.county_code), changed_at=utcnow())
    task.save()
    return task


def task_villages(villages: list[Village]) -> list[TaskVillage]:
    return [TaskVillage(code=v.code, name=v.name, township_code=v.township_code) for v in villages]


def list_tasks(actor: Actor):
    query = InspectionTask.objects(county_code=actor.county_code)
    if actor.role == Role.INSPECTOR:
        query = query.filter(inspector_ids=actor.id)
    return query


def my_task(actor: Actor, task_id: str) -> InspectionTask:
    task = (InspectionTask.objects(id=task_id, county_code=actor.county_code, inspector_ids=actor.id).first()
            if ObjectId.is_valid(task_id) else None)
    if task is None:
        raise NotFound(_("No inspection task %(task_id)s assigned to you.", task_id=task_id))
    return task


def task_village(task: InspectionTask, village_code: str | None) -> Village:
    if village_code is None:
        if len(task.village_codes) != 1:
            raise InvalidInput(_("This task covers several villages; say which one (village_code)."),
                               errors={"village_code": [_("Required for a task with several villages.")]})
        village_code = task.village_codes[0]
    if village_code not in task.village_codes:
        raise InvalidInput(_("Village %(village_code)s is not part of this inspection task.",
                             village_code=village_code),
                           errors={"village_code": [_("Not one of the task's villages.")]})
    return Village.objects.get(code=village_code)


def check_in(actor: Actor, task_id: str, data: dict) -> tuple[CheckIn, bool]:
    """签到: an inspector's position at one of the task's villages, in the phone's map
    coordinates (`crs`), stored as WGS-84 with place flags for the office.
    Returns (check-in, created); a repeated client_id returns the first."""
    task = my_task(actor, task_id)
    if data.get("client_id"):
        existing = CheckIn.objects(county_code=actor.county_code, client_id=data["client_id"]).first()
        if existing:
            if existing.inspector_id != actor.id or str(existing.task_id) != task_id:
                raise Conflict(_("This client_id was already used for another check-in."),
                               code="client_id_conflict")
            return existing, False
    village = task_village(task, data.get("village_code"))
    crs = data.get("crs") or geo.Crs.WGS84.value
    lat, lon = places.wgs84_of(data["lat"], data["lon"], crs, "lat")
    known = (village.lat, village.lon) if village.lat is not None and village.lon is not None else None
    check = geo.check_place(lat, lon, data.get("accuracy_m"), county_code=task.county_code, village=known,
                            far_m=current_app.config["FAR_FROM_VILLAGE_M"])
    checkin = CheckIn(client_id=data.get("client_id"), task_id=task.id, inspector_id=actor.id,
                      county_code=actor.county_code, village_code=village.code, lat=lat, lon=lon,
                      accuracy_m=data.get("accuracy_m"), point=[lon, lat], crs=crs, sent_lat=data["lat"],
                      sent_lon=data["lon"], distance_to_village_m=check.distance_to_village_m, flags=check.flags)
    try:
        checkin.save()
    except NotUniqueError:
        return CheckIn.objects.get(county_code=actor.county_code, client_id=data["client_id"]), False
    return checkin, True


def _check_task(actor: Actor, data: dict, partial: bool = False):
    """The task's villages and inspectors, checked; raises with every problem at once."""
    errors, known, ids = {}, {}, []
    if "village_codes" in data or not partial:
        codes = list(dict.fromkeys(data["village_codes"]))
        known = {v.code: v for v in Village.objects(code__in=codes, county_code=actor.county_code)}
        if missing := [c for c in codes if c not in known]:
            errors["village_codes"] = [_("Not villages of county %(county)s: %(codes)s", county=actor.county_code,
                                         codes=", ".join(missing))]
    if "inspector_ids" in data or not partial:
        ids = list(dict.fromkeys(data["inspector_ids"]))
        valid_ids = [ObjectId(i) for i in ids if ObjectId.is_valid(i)]
        inspectors = {str(u.id) for u in User.objects(id__in=valid_ids, county_code=actor.county_code,
                                                       role=Role.INSPECTOR.value, active=True).only("id")}
        if bad := [i for i in ids if i not in inspectors]:
            errors["inspector_ids"] = [_("Not active inspectors of your county: %(ids)s", ids=", ".join(bad))]
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        errors["ends_on"] = [_("Must not be before starts_on.")]
    if errors:
        raise InvalidInput(_("The task cannot be saved as sent; see errors."), errors=errors)
    return known, ids


def _office_task(actor: Actor, task_id: str) -> InspectionTask:
    task = (InspectionTask.objects(id=task_id, county_code=actor.county_code).first()
            if ObjectId.is_valid(task_id) else None)
    if task is None:
        raise NotFound(_("No inspection task %(task_id)s in your county.", task_id=task_id))
    return task


def _removed(task: InspectionTask, inspector_ids, reason: str) -> None:
    """Tell the phones of inspectors who lose the task (sync feed) to drop it."""
    for inspector_id in inspector_ids:
        SyncRemoval(inspector_id=inspector_id, county_code=task.county_code, kind="task", object_id=task.id,
                    reason=reason, change_seq=changes.next_seq(task.county_code), changed_at=utcnow()).save()


def update_task(actor: Actor, task_id: str, data: dict) -> InspectionTask:
    """Change a task's name, dates, villages or team. Inspectors taken off it learn it at
    their next sync; findings already made stay theirs and stay on the task."""
    task = _office_task(actor, task_id)
    known, ids = _check_task(actor, data, partial=True)
    update = {}
    for name in ("name", "focus_categories"):
        if name in data:
            update[f"set__{name}"] = data[name]
    for name in ("starts_on", "ends_on"):
        if name in data:
            update[f"set__{name}"] = data[name].isoformat()
    if (data.get("ends_on") or date_of(task.ends_on)) < (data.get("starts_on") or date_of(task.starts_on)):
        raise InvalidInput(_("The task cannot be saved as sent; see errors."),
                           errors={"ends_on": [_("Must not be before starts_on.")]})
    if "village_codes" in data:
        codes = list(dict.fromkeys(data["village_codes"]))
        update.update(set__village_codes=codes, set__villages=task_villages([known[c] for c in codes]))
    removed = []
    if "inspector_ids" in data:
        new_ids = [ObjectId(i) for i in ids]
        removed = [i for i in task.inspector_ids if i not in new_ids]
        update["set__inspector_ids"] = new_ids
    updated = InspectionTask.objects(id=task.id).modify(new=True, **update, **changes.stamp(task.county_code))
    _removed(task, removed, "unassigned")
    if "inspector_ids" in data and any(i not in task.inspector_ids for i in updated.inspector_ids):
        # A newcomer's phone must receive the task's tickets, however old their change numbers.
        from ..models import Ticket
        for ticket in Ticket.objects(task_id=task.id).only("id"):
            Ticket.objects(id=ticket.id).update_one(**changes.stamp(task.county_code))
    return updated


def delete_task(actor: Actor, task_id: str) -> None:
    """Delete a task planned by mistake; one with findings is kept (the record stands)."""
    task = _office_task(actor, task_id)
    if Finding.objects(task_id=task.id).first():
        raise Conflict(_("The task has findings and stays on record; take inspectors off it instead."),
                       code="task_has_findings")
    _removed(task, task.inspector_ids, "deleted")
    task.delete()


def date_of(iso: str):
    from datetime import date
    return date.fromisoformat(iso)
