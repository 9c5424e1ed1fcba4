#!/usr/bin/env bash
# The suite over the MongoDB wire protocol: plain pymongo over TCP to mongoeco's server (in
# memory), jobs in a forking RQ worker in another process. Nothing in-process, no mongomock.
#   scripts/test-mongo.sh [pytest args]      MONGOECO_PORT (27110), TEST_REDIS_URL as for make test
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/mongoeco-venv.sh
PORT=${MONGOECO_PORT:-27110}
LOG=$(mktemp)
.venv-mongoeco/bin/python scripts/mongoeco_server.py --port "$PORT" >"$LOG" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LOG"' EXIT
for _ in $(seq 1 100); do
  grep -q '^ready' "$LOG" && break
  kill -0 $SERVER 2>/dev/null || { cat "$LOG" >&2; exit 1; }
  sleep 0.1
done
grep -q '^ready' "$LOG" || { echo "mongoeco server did not start on port $PORT" >&2; cat "$LOG" >&2; exit 1; }
export MONGODB_URI="mongodb://127.0.0.1:$PORT/?directConnection=true"
export TEST_MONGODB_DB=${TEST_MONGODB_DB:-xuncha_test}
.venv/bin/python -m pytest "$@"
