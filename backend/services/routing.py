"""Routing rules: loading them for the router, explaining a decision, admin edits."""
from bson import ObjectId

from ..auth import Actor
from ..domain import routing as domain
from ..errors import InvalidInput, NotFound
from ..models import RoutingRule, Ticket, Village
from ..models.common import utcnow
from . import departments
from ..i18n import _


def rules_for(county_code: str) -> list[domain.Rule]:
    return [domain.Rule(id=str(r.id), name=r.name, priority=r.priority, department=r.department_code,
                        category=r.category or None, keywords=tuple(r.keywords),
                        township_codes=tuple(r.township_codes), severities=tuple(r.severities))
            for r in RoutingRule.objects(county_code=county_code, active=True)]


def decide_for(ticket: Ticket, excluded: set[str]) -> domain.Decision:
    problem = domain.Problem(category=ticket.category, township_code=ticket.township_code,
                             severity=ticket.severity, text=f"{ticket.title}\n{ticket.description}")
    return domain.decide(problem, rules_for(ticket.county_code), excluded,
                         known_departments=departments.codes(ticket.county_code))


def explain(actor: Actor, category: str, village_code: str, text: str, severity: str) -> dict:
    village = Village.objects(code=village_code, county_code=actor.county_code).first()
    if village is None:
        raise InvalidInput(_("No village %(village_code)s in county %(county_code)s.",
                             village_code=village_code, county_code=actor.county_code),
                           errors={"village_code": [_("Unknown village in your county.")]})
    problem = domain.Problem(category=category, township_code=village.township_code,
                             severity=severity, text=text)
    decision = domain.decide(problem, rules_for(actor.county_code),
                             known_departments=departments.codes(actor.county_code))
    names = departments.names(actor.county_code)
    return {"department_code": decision.department, "department_name": names.get(decision.department),
            "rule_id": decision.rule_id, "destination": "dispatched" if decision.department else "triage",
            "trace": decision.trace}


# ---------------------------------------------------------------- admin edits

def _validate_target(county_code: str, data: dict, rule: RoutingRule | None = None) -> None:
    if data.get("department_code") and data["department_code"] != domain.TOWNSHIP_GOVERNMENT:
        departments.require(county_code, data["department_code"])
    category = data["category"] if "category" in data else (rule.category if rule else None)
    department = data.get("department_code") or (rule.department_code if rule else None)
    error = domain.rule_error(category, department)
    if error:
        raise InvalidInput(error, errors={"department_code": [error]}, code="restricted_category")


def list_rules(actor: Actor):
    return RoutingRule.objects(county_code=actor.county_code)


def get_rule(actor: Actor, rule_id: str) -> RoutingRule:
    rule = RoutingRule.objects(id=rule_id, county_code=actor.county_code).first() if ObjectId.is_valid(rule_id) else None
    if rule is None:
        raise NotFound(_("No routing rule %(rule_id)s in your county.", rule_id=rule_id))
    return rule


def create_rule(actor: Actor, data: dict) -> RoutingRule:
    _validate_target(actor.county_code, data)
    rule = RoutingRule(county_code=actor.county_code, **data)
    rule.save()
    return rule


def update_rule(actor: Actor, rule_id: str, data: dict) -> RoutingRule:
    rule = get_rule(actor, rule_id)
    _validate_target(actor.county_code, data, rule)
    for key, value in data.items():
        setattr(rule, key, value)
    rule.updated_at = utcnow()
    rule.save()
    return rule


def delete_rule(actor: Actor, rule_id: str) -> None:
    get_rule(actor, rule_id).delete()
