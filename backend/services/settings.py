"""What a deployment keeps with its data: the embedded mode's signing key, and the admin's
settings (the evidence a resolution needs, per category)."""
import secrets

from ..models import Setting
from ..models.common import utcnow

SECRET_KEY_ID = "secret_key"


def embedded_secret_key() -> str:
    """The embedded mode's signing key: made at the first start with a random value and kept
    in the database, so it lasts exactly as long as the data (and the sessions) it signs.
    One atomic upsert: two processes starting together agree on one key."""
    setting = Setting.objects(id=SECRET_KEY_ID).modify(
        upsert=True, new=True, set_on_insert__value=secrets.token_urlsafe(48), set_on_insert__updated_at=utcnow())
    return setting.value


# ---------------------------------------------------------------- evidence a resolution needs

def _evidence_id(county_code: str, category: str) -> str:
    return f"evidence:{county_code}:{category}"


def photo_required(county_code: str, category: str) -> bool:
    """Whether resolving a ticket of this category needs an evidence photo (yes, unless the
    admin relaxed it for the category)."""
    setting = Setting.objects(id=_evidence_id(county_code, category)).only("flag").first()
    return setting is None or bool(setting.flag)


def evidence_policies(actor) -> list[dict]:
    from ..domain.codes import Category
    return [{"category": c.value, "photo_required": photo_required(actor.county_code, c.value)} for c in Category]


def set_evidence(actor, category: str, required: bool) -> dict:
    from ..domain.codes import Category
    category = Category(category).value
    Setting.objects(id=_evidence_id(actor.county_code, category)).update_one(
        upsert=True, set__flag=int(required), set__updated_at=utcnow())
    return {"category": category, "photo_required": required}
