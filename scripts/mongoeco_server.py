"""A MongoDB wire-protocol server for tests: mongoeco's proxy in front of its memory engine
(or SQLite with --sqlite PATH). It has no CLI of its own; this is the project's.

Runs under Python 3.13 from its own venv (scripts/mongoeco-venv.sh makes .venv-mongoeco):

    .venv-mongoeco/bin/python scripts/mongoeco_server.py --port 27110 [--sqlite var/m.db]

Prints `ready mongodb://127.0.0.1:PORT/?directConnection=true` once it listens, then
serves until SIGTERM or SIGINT. Only for tests and restore drills: it is not MongoDB
(see ENVIRONMENT.md for its measured limits).
"""
import argparse
import asyncio
import signal
import sys

from mongoeco.engines.memory import MemoryEngine
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer


async def serve(host: str, port: int, sqlite: str | None) -> None:
    # Aggregations over 50,000 documents fail by default; the counters' rebuild may need more.
    engine = (SQLiteEngine(sqlite, aggregation_materialization_limit=None) if sqlite
              else MemoryEngine(aggregation_materialization_limit=None))
    server = AsyncMongoEcoProxyServer(engine=engine, host=host, port=port)
    address = await server.start()
    print(f"ready {address.uri}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=27017)
    parser.add_argument("--sqlite", help="keep the data in this SQLite file (default: memory)")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.host, args.port, args.sqlite))
    except OSError as exc:
        sys.exit(f"mongoeco_server: cannot listen on {args.host}:{args.port}: {exc}")


if __name__ == "__main__":
    main()
