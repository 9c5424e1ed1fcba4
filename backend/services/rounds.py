"""Inspection rounds (一轮巡察): the villages and their organisations, the team, the dates,
the phases, the round's tasks and its report; and the county's settings for rounds.

`_transition` is the only writer of a round's phase (services/lifecycle.py)."""
from collections import defaultdict

from bson import ObjectId
from mongoengine.queryset.visitor import Q

from ..auth import Actor
from ..domain import rectification as rect
from ..domain.codes import RESTRICTED_CATEGORIES, Category, Role, values
from ..domain.problems import CATEGORY_LABELS
from ..domain.rounds import PHASE_LABELS, ROUND_MACHINE, Phase, RoundAction, next_phase
from ..errors import Conflict, Forbidden, InvalidInput, NotFound
from ..i18n import _
from ..models import (Department, InspectionRound, InspectionTask, ReviewEntry, RoundSettings, User,
                      Village)
from ..models.common import utcnow
from ..models.rounds import RoundVillage, TeamMember
from . import lifecycle, organisations, tasks


# ---------------------------------------------------------------- the county's settings

def settings(county_code: str) -> RoundSettings:
    """The county's settings (defaults until the admin saves some)."""
    return RoundSettings.objects(county_code=county_code).first() or RoundSettings(
        county_code=county_code, immediate_dispatch=False, immediate_categories=[],
        plan_days=rect.DEFAULT_PLAN_DAYS, report_months=rect.DEFAULT_REPORT_MONTHS,
        checklist=[dict(i) for i in rect.DEFAULT_CHECKLIST])


def checklist(county_code: str) -> list[dict]:
    return list(settings(county_code).checklist or [dict(i) for i in rect.DEFAULT_CHECKLIST])


def save_settings(county_code: str, data: dict) -> RoundSettings:
    if "checklist" in data:
        try:
            rect.check_checklist(data["checklist"])
        except rect.ChecklistError as exc:
            raise InvalidInput(_("The evaluation checklist does not add up; see errors."),
                               errors={"checklist": list(exc.errors.values())})
    if unknown := set(data.get("immediate_categories") or []) - set(values(Category)):
        raise InvalidInput(_("Unknown categories: %(codes)s.", codes=", ".join(sorted(unknown))),
                           errors={"immediate_categories": [_("Unknown category.")]})
    current = settings(county_code)
    update = {f"set__{k}": v for k, v in data.items()}
    for name in ("immediate_dispatch", "immediate_categories", "plan_days", "report_months", "checklist"):
        update.setdefault(f"set__{name}", getattr(current, name))
    return RoundSettings.objects(county_code=county_code).modify(upsert=True, new=True, set__updated_at=utcnow(),
                                                                 **update)


def fast_track(county_code: str, category: str, immediate_mark: bool) -> bool:
    """边巡边改: does the inspector's 立行立改 mark dispatch this finding before review?"""
    if not immediate_mark or category in RESTRICTED_CATEGORIES:  # a clue is never dispatched
        return False
    current = settings(county_code)
    return bool(current.immediate_dispatch and category in (current.immediate_categories or []))


# ---------------------------------------------------------------- visibility

def scope(actor: Actor) -> Q:
    """Rounds `actor` may see: the office its county's, an inspector those whose team they
    are on, a city office its counties', a province office its cities' counties'."""
    if actor.role in (Role.OFFICE, Role.ADMIN):
        return Q(county_code=actor.county_code)
    if actor.role == Role.INSPECTOR:
        return Q(county_code=actor.county_code, team_ids=actor.id)
    if actor.role == Role.CITY_OFFICE:
        return Q(city_code=actor.county_code[:4])
    if actor.role == Role.PROVINCE_OFFICE:
        return Q(province_code=actor.county_code[:2])
    return Q(id=None)


def get_visible(actor: Actor, round_id: str) -> InspectionRound:
    found = (InspectionRound.objects(scope(actor), id=round_id).first()
             if ObjectId.is_valid(round_id) else None)
    if found is None:
        raise NotFound(_("No inspection round %(id)s that you can see.", id=round_id))
    return found


