"""The embedded mode: jobs run inside the API process, and the API documents itself."""
import time

from workers.runtime import start_in_process


def test_in_process_worker_routes_a_new_ticket_without_any_separate_worker(app, api, submit):
    stop = start_in_process(app)
    try:
        ticket_id = submit().get_json()["ticket_id"]
        deadline = time.monotonic() + 10
        status = None
        while time.monotonic() < deadline:
            status = api.get(f"/api/v1/tickets/{ticket_id}", as_="office").get_json()["status"]
            if status != "pending_routing":
                break
            time.sleep(0.05)
        assert status == "dispatched"
    finally:
        stop.set()
        time.sleep(0.2)


def test_openapi_document_lists_every_endpoint(client):
    spec = client.get("/openapi.json").get_json()
    paths = spec["paths"]
    for path in ["/api/v1/auth/token", "/api/v1/me", "/api/v1/tasks", "/api/v1/tickets",
                 "/api/v1/tickets/{ticket_id}/claim", "/api/v1/tickets/{ticket_id}/return",
                 "/api/v1/tickets/{ticket_id}/assign", "/api/v1/stats/resolution",
                 "/api/v1/routing/explain", "/api/v1/mobile/findings",
                 "/api/v1/mobile/findings/{finding_id}/photos", "/api/v1/mobile/tickets/{ticket_id}/verify",
                 "/api/v1/mobile/tasks/{task_id}/check-in", "/api/v1/mobile/sync",
                 "/api/v1/mobile/findings/{finding_id}/link", "/api/v1/villages/{code}/position"]:
        assert path in paths, path
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    assert client.get("/docs").status_code == 200


def test_openapi_documents_errors_in_the_shape_they_are_sent(client, api):
    spec = client.get("/openapi.json").get_json()
    documented = set(spec["components"]["schemas"]["Error"]["properties"])
    sent = api.get("/api/v1/tickets/nonexistent", as_="office").get_json()
    assert documented == set(sent) == {"code", "status", "message", "errors"}
    assert spec["components"]["schemas"]["Error"]["properties"]["code"]["type"] == "string"


def test_in_process_worker_also_derives_photos(app, api, submit):
    import io

    from conftest import PHOTOS
    stop = start_in_process(app)
    try:
        finding = submit().get_json()
        photo = api.post(f"/api/v1/mobile/findings/{finding['id']}/photos", as_="inspector1",
                         data={"file": (io.BytesIO((PHOTOS / "gps" / "DSCN0012.jpg").read_bytes()), "p.jpg")},
                         content_type="multipart/form-data").get_json()
        deadline = time.monotonic() + 10
        response = None
        while time.monotonic() < deadline:
            response = api.get(photo["thumbnail_url"], as_="inspector1")
            if response.status_code == 200:
                break
            time.sleep(0.05)
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
    finally:
        stop.set()
        time.sleep(0.2)


def test_the_api_docs_need_no_internet(client):
    """Swagger UI's page names only assets this server serves, and it serves them."""
    import re
    page = client.get("/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/docs/assets/") for a in assets), assets
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200 and len(response.get_data()) > 1000, asset


def test_the_request_that_opens_a_ticket_routes_it_once_answered_so_routing_never_starves(app, api, monkeypatch):
    """No runner thread or worker is needed (none runs here); the queued job is the safety
    net and is gone once the request routed the ticket itself."""
    from conftest import finding_payload
    from workers.queues import ROUTING, get_queue

    monkeypatch.setitem(app.config, "ROUTE_AFTER_RESPONSE", True)
    payload = finding_payload(api.task_id("inspector1"))
    r = api.post("/api/v1/mobile/findings", as_="inspector1", json=payload)
    assert r.status_code == 201 and r.get_json()["ticket_id"]
    r.close()  # the answer has gone out
    ticket = api.get(f"/api/v1/tickets/{r.get_json()['ticket_id']}", as_="office").get_json()
    assert ticket["status"] == "dispatched" and ticket["department_code"] == "transport"
    assert get_queue(ROUTING).count == 0
