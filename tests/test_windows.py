"""The office's figures only for sensible windows, and every error in the one JSON shape."""
from datetime import timedelta

import pytest

from backend.models.common import utcnow

ENDPOINTS = ["/api/v1/stats/resolution", "/api/v1/stats/trend", "/api/v1/stats/common-problems",
             "/api/v1/stats/overdue", "/api/v1/stats/ledger.csv"]
FAR = (utcnow() + timedelta(days=400)).date().isoformat()
BAD = [{"to": "0800-01-01"}, {"to": "0999-12-31"}, {"from": "0001-01-01"},
       {"from": "0001-01-01", "to": "9999-12-31"}, {"from": "1999-12-31"}, {"to": FAR},
       {"from": "2026-03-01", "to": "2026-02-01"}]


def assert_json_error(response, status):
    body = response.get_json()
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json" and set(body) == {"code", "status", "message", "errors"}
    return body


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize("window", BAD, ids=lambda w: "&".join(f"{k}={v}" for k, v in w.items()))
def test_a_window_out_of_range_is_422_naming_the_bound(api, path, window):
    body = assert_json_error(api.get(path, as_="office", query_string=window), 422)
    assert set(body["errors"]) <= {"from", "to"} and body["errors"], body


@pytest.mark.parametrize("window", BAD[:4])
def test_an_export_out_of_range_is_422(api, window):
    assert_json_error(api.post("/api/v1/stats/exports", as_="office", json={"format": "csv", **window}), 422)


@pytest.mark.parametrize("path", ENDPOINTS)
def test_windows_at_the_bounds_answer(api, path):
    window = {"from": "2000-01-01", "to": (utcnow() + timedelta(days=300)).date().isoformat()}
    assert api.get(path, as_="office", query_string=window).status_code == 200


def test_a_failing_ledger_is_a_json_error_not_a_broken_stream(api, monkeypatch):
    from backend.services import ledger

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")
        yield  # noqa: unreachable: a generator, like the real one
    monkeypatch.setattr(ledger, "rows", broken)
    assert_json_error(api.get("/api/v1/stats/ledger.csv", as_="office"), 500)


@pytest.mark.parametrize("method, path", [("get", "/nowhere"), ("get", "/api/v1/nowhere"),
                                          ("delete", "/api/v1/auth/token"), ("put", "/api/v1/me"),
                                          ("get", "/office/missing.js")])
def test_unknown_urls_and_methods_answer_the_json_error(client, method, path):
    response = getattr(client, method)(path)
    assert_json_error(response, 404 if method == "get" else 405)


def test_an_export_stored_with_a_window_out_of_range_fails_at_once(app):
    """An export queued before the rule (its params stored as they came) is refused by the job."""
    from backend.errors import InvalidInput
    from backend.models import Export, User
    from workers.exports import build_export
    with app.app_context():
        office = User.objects.get(username="office")
        export = Export(county_code="371323", requested_by=office.id, format="csv",
                        params={"from": "0001-01-01"}).save()
    with pytest.raises(InvalidInput) as refused:
        build_export(str(export.id))
    assert "from" in refused.value.errors
    with app.app_context():
        assert Export.objects.get(id=export.id).status == "failed"
