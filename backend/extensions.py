"""Connections: MongoDB (real or mongomock), Redis (real or fake) and the RQ queues."""
import mongoengine
import mongomock
import mongomock.gridfs
import redis

_fake_redis_server = None


def connect_mongo(config: dict) -> None:
    mongoengine.disconnect()
    if config["MONGODB_URI"]:
        mongoengine.connect(host=config["MONGODB_URI"], db=config["MONGODB_DB"],
                            uuidRepresentation="standard", tz_aware=True)
    else:
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