def list_rounds(actor: Actor, county_code: str | None = None):
    query = InspectionRound.objects(scope(actor)).exclude("events")
    if county_code:
        query = query.filter(county_code=county_code)
    return query


def _office_round(actor: Actor, round_id: str) -> InspectionRound:
    found = get_visible(actor, round_id)
    if actor.role != Role.OFFICE:
        raise Forbidden(_("Only the county's inspection office changes a round."))
    return found


def is_leader(actor: Actor, found: InspectionRound) -> bool:
    return found.leader_id == actor.id


# ---------------------------------------------------------------- creating and changing

def _team(actor: Actor, team: list[dict]) -> list[TeamMember]:
    ids = [m["user_id"] for m in team]
    users = {str(u.id): u for u in User.objects(id__in=[ObjectId(i) for i in ids if ObjectId.is_valid(i)],
                                                county_code=actor.county_code, role=Role.INSPECTOR.value,
                                                active=True)}
    errors = {}
    if bad := [i for i in ids if i not in users]:
        errors["team"] = [_("Not active inspectors of your county: %(ids)s", ids=", ".join(bad))]
    elif len(set(ids)) != len(ids):
        errors["team"] = [_("A person is on the team once.")]
    elif [m["role"] for m in team].count("leader") != 1:
        errors["team"] = [_("The team has exactly one leader (组长).")]
    if errors:
        raise InvalidInput(_("The round cannot be saved as sent; see errors."), errors=errors)
    return [TeamMember(user_id=users[m["user_id"]].id, role=m["role"],
                       name=users[m["user_id"]].display_name) for m in team]


def create(actor: Actor, data: dict) -> InspectionRound:
    """Plan a round: its villages (each with its party organisation), county departments
    inspected in it, the team (one 组长), and its dates."""
    codes = list(dict.fromkeys(data.get("village_codes") or []))
    known = {v.code: v for v in Village.objects(code__in=codes, county_code=actor.county_code)}
    errors = {}
    if missing := [c for c in codes if c not in known]:
        errors["village_codes"] = [_("Not villages of county %(county)s: %(codes)s", county=actor.county_code,
                                             codes=", ".join(missing))]
    departments = list(dict.fromkeys(data.get("department_codes") or []))
    found = {d.code for d in Department.objects(county_code=actor.county_code, code__in=departments)}
    if bad := [d for d in departments if d not in found]:
        errors["department_codes"] = [_("Unknown departments: %(codes)s", codes=", ".join(bad))]
    if not codes and not departments:
        errors["village_codes"] = [_("Name the villages (or departments) the round inspects.")]
    if errors:
        raise InvalidInput(_("The round cannot be saved as sent; see errors."), errors=errors)
    team = _team(actor, data["team"])
    county_settings = settings(actor.county_code)
    villages = [RoundVillage(code=c, name=known[c].name, township_code=known[c].township_code,
                             organisation_id=organisations.for_village(known[c]).id) for c in codes]
    found_round = InspectionRound(
        county_code=actor.county_code, city_code=actor.county_code[:4], province_code=actor.county_code[:2],
        name=data["name"], villages=villages, department_codes=departments, team=team,
        team_ids=[m.user_id for m in team], leader_id=next(m.user_id for m in team if m.role == "leader"),
        enters_on=data["enters_on"].isoformat(),
        feedback_on=data["feedback_on"].isoformat() if data.get("feedback_on") else None,
        plan_days=data.get("plan_days") or county_settings.plan_days,
        report_months=data.get("report_months") or county_settings.report_months,
        status=Phase.ENTRY.value, created_by=actor.id)
    return lifecycle.create(found_round, ROUND_MACHINE, RoundAction.CREATE, actor)


def _transition(found: InspectionRound, action, target: str, actor: Actor | None, **kw) -> InspectionRound:
    return lifecycle.transition(found, ROUND_MACHINE, action, target, actor, **kw)


