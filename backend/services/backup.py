"""Backups in mongodump's directory layout, for machines without MongoDB's tools.

Production backs up with `mongodump --oplog --gzip --out` (deploy/backup.sh): a point in
time of the whole replica set. `dump` writes the same layout (`<db>/<collection>.bson.gz`
plus `<collection>.metadata.json` with the indexes) from one database, collection by
collection (not a point in time: run it while nothing writes, or use mongodump); `restore`
reads either into a database, so a restore drill runs anywhere, on the wire-protocol test
server too (tests/test_backup.py).
"""
import gzip
import json
from pathlib import Path

import bson
from bson import json_util

BATCH = 1000


def dump(db, out_dir: Path) -> dict[str, int]:
    """Every collection of `db` into `out_dir/<db name>/`. Returns documents per collection."""
    target = Path(out_dir) / db.name
    target.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name in sorted(db.list_collection_names()):
        if name.startswith("system."):
            continue
        collection = db[name]
        n = 0
        with gzip.open(target / f"{name}.bson.gz", "wb") as out:
            for document in collection.find({}, sort=[("_id", 1)]):
                out.write(bson.encode(document))
                n += 1
        indexes = [{"v": 2, **info, "key": dict(info["key"])} for info in _index_list(collection)]
        metadata = {"indexes": indexes, "collectionName": name, "type": "collection"}
        (target / f"{name}.metadata.json").write_text(
            json_util.dumps(metadata, json_options=json_util.CANONICAL_JSON_OPTIONS), encoding="utf-8")
        counts[name] = n
    return counts


def _index_list(collection) -> list[dict]:
    found = []
    for name, info in collection.index_information().items():
        entry = {k: v for k, v in info.items() if k not in ("v", "ns")}
        entry["key"] = dict(entry["key"])
        found.append({"name": name, **entry})
    return found


def restore(db, dump_dir: Path, drop: bool = False) -> dict[str, int]:
    """Load a dump directory (ours or mongodump's, `.bson` or `.bson.gz`) into `db`, indexes
    first. With `drop`, each collection is emptied before; without, it must be empty."""
    source = Path(dump_dir)
    counts = {}
    for path in sorted(source.glob("*.bson*")):
        name = path.name.removesuffix(".gz").removesuffix(".bson")
        collection = db[name]
        if drop:
            collection.delete_many({})
        elif collection.estimated_document_count():
            raise ValueError(f"collection {name} is not empty; restore into an empty database or use --drop")
        if name not in db.list_collection_names():  # an empty collection comes back too
            db.create_collection(name)
        metadata_path = source / f"{name}.metadata.json"
        if metadata_path.exists():
            metadata = json_util.loads(metadata_path.read_text(encoding="utf-8"))
            for index in metadata.get("indexes", []):
                if index["name"] == "_id_":
                    continue
                options = {k: v for k, v in index.items() if k not in ("v", "key", "ns")}
                collection.create_index(list(dict(index["key"]).items()), **options)
        opener = gzip.open if path.suffix == ".gz" else open
        n, batch = 0, []
        with opener(path, "rb") as handle:
            for document in bson.decode_file_iter(handle):
                batch.append(document)
                if len(batch) == BATCH:
                    collection.insert_many(batch)
                    n, batch = n + len(batch), []
        if batch:
            collection.insert_many(batch)
            n += len(batch)
        counts[name] = n
    return counts
