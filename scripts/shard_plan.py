"""Print the mongosh commands that shard the database by county, and every index.

    .venv/bin/python scripts/shard_plan.py [--db xuncha] [--json]

Read from the models' meta (backend/sharding.py): a collection added later is listed
without editing this script. Exits 1 if a unique index is not prefixed by its shard key.
"""
import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="xuncha")
    parser.add_argument("--json", action="store_true", help="the plan as JSON instead of mongosh commands")
    args = parser.parse_args()
    from backend import sharding
    layout = sharding.plan(args.db)
    print(json.dumps(layout, ensure_ascii=False, indent=1) if args.json else "\n".join(sharding.commands(args.db)))
    for problem in layout["problems"]:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if layout["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