def advance(actor: Actor, round_id: str, note: str | None, version: int | None = None) -> InspectionRound:
    """Move the round to its next phase (进驻 → 巡察 → 报告 → 反馈 → 整改 → 评估)."""
    found = _office_round(actor, round_id)
    if version is not None and version != found.version:
        raise Conflict(_("The round changed since you read it; reload it."), code="stale")
    target = next_phase(found.status)
    if target is None:
        raise Conflict(_("The round is already in its last phase."), code="invalid_transition")
    if target == Phase.REPORT.value:
        pending = ReviewEntry.objects(round_id=found.id, status__in=["pending", "returned"]).count()
        if pending:
            raise Conflict(_("%(n)s 底稿 entries still wait for review; the report lists reviewed problems "
                             "only.", n=pending), code="review_pending")
    return _transition(found, RoundAction.ADVANCE, target, actor, note=note,
                       data={"phase": target, "label": PHASE_LABELS[target]})


def update_team(actor: Actor, round_id: str, team: list[dict], note: str | None) -> InspectionRound:
    found = _office_round(actor, round_id)
    members = _team(actor, team)
    return _transition(found, RoundAction.TEAM, found.status, actor, note=note,
                       set_fields={"team": members, "team_ids": [m.user_id for m in members],
                                   "leader_id": next(m.user_id for m in members if m.role == "leader")})


def create_task(actor: Actor, round_id: str, data: dict) -> InspectionTask:
    """A task of the round: some of its villages, some of its team."""
    found = _office_round(actor, round_id)
    errors = {}
    village_codes = {v.code for v in found.villages}
    if bad := [c for c in data["village_codes"] if c not in village_codes]:
        errors["village_codes"] = [_("Not villages of this round: %(codes)s", codes=", ".join(bad))]
    team = {str(i) for i in found.team_ids}
    if bad := [i for i in data["inspector_ids"] if i not in team]:
        errors["inspector_ids"] = [_("Not on this round's team: %(ids)s", ids=", ".join(bad))]
    if errors:
        raise InvalidInput(_("The task cannot be saved as sent; see errors."), errors=errors)
    return tasks.create_task(actor, data, round_id=found.id)


def round_of_task(task: InspectionTask) -> InspectionRound | None:
    return InspectionRound.objects(id=task.round_id).first() if task.round_id else None


def tasks_of(actor: Actor, round_id: str):
    found = get_visible(actor, round_id)
    return InspectionTask.objects(round_id=found.id).order_by("starts_on")


# ---------------------------------------------------------------- the round's report

def report(actor: Actor, round_id: str) -> dict:
    """The round's problems (approved 底稿 entries of an organisation or a department) by
    village and by category; clues are counted, never listed."""
    found = get_visible(actor, round_id)
    entries = ReviewEntry.objects(round_id=found.id, status="approved").exclude("events").order_by("created_at")
    by_village: dict[str, dict] = {v.code: {"village_code": v.code, "village_name": v.name,
                                            "organisation_id": str(v.organisation_id), "categories": {},
                                            "problems": []} for v in found.villages}
    by_category: dict[str, int] = defaultdict(int)
    by_type: dict[str, int] = defaultdict(int)
    by_class: dict[str, int] = defaultdict(int)
    for entry in entries:
        kind = entry.decision.problem_type if entry.decision else None
        by_type[kind] += 1
        if kind == "clue":
            continue
        by_category[entry.category] += 1
        if entry.decision.problem_class:
            by_class[entry.decision.problem_class] += 1
        village = by_village.setdefault(entry.village_code, {"village_code": entry.village_code, "village_name": "",
                                                             "organisation_id": None, "categories": {},
                                                             "problems": []})
        village["categories"][entry.category] = village["categories"].get(entry.category, 0) + 1
        village["problems"].append({"entry_id": str(entry.id), "problem_id": str(entry.problem_id or "") or None,
                                    "category": entry.category, "title": entry.title, "type": kind,
                                    "class": entry.decision.problem_class})
    return {"round_id": str(found.id), "name": found.name, "phase": found.status,
            "by_village": list(by_village.values()),
            "by_category": [{"category": c, "label": CATEGORY_LABELS.get(c, c), "problems": n}
                            for c, n in sorted(by_category.items())],
            "by_type": dict(by_type), "by_class": dict(by_class),
            "pending_review": ReviewEntry.objects(round_id=found.id, status__in=["pending", "returned"]).count()}
