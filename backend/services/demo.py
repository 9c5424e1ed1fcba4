"""Loading the demo county (沂水县) from `fixtures/yishui`. Idempotent: run it again and it
updates what is there."""
import json
from pathlib import Path

from ..models import Department, InspectionTask, RoutingRule, Village
from ..models.common import utcnow
from . import accounts, divisions, tasks

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "yishui"


def loaded(source: Path = FIXTURES) -> bool:
    """Whether the demo county's users are already in the database."""
    from ..models import User
    county = json.loads((source / "county.json").read_text(encoding="utf-8"))["county_code"]
    return User.objects(county_code=county).count() > 0


def load(password: str, source: Path = FIXTURES, with_round: bool = True) -> dict:
    """`with_round`: also the inspection round mid-rectification (services/demo_round.py)."""
    spec = json.loads((source / "county.json").read_text(encoding="utf-8"))
    county = spec["county_code"]
    summary = divisions.import_county(source, county)
    for dept in spec["departments"]:
        Department.objects(county_code=county, code=dept["code"]).update_one(
            upsert=True, set__name=dept["name"], set__kind=dept.get("kind", "county"), set__active=True)
    for rule in spec["rules"]:
        RoutingRule.objects(county_code=county, name=rule["name"]).update_one(
            upsert=True, set__priority=rule["priority"], set__category=rule.get("category"),
            set__keywords=rule.get("keywords", []), set__township_codes=rule.get("township_codes", []),
            set__severities=rule.get("severities", []), set__department_code=rule["department_code"],
            set__active=True)
    users = [accounts.upsert_user(u["username"], password, u["role"], county,
                                  u.get("department_code"), u.get("display_name"))
             for u in spec["users"]]
    for dept in Department.objects(county_code=county, kind__in=["county", "township"]):
        users.append(accounts.upsert_user(f"dept-{dept.code}", password, "department", county,
                                          dept.code, dept.name))
    by_name = {u.username: u for u in users}
    for task in spec["tasks"]:
        villages = {v.code: v for v in Village.objects(code__in=task["village_codes"])}
        InspectionTask.objects(county_code=county, name=task["name"]).update_one(
            upsert=True, set__village_codes=task["village_codes"],
            set__villages=tasks.task_villages([villages[c] for c in task["village_codes"]]),
            set__inspector_ids=[by_name[n].id for n in task["inspectors"]],
            set__starts_on=task["starts_on"], set__ends_on=task["ends_on"],
            set__focus_categories=task["focus_categories"], set_on_insert__created_at=utcnow())
    if spec.get("round_settings"):
        from . import demo_round, rounds
        rounds.save_settings(county, spec["round_settings"])  # 边巡边改 on in the demo county
        if with_round:
            users += demo_round.load(county, password)        # a round mid-rectification (issue 11)
    return {**summary, "departments": Department.objects(county_code=county).count(),
            "rules": len(spec["rules"]), "users": [(u.username, u.role, u.department_code) for u in users],
            "tasks": len(spec["tasks"])}


def village_qr_url(base_url: str, county_code: str = "371323", village_code: str = "371323001001") -> str:
    """码上巡视: the URL the demo village's printed QR code holds (also at
    GET /api/v1/villages/<code>/qr.png for the office)."""
    from flask import current_app
    from . import public_reports
    with current_app.test_request_context(base_url=base_url):
        return public_reports.qr_url(county_code, public_reports.qr_token(county_code, village_code))
