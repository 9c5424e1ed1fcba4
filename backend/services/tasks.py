"""Inspection tasks (巡察任务) and check-ins."""
from bson import ObjectId
from geopy.distance import geodesic
from mongoengine.errors import NotUniqueError

from ..auth import Actor
from ..domain.codes import Role
from ..errors import Conflict, InvalidInput, NotFound
from ..models import CheckIn, InspectionTask, User, Village
from ..models.tasks import TaskVillage


def create_task(actor: Actor, data: dict) -> InspectionTask:
    errors = {}
    codes = list(dict.fromkeys(data["village_codes"]))
    known = {v.code: v for v in Village.objects(code__in=codes, county_code=actor.county_code)}
    if missing := [c for c in codes if c not in known]:
        errors["village_codes"] = [f"Not villages of county {actor.county_code}: {', '.join(missing)}"]
    ids = list(dict.fromkeys(data["inspector_ids"]))
    valid_ids = [ObjectId(i) for i in ids if ObjectId.is_valid(i)]
    inspectors = {str(u.id) for u in User.objects(id__in=valid_ids, county_code=actor.county_code,
                                                   role=Role.INSPECTOR.value, active=True).only("id")}
    if bad := [i for i in ids if i not in inspectors]:
        errors["inspector_ids"] = [f"Not active inspectors of your county: {', '.join(bad)}"]
    if data["ends_on"] < data["starts_on"]:
        errors["ends_on"] = ["Must not be before starts_on."]
    if errors:
        raise InvalidInput("The task cannot be created as sent; see errors.", errors=errors)
    task = InspectionTask(county_code=actor.county_code, name=data["name"], village_codes=codes,
                          villages=task_villages([known[c] for c in codes]),
                          inspector_ids=[ObjectId(i) for i in ids],
                          starts_on=data["starts_on"].isoformat(), ends_on=data["ends_on"].isoformat(),
                          focus_categories=data.get("focus_categories", []), created_by=actor.id)
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
        raise NotFound(f"No inspection task {task_id} assigned to you.")
    return task


def task_village(task: InspectionTask, village_code: str | None) -> Village:
    if village_code is None:
        if len(task.village_codes) != 1:
            raise InvalidInput("This task covers several villages; say which one (village_code).",
                               errors={"village_code": ["Required for a task with several villages."]})
        village_code = task.village_codes[0]
    if village_code not in task.village_codes:
        raise InvalidInput(f"Village {village_code} is not part of this inspection task.",
                           errors={"village_code": ["Not one of the task's villages."]})
    return Village.objects.get(code=village_code)


def check_in(actor: Actor, task_id: str, data: dict) -> CheckIn:
    task = my_task(actor, task_id)
    if data.get("client_id"):
        existing = CheckIn.objects(client_id=data["client_id"]).first()
        if existing:
            if existing.inspector_id != actor.id or str(existing.task_id) != task_id:
                raise Conflict("This client_id was already used for another check-in.")
            return existing
    village = task_village(task, data.get("village_code"))
    distance = None
    if village.lat is not None and village.lon is not None:
        distance = round(geodesic((data["lat"], data["lon"]), (village.lat, village.lon)).meters, 1)
    checkin = CheckIn(client_id=data.get("client_id"), task_id=task.id, inspector_id=actor.id,
                      county_code=actor.county_code, village_code=village.code, lat=data["lat"],
                      lon=data["lon"], accuracy_m=data.get("accuracy_m"),
                      point=[data["lon"], data["lat"]], distance_to_village_m=distance)
    try:
        checkin.save()
    except NotUniqueError:
        return CheckIn.objects.get(client_id=data["client_id"])
    return checkin
