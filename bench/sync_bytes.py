"""Benchmark: bytes on the wire for an inspector's phone (gzip), with 20 tasks and 100 findings.

Builds the embedded app in this process (mongomock, an in-process fake Redis), loads the
demo county, lets the office plan 20 tasks of 3-5 villages for `inspector1`, and has the
inspector send 100 findings in two sync batches of 50 (each opens a ticket, routed by the
RQ jobs run here). Then, as the phone would, it asks with `Accept-Encoding: gzip` for:

- the task list (`GET /mobile/tasks?page_size=20`; target under 10 KB),
- the findings and tickets lists (page_size=100),
- a full sync (`GET /mobile/sync`: tasks, findings and tickets in one answer),
- an incremental sync after a department claimed one ticket,
- a revalidation of the task list with `If-None-Match` (304).

Printed per request: body bytes uncompressed, gzip body bytes, response header bytes, and
the compression ratio. Figures are sizes, not times: they do not depend on machine load.

Run from the project root: .venv/bin/python bench/sync_bytes.py [--json]
"""
import argparse
import json
import random
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TASKS, FINDINGS, TARGET_TASKS_GZIP = 20, 100, 10 * 1024
PASSWORD = "bench-password"
TEXTS = [("livelihood", "村内主干道路面坑洼", "道路路面坑洼严重，雨天积水，群众出行不便。"),
         ("living_environment", "村口垃圾堆放", "村口垃圾长期堆放未清运，夏季异味明显。"),
         ("benefit_policy", "低保评定程序不规范", "部分低保户未经民主评议即纳入，公示不到位。"),
         ("livelihood", "饮水水质浑浊", "自来水雨后浑浊，群众反映需自行过滤后饮用。")]


def build():
    from rq import SimpleWorker

    from backend import create_app
    from backend.services import demo
    from workers.queues import QUEUE_NAMES, get_queue

    app = create_app({"TESTING": True, "DEMO_PASSWORD": PASSWORD, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
                      "JOBS_IN_PROCESS": False, "MONGODB_DB": "bench_sync_bytes"})
    with app.app_context():
        demo.load(PASSWORD)
    client = app.test_client()

    def token(username):
        r = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
        return {"Authorization": f"Bearer {r.get_json()['access_token']}"}

    office, inspector = token("office"), token("inspector1")
    me = client.get("/api/v1/me", headers=inspector).get_json()["id"]
    villages = [v["code"] for v in client.get("/api/v1/villages?page_size=100", headers=office).get_json()]
    rng = random.Random(3)
    task_ids = []
    for n in range(TASKS):
        codes = rng.sample(villages, rng.randint(3, 5))
        r = client.post("/api/v1/tasks", headers=office, json={
            "name": f"2026年第四轮村级巡察 · 第{n + 1}组", "village_codes": codes, "inspector_ids": [me],
            "starts_on": "2026-11-01", "ends_on": "2026-12-31",
            "focus_categories": ["livelihood", "living_environment", "benefit_policy"]})
        assert r.status_code == 201, r.get_json()
        task_ids.append((r.get_json()["id"], codes))
    items = []
    for n in range(FINDINGS):
        task_id, codes = task_ids[n % TASKS]
        category, title, text = TEXTS[n % len(TEXTS)]
        items.append({"type": "finding", "client_id": str(uuid.uuid4()), "data": {
            "task_id": task_id, "village_code": codes[0], "category": category, "severity": "general",
            "title": f"{title}（{n + 1}）", "description": text,
            "location": {"lat": 35.79 + rng.uniform(-0.05, 0.05), "lon": 118.63 + rng.uniform(-0.05, 0.05),
                         "accuracy_m": round(rng.uniform(4, 30), 1), "crs": "gcj02"},
            "observed_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat(),
            "fact_basis": "现场查看并走访群众5人。", "policy_basis": "《山东省农村公路条例》第十二条",
            "responsibility_basis": "县交通运输局负责农村公路养护管理。",
            "immediate": True}})  # 立行立改: dispatched before review (边巡边改), so each opens a ticket
    for batch in (items[:50], items[50:]):
        r = client.post("/api/v1/mobile/sync", headers=inspector, json={"items": batch})
        statuses = {x["status"] for x in r.get_json()["results"]}
        assert r.status_code == 200 and statuses == {"created"}, statuses
    worker = SimpleWorker([get_queue(n) for n in QUEUE_NAMES], connection=app.extensions["redis"])
    worker.work(burst=True, logging_level="WARNING")
    return app, client, inspector, token


