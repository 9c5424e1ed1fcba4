"""The tests' background worker over the wire: a forking RQ worker in its own process.

With MONGODB_URI set, `run_jobs` asks this process (through a Redis list) to work the
queues in burst mode, exactly as production does: `AppWorker` builds the app once from
the environment, every job runs in a forked work horse that connects to MongoDB again.
The horse records the collections it wrote and the operators it used in Redis
(tests/mongo_features.py) so that the test process can reset and check them.

    python tests/job_runner.py          # environment: MONGODB_URI, MONGODB_DB, REDIS_URL, SECRET_KEY
"""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

CONTROL = "xuncha-test:run-jobs"


def main() -> None:
    import mongo_features
    mongo_features.install(redis_url=os.environ["REDIS_URL"])

    from redis import Redis
    from workers.queues import QUEUE_NAMES
    from workers.runtime import AppWorker

    # Longer than the wait below: redis-py's default socket timeout (5 s) would end it.
    control = Redis.from_url(os.environ["REDIS_URL"], socket_timeout=30)
    print("ready", flush=True)
    while True:
        popped = control.blpop([CONTROL], timeout=5)
        if popped is None:
            if os.getppid() == 1:  # the test session is gone
                return
            continue
        request = json.loads(popped[1])
        if request.get("stop"):
            return
        worker = AppWorker(list(QUEUE_NAMES), connection=control)
        worker.work(burst=True, logging_level="WARNING")
        control.rpush(request["reply"], "done")


if __name__ == "__main__":
    main()
