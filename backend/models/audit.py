from mongoengine import DateTimeField, Document, ObjectIdField, StringField

from .common import utcnow


class AuditEntry(Document):
    """Who saw villagers' personal data whole, and when (a handler's reveal): the office reads
    these; nobody edits them."""
    county_code = StringField(required=True)
    action = StringField(required=True, default="reveal")
    actor_id = ObjectIdField(required=True)
    actor_name = StringField(required=True)
    department_code = StringField()
    ticket_id = ObjectIdField(required=True)
    ticket_number = StringField()
    address = StringField()
    at = DateTimeField(default=utcnow)
    meta = {"collection": "audit_log", "indexes": [("county_code", "-at"), "ticket_id"], "ordering": ["-at"]}
