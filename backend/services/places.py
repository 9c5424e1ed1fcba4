"""Reference data a county's users look up: its departments, townships and villages."""
from ..auth import Actor
from ..models import Department, Township, Village


def departments(actor: Actor):
    return Department.objects(county_code=actor.county_code, active=True).order_by("kind", "code")


def townships(actor: Actor):
    return Township.objects(county_code=actor.county_code).order_by("code")


def villages(actor: Actor, township_code: str | None = None, name: str | None = None):
    query = Village.objects(county_code=actor.county_code)
    if township_code:
        query = query.filter(township_code=township_code)
    if name:
        query = query.filter(name__contains=name)
    return query.order_by("code")
