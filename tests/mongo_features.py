"""What the code asks of MongoDB, recorded while the suite runs.

Every command the product sends is reduced to feature names: the command (`find`,
`findAndModify`, `aggregate`, …), every `$`-operator in its filters, updates, projections
and pipelines (`$in`, `$inc`, `$group`, …), and the options and index kinds that only
some engines have (`arrayFilters`, `collation`, `$lookup.pipeline`, `index:text`, …).
`test_mongo_features.py` compares them with the list in docs/mongodb-features.md.

Over the wire (MONGODB_URI) the commands come from pymongo's command monitoring, in the
test process and in the forking worker's horses (which report through Redis, as they
also report the collections they wrote, so that each test resets only those). On
mongomock the same calls are seen by wrapping the public methods of its Collection.
"""
import re
from pathlib import Path

from pymongo import monitoring

FEATURES_DOC = Path(__file__).resolve().parents[1] / "docs" / "mongodb-features.md"
WRITES = {"insert", "update", "delete", "findAndModify", "drop", "createIndexes"}
FEATURES_KEY, WRITTEN_KEY = "xuncha-test:features", "xuncha-test:written"

seen: dict[str, str] = {}     # feature -> one example ("command on collection")
written: set[str] = set()     # collections written since the last reset
_redis = None


