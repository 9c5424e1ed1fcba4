"""Sharding by county, read from the models' meta (so collections added later are covered).

A document whose meta declares `shard_key: ("county_code",)` is sharded on
`{county_code: 1}`: each county's documents live together, every query of a county goes
to one shard, and each unique index starts with the shard key (MongoDB requires it). The
others stay unsharded on the primary shard: reference data that every county reads
(divisions, users by username, holidays) and small per-county or global documents.
GridFS chunks are sharded on `{files_id: 1, n: 1}`, as MongoDB's documentation advises.
"""
from .extensions import all_documents

GRIDFS_BUCKET = "photo_files"


def plan(db_name: str) -> dict:
    """{"sharded": [...], "unsharded": [...], "problems": [...]} for every collection."""
    sharded, unsharded, problems = [], [], []
    for document in all_documents():
        name = document._get_collection_name()
        key = tuple(document._meta.get("shard_key") or ())
        indexes = [_index(spec) for spec in document._meta.get("index_specs") or []]
        entry = {"collection": name, "namespace": f"{db_name}.{name}", "indexes": indexes}
        if key:
            entry["shard_key"] = {field: 1 for field in key}
            sharded.append(entry)
            problems += unique_index_problems(name, key, indexes)
        else:
            if "county_code" in document._fields:
                entry["note"] = "has county_code but is not sharded (small, or read across counties)"
            unsharded.append(entry)
    sharded.append({"collection": f"{GRIDFS_BUCKET}.chunks", "namespace": f"{db_name}.{GRIDFS_BUCKET}.chunks",
                    "shard_key": {"files_id": 1, "n": 1},
                    "indexes": [{"key": {"files_id": 1, "n": 1}, "options": {"unique": True}}]})
    return {"sharded": sharded, "unsharded": unsharded, "problems": problems}


def unique_index_problems(name: str, key: tuple, indexes: list[dict]) -> list[str]:
    """MongoDB refuses a unique index on a sharded collection unless it starts with the shard key."""
    return [f"{name}: unique index {index['key']} does not start with the shard key {key}"
            for index in indexes if index["options"].get("unique") and tuple(index["key"])[:len(key)] != key]


def _index(spec: dict) -> dict:
    return {"key": dict(spec["fields"]), "options": {k: v for k, v in spec.items() if k != "fields"}}


def commands(db_name: str) -> list[str]:
    """mongosh commands that shard the database by county, with each collection's indexes."""
    layout = plan(db_name)
    lines = [f"// Sharding {db_name} by county. Run in mongosh against a mongos.",
             f'sh.enableSharding("{db_name}");']
    for entry in layout["sharded"]:
        lines.append(f"// {entry['collection']}")
        for index in entry["indexes"]:
            lines.append(f'db.getSiblingDB("{db_name}").getCollection("{entry["collection"]}")'
                         f".createIndex({_js(index['key'])}, {_js(index['options'])});")
        lines.append(f'sh.shardCollection("{entry["namespace"]}", {_js(entry["shard_key"])});')
    lines.append("// Unsharded (on the primary shard): " + ", ".join(e["collection"] for e in layout["unsharded"]))
    for entry in layout["unsharded"]:
        for index in entry["indexes"]:
            lines.append(f'db.getSiblingDB("{db_name}").getCollection("{entry["collection"]}")'
                         f".createIndex({_js(index['key'])}, {_js(index['options'])});")
    return lines


def _js(value) -> str:
    import json
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
