"""The embedded engine: mongomock inside this process, and everything it needs from us.

This is the one module that knows mongomock's insides (STYLE.md, habit 11). The product
code calls the same functions on either engine; on real MongoDB (MONGODB_URI) none of
what follows runs.

- Writes are serialised by one process-wide lock. mongomock checks a filter and then
  writes by `_id`, unlocked: two threads can both pass a `version == n` guard (seen: 7
  winners of one round), and both pass a unique-index check. Real MongoDB makes each
  single-document write atomic; the embedded mode serves requests in threads.
- A filter on one `_id` (every ticket state change) reads that document directly instead
  of scanning the collection: same answers.
- `find_by_ids` reads the store under the lock and copies each document once (mongomock's
  `$in` scans the collection and copies every match twice).
- `update_each` runs a bulk of single-document updates through mongomock's bulk builder
  (its `bulk_write` does not take current pymongo's `UpdateOne`).
- `restore` puts a snapshot straight into the store (tests): mongomock's insert checks
  every unique index by scanning the collection, O(n²) for a county's villages.
"""
import functools
import threading
from datetime import UTC, datetime

import mongoengine
import mongomock
import mongomock.collection
import mongomock.gridfs
import mongomock.helpers

_write_lock = threading.RLock()


def connect(db_name: str) -> None:
    """Connect MongoEngine to an in-process mongomock database named `db_name`."""
    _serialise_writes()
    mongomock.gridfs.enable_gridfs_integration()
    mongoengine.connect(db_name, host="mongodb://localhost", mongo_client_class=mongomock.MongoClient,
                        uuidRepresentation="standard", tz_aware=True)


def is_embedded(collection) -> bool:
    return isinstance(collection, mongomock.Collection)


def _serialise_writes() -> None:
    collection = mongomock.collection.Collection
    if getattr(collection, "_xuncha_locked", False):
        return
    for name in ("_insert", "_update", "_find_and_modify", "_delete"):
        original = getattr(collection, name)

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with _write_lock:
                return __original(self, *args, **kwargs)
        setattr(collection, name, locked)
    collection._iter_documents = _iter_documents_by_id_first(collection._iter_documents)
    collection._xuncha_locked = True


def _iter_documents_by_id_first(scan):
    from mongomock.filtering import filter_applies

    @functools.wraps(scan)
    def iter_documents(self, filter):
        wanted = filter.get("_id") if isinstance(filter, dict) else None
        if wanted is None or isinstance(wanted, (dict, list)):
            return scan(self, filter)
        try:
            document = self._store[wanted]
        except (KeyError, TypeError):
            return iter(())
        return iter((document,)) if filter_applies(filter, document) else iter(())
    return iter_documents


def find_by_ids(collection, ids: list) -> list[dict]:
    """The documents with these _ids, in that order, read from mongomock's store under the
    write lock and copied once, datetimes made aware (UTC) on the way."""
    store = collection._store
    with _write_lock:
        return [_copy_aware(store[i]) for i in ids if i in store]


def update_each(collection, updates: list[tuple[dict, dict]]) -> int:
    """mongomock's `bulk_write` does not take pymongo ≥ 4.11's `UpdateOne`; its own bulk
    builder does the same unordered updates."""
    bulk = collection.initialize_unordered_bulk_op()
    for filter_, update in updates:
        bulk.find(filter_).update_one(update)
    return bulk.execute()["nModified"]


def _copy_aware(value):
    if isinstance(value, dict):  # mongomock stores OrderedDicts
        return {k: _copy_aware(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_aware(v) for v in value]
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value  # str, numbers, ObjectId, None: immutable


def restore(collection, documents: list[dict]) -> None:
    """Put documents read earlier from this same collection back into its store (so they
    meet its unique indexes), without mongomock's per-insert scan. The documents themselves
    are never stored: each is rebuilt on the way in."""
    store = collection._store
    with _write_lock:
        for document in documents:
            store[document["_id"]] = mongomock.helpers.patch_datetime_awareness_in_document(document)
