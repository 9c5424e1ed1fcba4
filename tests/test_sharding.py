"""Ready to shard by county: the plan is read from the models' meta, the big collections
are sharded on county_code, and no unique index stands in the way."""
import subprocess
import sys
from pathlib import Path

from backend import sharding

ROOT = Path(__file__).resolve().parents[1]


def test_the_collections_that_grow_are_sharded_by_county_with_compatible_unique_indexes():
    layout = sharding.plan("xuncha")
    assert layout["problems"] == []
    sharded = {entry["collection"]: entry["shard_key"] for entry in layout["sharded"]}
    for name in ("ticket", "finding", "photo", "check_in", "notification", "stat_days", "sync_removal",
                 "inspection_task", "export"):
        assert sharded[name] == {"county_code": 1}, name
    assert sharded["photo_files.chunks"] == {"files_id": 1, "n": 1}
    unsharded = {entry["collection"] for entry in layout["unsharded"]}
    assert {"user", "village", "sync_counter"} <= unsharded  # login by username; reference data; tiny


def test_a_unique_index_without_the_shard_key_in_front_is_a_problem():
    assert sharding.unique_index_problems("clue", ("county_code",), [
        {"key": {"number": 1}, "options": {"unique": True}},
        {"key": {"county_code": 1, "number": 1}, "options": {"unique": True}},
        {"key": {"number": 1}, "options": {}}]) == [
        "clue: unique index {'number': 1} does not start with the shard key ('county_code',)"]


def test_the_script_prints_the_shard_commands_and_the_indexes():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "shard_plan.py"), "--db", "xuncha"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert 'sh.enableSharding("xuncha");' in lines
    assert 'sh.shardCollection("xuncha.ticket", {"county_code": 1});' in lines
    assert ('db.getSiblingDB("xuncha").getCollection("ticket").createIndex({"county_code": 1, "finding_id": 1}, '
            '{"unique": true});') in lines
