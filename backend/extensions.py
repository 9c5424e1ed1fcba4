"""Connections: MongoDB (real or mongomock), Redis (real or fake) and the RQ queues."""
import functools
import threading
from datetime import UTC, datetime

import mongoengine
import mongomock
import mongomock.collection
import mongomock.gridfs
import redis

_fake_redis_server = None
_mongomock_write_lock = threading.RLock()


def _serialise_mongomock_writes() -> None:
    """mongomock checks a filter and then writes by _id, unlocked: two threads can both pass
    a `version == n` guard (seen: 7 winners of one round), and both pass a unique-index check.
    Real MongoDB makes each single-document write atomic; the embedded mode serves requests in
    threads, so its writes take one process-wide lock to get the same guarantee."""
    collection = mongomock.collection.Collection
    if getattr(collection, "_xuncha_locked", False):
        return
    for name in ("_insert", "_update", "_find_and_modify", "_delete"):
        original = getattr(collection, name)

        @functools.wraps(original)
        def locked(self, *args, __original=original, **kwargs):
            with _mongomock_write_lock:
                return __original(self, *args, **kwargs)
        setattr(collection, name, locked)
    collection._iter_documents = _iter_documents_by_id_first(collection._iter_documents)
    collection._xuncha_locked = True


def _iter_documents_by_id_first(scan):
    """mongomock answers every query by scanning the whole collection; a filter on one _id
    (every ticket state change) reads that document directly instead. Same answers."""
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
    """The documents with these _ids, in that order; missing ones are left out.

    Real MongoDB: one `$in` query on the _id index. mongomock answers `$in` by scanning the
    collection and copies every document it returns twice over (once to project it, once to
    make its datetimes aware): most of a county dashboard's time. Here it is read from the
    store under the write lock and copied once, datetimes made aware (UTC) on the way."""
    store = getattr(collection, "_store", None)
    if not isinstance(collection, mongomock.Collection) or store is None:
        found = {doc["_id"]: doc for doc in collection.find({"_id": {"$in": ids}})}
        return [found[i] for i in ids if i in found]
    with _mongomock_write_lock:
        return [_copy_aware(store[i]) for i in ids if i in store]


def _copy_aware(value):
    if isinstance(value, dict):  # mongomock stores OrderedDicts
        return {k: _copy_aware(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_aware(v) for v in value]
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value  # str, numbers, ObjectId, None: immutable


def connect_mongo(config: dict) -> None:
    mongoengine.disconnect()
    if config["MONGODB_URI"]:
        mongoengine.connect(host=config["MONGODB_URI"], db=config["MONGODB_DB"],
                            uuidRepresentation="standard", tz_aware=True)
    else:
        _serialise_mongomock_writes()
        mongomock.gridfs.enable_gridfs_integration()
        mongoengine.connect(config["MONGODB_DB"], host="mongodb://localhost",
                            mongo_client_class=mongomock.MongoClient,
                            uuidRepresentation="standard", tz_aware=True)


def connect_redis(config: dict) -> redis.Redis:
    """Real Redis at REDIS_URL; in the embedded mode without one, an in-process fake."""
    if config["REDIS_URL"]:
        return redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=1,
                                    socket_timeout=5)
    import fakeredis

    global _fake_redis_server
    if _fake_redis_server is None:
        _fake_redis_server = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=_fake_redis_server)
