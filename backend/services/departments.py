from ..errors import InvalidInput
from ..models import Department
from ..i18n import _


def require(county_code: str, code: str) -> Department:
    department = Department.objects(county_code=county_code, code=code, active=True).first()
    if department is None:
        raise InvalidInput(_("No active department '%(code)s' in county %(county_code)s.",
                             code=code, county_code=county_code),
                           errors={"department_code": [_("Unknown or inactive department.")]})
    return department


def codes(county_code: str) -> set[str]:
    return set(Department.objects(county_code=county_code, active=True).distinct("code"))


def names(county_code: str) -> dict[str, str]:
    return {d.code: d.name for d in Department.objects(county_code=county_code).only("code", "name")}