def allowed_features() -> set[str]:
    """The backticked names of the doc's `## Allowed` section."""
    text = FEATURES_DOC.read_text(encoding="utf-8")
    section = text.split("## Allowed", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([^`\s]+)`", section))


def features_of(command_name: str, command: dict) -> set[str]:
    """The feature names one command uses (see the module docstring)."""
    found = {command_name}
    parts = []
    if command_name in ("find", "count", "distinct"):
        parts = [command.get("filter"), command.get("query"), command.get("projection"), command.get("sort")]
    elif command_name == "update":
        for statement in command.get("updates", []):
            parts += [statement.get("q"), statement.get("u")]
            found |= {k for k in ("arrayFilters", "collation", "hint") if k in statement}
            if isinstance(statement.get("u"), list):
                found.add("update.pipeline")
    elif command_name == "delete":
        for statement in command.get("deletes", []):
            parts.append(statement.get("q"))
            found |= {k for k in ("collation", "hint") if k in statement}
    elif command_name == "findAndModify":
        parts = [command.get("query"), command.get("update"), command.get("fields"), command.get("sort")]
        if isinstance(command.get("update"), list):
            found.add("update.pipeline")
    elif command_name == "aggregate":
        parts = [command.get("pipeline")]
        for stage in command.get("pipeline") or []:
            # $set and $unset are update operators everywhere but stages only on real MongoDB
            found |= {f"{k}:stage" for k in stage if k in ("$set", "$unset")}
    elif command_name == "createIndexes":
        for index in command.get("indexes", []):
            for kind in index.get("key", {}).values():
                if isinstance(kind, str):
                    found.add(f"index:{kind}")
            found |= {f"index:{k}" for k in ("unique", "partialFilterExpression", "expireAfterSeconds",
                                               "sparse", "collation") if k in index}
            parts.append(index.get("partialFilterExpression"))
    found |= {k for k in ("collation", "hint", "let", "startTransaction") if k in command}
    for part in parts:
        _operators(part, found)
    return found


def _operators(value, found: set[str]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and key.startswith("$"):
                found.add(key)
                if key == "$lookup" and isinstance(inner, dict) and "pipeline" in inner:
                    found.add("$lookup.pipeline")
            _operators(inner, found)
    elif isinstance(value, (list, tuple)):
        for inner in value:
            _operators(inner, found)


def record(command_name: str, collection: str | None, command: dict) -> None:
    names = features_of(command_name, command)
    if command_name in WRITES and collection:
        written.add(collection)
        if _redis is not None:
            _redis.sadd(WRITTEN_KEY, collection)
    new = {n: f"{command_name} on {collection}" for n in names if n not in seen}
    seen.update(new)
    if new and _redis is not None:
        _redis.hset(FEATURES_KEY, mapping=new)


def drain_worker_reports(redis) -> None:
    """Take what the worker's horses reported into this process."""
    written.update(m.decode() for m in redis.smembers(WRITTEN_KEY))
    for name, example in redis.hgetall(FEATURES_KEY).items():
        seen.setdefault(name.decode(), example.decode())
    redis.delete(WRITTEN_KEY, FEATURES_KEY)


class _Listener(monitoring.CommandListener):
    def started(self, event):
        collection = event.command.get(event.command_name)
        record(event.command_name, collection if isinstance(collection, str) else None, event.command)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


def install(redis_url: str | None = None) -> None:
    """Record every command of every MongoClient made from now on (and in forked children)."""
    global _redis
    if redis_url:
        from redis import Redis
        _redis = Redis.from_url(redis_url)
    monitoring.register(_Listener())


def install_mongomock() -> None:
    """The same records on mongomock, from the public methods MongoEngine and the services call."""
    import functools

    import mongomock.collection

    collection_class = mongomock.collection.Collection
    if getattr(collection_class, "_features_recorded", False):
        return

    def filt(args, kwargs, name="filter"):
        return kwargs.get(name, args[0] if args else None)

    shapes = {
        "find": ("find", lambda a, k: {"filter": filt(a, k), "projection": k.get("projection", a[1] if len(a) > 1 else None),
                                       "sort": k.get("sort")}),
        "find_one_and_update": ("findAndModify", lambda a, k: {"query": filt(a, k), "update": k.get("update", a[1] if len(a) > 1 else None),
                                                               **({"arrayFilters": 1} if k.get("array_filters") else {})}),
        "find_one_and_delete": ("findAndModify", lambda a, k: {"query": filt(a, k)}),
        "update_one": ("update", lambda a, k: {"updates": [_statement(a, k)]}),
        "update_many": ("update", lambda a, k: {"updates": [_statement(a, k)]}),
        "replace_one": ("update", lambda a, k: {"updates": [{"q": filt(a, k)}]}),
        "delete_one": ("delete", lambda a, k: {"deletes": [{"q": filt(a, k)}]}),
        "delete_many": ("delete", lambda a, k: {"deletes": [{"q": filt(a, k)}]}),
        "count_documents": ("aggregate", lambda a, k: {"pipeline": [{"$match": filt(a, k)}, {"$group": {"n": {"$sum": 1}}}]}),
        "aggregate": ("aggregate", lambda a, k: {"pipeline": k.get("pipeline", a[0] if a else None)}),
        "distinct": ("distinct", lambda a, k: {"query": k.get("filter", a[1] if len(a) > 1 else None)}),
        "insert_one": ("insert", lambda a, k: {}),
        "insert_many": ("insert", lambda a, k: {}),
        "create_index": ("createIndexes", lambda a, k: {"indexes": [_index(a, k)]}),
    }
    for method, (command_name, shape) in shapes.items():
        original = getattr(collection_class, method)

        @functools.wraps(original)
        def recorded(self, *args, __original=original, __name=command_name, __shape=shape, **kwargs):
            try:
                record(__name, self.name, __shape(args, kwargs))
            except Exception:  # a shape we did not foresee must not change the call
                seen.setdefault(f"unrecorded:{__name}", self.name)
            return __original(self, *args, **kwargs)
        setattr(collection_class, method, recorded)
    collection_class._features_recorded = True


def _statement(args, kwargs) -> dict:
    statement = {"q": kwargs.get("filter", args[0] if args else None),
                 "u": kwargs.get("update", args[1] if len(args) > 1 else None)}
    if kwargs.get("array_filters"):
        statement["arrayFilters"] = kwargs["array_filters"]
    if kwargs.get("collation"):
        statement["collation"] = kwargs["collation"]
    return statement


def _index(args, kwargs) -> dict:
    keys = args[0] if args else kwargs.get("key_or_list")
    if isinstance(keys, str):
        keys = [(keys, 1)]
    index = {"key": dict(keys)}
    for option in ("unique", "partialFilterExpression", "expireAfterSeconds", "sparse", "collation"):
        if option in kwargs:
            index[option] = kwargs[option]
    return index
