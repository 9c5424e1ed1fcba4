"""Connections: MongoDB (real or mongomock), Redis (real or fake) and the RQ queues."""
import mongoengine
import redis
from pymongo import UpdateOne

from . import embedded_mongo

_fake_redis_server = None


def find_by_ids(collection, ids: list) -> list[dict]:
    """The documents with these _ids, in that order; missing ones are left out.

    One `$in` query on the _id index (in the embedded engine, a read of its store)."""
    if embedded_mongo.is_embedded(collection):
        return embedded_mongo.find_by_ids(collection, ids)
    found = {doc["_id"]: doc for doc in collection.find({"_id": {"$in": ids}})}
    return [found[i] for i in ids if i in found]


def update_each(collection, updates: list[tuple[dict, dict]]) -> int:
    """One unordered bulk write of `(filter, update)` pairs, each an update of one document;
    returns how many documents changed."""
    if not updates:
        return 0
    if embedded_mongo.is_embedded(collection):
        return embedded_mongo.update_each(collection, updates)
    return collection.bulk_write([UpdateOne(f, u) for f, u in updates], ordered=False).modified_count


def all_documents() -> list[type[mongoengine.Document]]:
    """Every collection's document class, those of areas added later included."""
    import backend.models  # noqa: F401 (registers the documents)

    found, pending = [], list(mongoengine.Document.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls._meta.get("abstract") and cls not in found:
            found.append(cls)
    return sorted(found, key=lambda c: c._get_collection_name())


def connect_mongo(config: dict, create_indexes: bool = True) -> None:
    """Connect MongoEngine. With `create_indexes`, every document's indexes are made now,
    and no document makes them again on first use: a forked RQ work horse (one per job)
    would otherwise send ~20 createIndexes before its first query."""
    mongoengine.disconnect()
    if config["MONGODB_URI"]:
        mongoengine.connect(host=config["MONGODB_URI"], db=config["MONGODB_DB"],
                            uuidRepresentation="standard", tz_aware=True)
    else:
        embedded_mongo.connect(config["MONGODB_DB"])
    for document in all_documents():
        if create_indexes:
            document.ensure_indexes()
        document._meta["auto_create_index"] = False  # MongoEngine's meta option, set for all


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