def measure(client, headers, path):
    plain = client.get(path, headers=headers)
    zipped = client.get(path, headers={**headers, "Accept-Encoding": "gzip"})
    assert plain.status_code == zipped.status_code == 200, (path, plain.status_code)
    assert zipped.headers.get("Content-Encoding") == "gzip", path
    header_bytes = sum(len(k) + len(v) + 4 for k, v in zipped.headers.items()) + len("HTTP/1.1 200 OK\r\n\r\n")
    return {"request": f"GET {path}", "body_bytes": len(plain.data), "gzip_bytes": len(zipped.data),
            "header_bytes": header_bytes, "ratio": round(len(plain.data) / len(zipped.data), 1),
            "etag": plain.headers.get("ETag"), "json": plain.get_json()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    app, client, inspector, token = build()
    rows = [measure(client, inspector, "/api/v1/mobile/tasks?page_size=20")]
    assert len(rows[0]["json"]) == 20
    rows.append(measure(client, inspector, "/api/v1/mobile/findings?page_size=100"))
    rows.append(measure(client, inspector, "/api/v1/mobile/tickets?page_size=100"))
    full = measure(client, inspector, "/api/v1/mobile/sync?limit=1000")
    rows.append(full)
    counts = {k: len(full["json"][k]) for k in ("tasks", "findings", "tickets")}
    ticket = full["json"]["tickets"][0]
    department = token(f"dept-{ticket['department_code']}")
    assert client.post(f"/api/v1/tickets/{ticket['id']}/claim", headers=department, json={}).status_code == 200
    since = full["json"]["cursor"]
    incremental = client.get(f"/api/v1/mobile/sync?since={since}", headers={**inspector, "Accept-Encoding": "gzip"})
    revalidate = client.get("/api/v1/mobile/tasks?page_size=20",
                            headers={**inspector, "If-None-Match": rows[0]["etag"]})
    assert revalidate.status_code == 304
    report = {
        "setup": f"{TASKS} tasks (+2 demo tasks), {FINDINGS} findings sent in 2 sync batches, "
                 f"{FINDINGS} tickets routed; full sync carried {counts}",
        "rows": [{k: v for k, v in r.items() if k not in ("json", "etag")} for r in rows],
        "incremental_sync_after_one_claim_bytes": len(incremental.data),
        "incremental_sync_gzip": incremental.headers.get("Content-Encoding") == "gzip",
        "task_list_revalidation_304_body_bytes": len(revalidate.data),
        "target": f"task list (20 tasks) gzip < {TARGET_TASKS_GZIP} bytes",
        "target_met": rows[0]["gzip_bytes"] < TARGET_TASKS_GZIP,
    }
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(report["setup"])
        print(f"{'request':<46} {'body B':>8} {'gzip B':>8} {'hdr B':>6} {'ratio':>6}")
        for r in report["rows"]:
            print(f"{r['request']:<46} {r['body_bytes']:>8} {r['gzip_bytes']:>8} {r['header_bytes']:>6} {r['ratio']:>6}")
        print(f"incremental sync after one claim: {report['incremental_sync_after_one_claim_bytes']} bytes "
              f"({'gzip' if report['incremental_sync_gzip'] else 'plain: under the gzip threshold'})")
        print(f"task list revalidated with If-None-Match: 304, {report['task_list_revalidation_304_body_bytes']} body bytes")
        print(f"target: {report['target']}: {'met' if report['target_met'] else 'NOT met'}")
    return 0 if report["target_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
