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
