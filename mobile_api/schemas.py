"""Schemas of the inspectors' sync: a batch of queued items in, per-item results out."""
import uuid

from marshmallow import Schema, ValidationError, fields, post_load, validate

from backend.api.schemas import (CheckInSchema, Code, FindingSchema, NearbyTicketSchema, TaskSchema,
                                 TicketSchema)
from backend.services.sync import MAX_BATCH
from backend.i18n import _, lazy_


class QueuedCheckInSchema(CheckInSchema):
    task_id = Code(64, required=True)


ITEM_SCHEMAS = {"finding": FindingSchema, "check_in": QueuedCheckInSchema}


class SyncItemSchema(Schema):
    """One queued item. Nothing in it fails the batch: an item of an unknown type, without a
    UUID, or with invalid data comes back as `invalid` with its field errors."""
    type = fields.Str(required=True, metadata={"enum": list(ITEM_SCHEMAS)})
    client_id = fields.Str(required=True, metadata={"format": "uuid"})
    data = fields.Dict(load_default=dict, metadata={"description": "the finding or check-in as POSTed alone "
                                                                   "(a check-in also names its task_id)"})

    @post_load
    def load_data(self, item, **kwargs):
        item["errors"] = None
        try:
            item["client_id"] = str(uuid.UUID(item["client_id"]))
        except ValueError:
            item["errors"] = {"client_id": [_("Not a valid UUID.")]}
            return item
        if item["type"] not in ITEM_SCHEMAS:
            item["errors"] = {"type": [_("Must be one of: %(types)s.", types=", ".join(ITEM_SCHEMAS))]}
            return item
        try:
            item["data"] = ITEM_SCHEMAS[item["type"]]().load({**item["data"], "client_id": item["client_id"]})
        except ValidationError as exc:
            item["errors"] = exc.messages
        return item


class SyncPushSchema(Schema):
    items = fields.List(fields.Nested(SyncItemSchema), required=True,
                        validate=validate.Length(min=1, max=MAX_BATCH, error=lazy_("Send 1 to %(most)s items a batch.",
                                                                                   most=MAX_BATCH)))


class SyncResultSchema(Schema):
    type = fields.Str()
    client_id = fields.Str()
    status = fields.Str(metadata={"enum": ["created", "replayed", "revised", "conflict", "invalid", "error"],
                                  "description": "revised: a sent-back finding's new revision; invalid: fix it or "
                                                 "drop it; error: the server failed, send it again later"})
    id = fields.Str()
    code = fields.Str()
    reason = fields.Str()
    errors = fields.Dict()
    ticket_id = fields.Str(allow_none=True)
    linked_ticket_id = fields.Str(allow_none=True)
    flags = fields.List(fields.Str())
    nearby_open_tickets = fields.List(fields.Nested(NearbyTicketSchema))


class SyncPushResultSchema(Schema):
    results = fields.List(fields.Nested(SyncResultSchema))


class SyncQuerySchema(Schema):
    since = fields.Str(load_default=None, metadata={"description": "the cursor of the previous sync; none for everything"})
    limit = fields.Int(load_default=200, validate=validate.Range(1, 1000))


class SyncFindingSchema(FindingSchema):
    """A finding as the phone keeps it (no duplicate-guard suggestions in the feed)."""
    class Meta:
        exclude = ("nearby_open_tickets",)


class RemovalSchema(Schema):
    kind = fields.Str()
    id = fields.Str()
    reason = fields.Str()


class SyncPullSchema(Schema):
    cursor = fields.Str(metadata={"description": "pass it as `since` next time"})
    has_more = fields.Bool(metadata={"description": "more changes wait: sync again at once with the cursor"})
    full = fields.Bool(metadata={"description": "true without `since`, or with a cursor this server cannot "
                                                "honour: replace everything the phone keeps"})
    full_reason = fields.Str(allow_none=True, metadata={
        "description": "why the answer is full: no_cursor, unreadable_cursor, cursor_from_another_database "
                       "(another server's, or from before its data was reset), cursor_ahead_of_server "
                       "(numbers it has not reached: a restored backup); null when not full"})
    tasks = fields.List(fields.Nested(TaskSchema))
    findings = fields.List(fields.Nested(SyncFindingSchema))
    tickets = fields.List(fields.Nested(TicketSchema))
    removed = fields.List(fields.Nested(RemovalSchema), metadata={
        "description": "kind task: the inspector was taken off it, or it was deleted; drop it with its tickets"})


class LinkSchema(Schema):
    ticket_id = Code(64, required=True, metadata={"description": "the open ticket this finding repeats"})

