from mongoengine import BooleanField, DateTimeField, Document, IntField, ObjectIdField, StringField
from werkzeug.security import check_password_hash, generate_password_hash

from ..domain.codes import Role, values
from .common import utcnow


class User(Document):
    username = StringField(required=True)
    # Usernames are unique whatever their case: the normalised form carries the index.
    username_key = StringField(required=True, unique=True)
    display_name = StringField()
    password_hash = StringField(required=True)
    role = StringField(required=True, choices=values(Role))
    county_code = StringField(required=True)
    department_code = StringField()
    active = BooleanField(default=True)
    # Raised to revoke every token issued before.
    token_version = IntField(default=0)
    created_at = DateTimeField(default=utcnow)
    # For notifications: a mobile number for SMS, and who heads the department (督办 level 1).
    phone = StringField()
    is_department_head = BooleanField(default=False)
    # Role `organisation`: the inspected party organisation whose rectification this user sees.
    organisation_id = ObjectIdField()
    meta = {"indexes": ["county_code"]}

    def set_password(self, password: str, method: str = "scrypt") -> None:
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @staticmethod
    def key(username: str) -> str:
        return username.strip().lower()
