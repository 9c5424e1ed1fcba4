"""Open311 GeoReport v2 over the same data. Proven two ways: the specification's own sample
documents (their shapes: root, item and field names, in order) against ours, in XML and JSON;
and an Open311 client from PyPI (`georeport`, which reads services, definitions and
requests, in both formats) against a live server. It has no POST nor tokens: those are
checked against the specification's samples."""
import json
from xml.etree import ElementTree as ET

import pytest
from georeport import GeoReport

from backend.models import Clue, Ticket
from backend.models.open311 import Open311Key
from backend.models.public_reports import PublicReport
from conftest import approve_as_clue
from public_helpers import complete_finding, fix_and_close, review_report
from test_office_page import server  # noqa: F401  (fixture)

# The GeoReport v2 specification's sample responses (wiki.open311.org/GeoReport_v2), reduced
# to their structure: the values are the specification's kind of values, not ours.
SPEC_XML = {
    "discovery": """<?xml version="1.0" encoding="utf-8"?><discovery><changeset>2011-04-05T17:48:34Z</changeset>
        <contact>Please email or call for assistance</contact><key_service>To get an API_KEY visit this website</key_service>
        <endpoints><endpoint><specification>http://wiki.open311.org/GeoReport_v2</specification>
        <url>http://open311.example.gov/v2</url><changeset>2011-04-20T17:48:34Z</changeset><type>production</type>
        <formats><format>text/xml</format><format>application/json</format></formats></endpoint></endpoints></discovery>""",
    "services": """<?xml version="1.0" encoding="utf-8"?><services><service><service_code>001</service_code>
        <service_name>Cans left out 24x7</service_name><description>Garbage or recycling cans left out</description>
        <metadata>true</metadata><type>realtime</type><keywords>lorem, ipsum, dolor</keywords><group>sanitation</group>
        </service></services>""",
    "service_definition": """<?xml version="1.0" encoding="utf-8"?><service_definition><service_code>DMV66</service_code>
        <attributes></attributes></service_definition>""",
    "post_token": """<?xml version="1.0" encoding="utf-8"?><service_requests><request><token>12345</token>
        <service_notice>The City will inspect within 24 hours</service_notice><account_id/></request></service_requests>""",
    "tokens": """<?xml version="1.0" encoding="utf-8"?><service_requests><request><service_request_id>638344</service_request_id>
        <token>12345</token></request></service_requests>""",
    "requests": """<?xml version="1.0" encoding="utf-8"?><service_requests><request>
        <service_request_id>638344</service_request_id><status>closed</status><status_notes>Duplicate request.</status_notes>
        <service_name>Sidewalk and Curb Issues</service_name><service_code>006</service_code><description></description>
        <agency_responsible></agency_responsible><service_notice></service_notice>
        <requested_datetime>2010-04-14T06:37:38-08:00</requested_datetime><updated_datetime>2010-04-14T06:37:38-08:00</updated_datetime>
        <expected_datetime>2010-04-15T06:37:38-08:00</expected_datetime><address>8TH AVE and JUDAH ST</address>
        <address_id>545483</address_id><zipcode>94122</zipcode><lat>37.762221815</lat><long>-122.4651145</long>
        <media_url>http://city.gov.s3.amazonaws.com/requests/media/638344.jpg</media_url></request></service_requests>""",
    "errors": """<?xml version="1.0" encoding="utf-8"?><errors><error><code>403</code>
        <description>Invalid api_key received -- can't proceed with create_request.</description></error></errors>""",
}


def shape(xml: bytes | str) -> tuple:
    """(root, [(element, [its children's names…]) …]) of a document: its structure, no values."""
    root = ET.fromstring(xml)

    def of(node):
        return (node.tag, tuple(of(child) for child in node))
    items = {of(child) for child in root} if root.tag != "discovery" else {of(root)}
    return root.tag, items


def json_keys(body: list | dict) -> set:
    return {tuple(item) for item in body} if isinstance(body, list) else {tuple(body)}


def spec_json_keys(name: str) -> set:
    root = ET.fromstring(SPEC_XML[name])
    return {tuple(child.tag for child in item) for item in root}


@pytest.fixture(autouse=True)
def cheap_work(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_POW_BITS", 4)


@pytest.fixture
def api_key(api) -> str:
    issued = api.post("/api/v1/open311/keys", as_="admin", json={"name": "县12345热线"})
    assert issued.status_code == 201
    return issued.get_json()["api_key"]


def post(client, api_key, **form):
    data = {"api_key": api_key, "jurisdiction_id": "371323", "service_code": "livelihood",
            "description": "沂城街道阳东社区路灯不亮", "lat": "35.79", "long": "118.63", **form}
    return client.post("/open311/v2/requests.json", data={k: v for k, v in data.items() if v is not None})


@pytest.fixture
def tickets(api, submit, run_jobs):
    """Two tickets of the demo county, and a misconduct clue that must never show."""
    road = submit(title="路面<坑洼>&积水").get_json()["ticket_id"]
    water = submit(title="自来水停水", description="自来水停水三天，联系人13812345678").get_json()["ticket_id"]
    clue = submit(category="misconduct", title="村干部优亲厚友", description="低保优亲厚友").get_json()["id"]
    approve_as_clue(submit.api, clue)
    run_jobs()
    return {"road": Ticket.objects.get(id=road), "water": Ticket.objects.get(id=water),
            "clue": Clue.objects.get(finding_id=clue)}


def test_every_document_has_the_specifications_shape_in_xml_and_json(client, api_key, tickets):
    token = post(client, api_key).get_json()[0]["token"]
    ours = {
        "discovery": "/open311/v2/discovery",
        "services": "/open311/v2/services",
        "service_definition": "/open311/v2/services/livelihood",
        "requests": f"/open311/v2/requests/{tickets['road'].number}",
        "tokens": f"/open311/v2/tokens/{token}",
        "errors": "/open311/v2/services/misconduct",
    }
    for name, path in ours.items():
        xml, as_json = client.get(path + ".xml"), client.get(path + ".json")
        assert xml.mimetype == "text/xml" and as_json.mimetype == "application/json", name
        assert xml.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        assert shape(xml.data) == shape(SPEC_XML[name]), name
        if name not in ("discovery", "service_definition"):
            assert json_keys(as_json.get_json()) == spec_json_keys(name), name
    posted = client.post("/open311/v2/requests.xml", data={
        "api_key": api_key, "service_code": "livelihood", "description": "井盖丢失", "address_string": "阳东社区"})
    assert posted.status_code == 201 and shape(posted.data) == shape(SPEC_XML["post_token"])
    assert json_keys(post(client, api_key).get_json()) == spec_json_keys("post_token")
    forbidden = post(client, "wrong-key")
    assert forbidden.status_code == 403 and json_keys(forbidden.get_json()) == spec_json_keys("errors")


def test_an_open311_client_reads_services_definitions_and_requests_in_both_formats(server, tickets):  # noqa: F811
    for fmt in ("json", "xml"):
        client = GeoReport(f"{server}/open311/v2", jurisdiction="371323", output_format=fmt)
        services = client.get_service_list()
        codes = {s["service_code"] for s in services}
        assert "livelihood" in codes and "misconduct" not in codes and len(codes) == 10
        assert client.get_service_definition("livelihood")["service_code"] == "livelihood"
        listed = client.get_service_requests(status="open")
        listed = listed if isinstance(listed, list) else [listed]
        numbers = {r["service_request_id"] for r in listed}
        assert numbers == {tickets["road"].number, tickets["water"].number}
        one = client.get_service_request(tickets["water"].number)
        assert one["status"] == "open" and one["agency_responsible"] == "沂水县水利局"
        assert "13812345678" not in json.dumps(one, ensure_ascii=False) and "138****5678" in one["description"]
        road = client.get_service_request(tickets["road"].number)
        assert "路面<坑洼>&积水" in road["description"]  # escaped in XML, read back whole


def test_a_posted_request_is_reviewed_before_dispatch_and_its_token_then_names_the_ticket(
        api, client, api_key, run_jobs):
    posted = post(client, api_key, first_name="三", last_name="张", phone="13812341234", address_id="371323001001")
    assert posted.status_code == 201, posted.get_json()
    (answer,) = posted.get_json()
    assert set(answer) == {"token", "service_notice", "account_id"} and "service_request_id" not in answer
    report = PublicReport.objects.get(receipt_code=answer["token"])
    assert report.source == "open311" and report.category == "livelihood" and report.village_code == "371323001001"
    assert report.reporter_name == "张 三" and report.location.lat == 35.79
    assert Ticket.objects(public_report_id=report.id).count() == 0  # nothing dispatched unreviewed
    assert client.get(f"/open311/v2/tokens/{answer['token']}.json").get_json() == [
        {"service_request_id": None, "token": answer["token"]}]
    decided = review_report(api, report.id, **complete_finding())   # in the 底稿 review, like any report
    assert decided.status_code == 200, decided.get_json()
    ticket = Ticket.objects.get(public_report_id=report.id)
    (mapped,) = client.get(f"/open311/v2/tokens/{answer['token']}.json").get_json()
    assert mapped["service_request_id"] == ticket.number
    run_jobs()
    (request,) = client.get(f"/open311/v2/requests/{ticket.number}.json").get_json()
    assert request["status"] == "open" and request["agency_responsible"] == "沂水县水利局"
    assert request["status_notes"] == "已交办沂水县水利局。"
    assert "张" not in json.dumps(request, ensure_ascii=False) and "1381234" not in json.dumps(request)
    fix_and_close(api, str(ticket.id))
    (request,) = client.get(f"/open311/v2/requests/{ticket.number}.json").get_json()
    assert request["status"] == "closed" and request["status_notes"] and request["expected_datetime"] is None
    closed = client.get("/open311/v2/requests.json", query_string={"status": "closed"}).get_json()
    assert [r["service_request_id"] for r in closed] == [ticket.number]


def test_misconduct_never_appears_neither_as_a_service_nor_as_a_request(client, api_key, tickets):
    clue = tickets["clue"].number
    assert client.get("/open311/v2/services/misconduct.json").status_code == 404
    assert client.get(f"/open311/v2/requests/{clue}.json").status_code == 404
    everything = client.get("/open311/v2/requests.xml").get_data(as_text=True)
    assert clue not in everything and "优亲厚友" not in everything
    by_id = client.get("/open311/v2/requests.json", query_string={
        "service_request_id": f"{clue},{tickets['road'].number}"}).get_json()
    assert [r["service_request_id"] for r in by_id] == [tickets["road"].number]
    assert client.get("/open311/v2/requests.json", query_string={"service_code": "misconduct"}).get_json() == []
    refused = post(client, api_key, service_code="misconduct")
    assert refused.status_code == 404 and PublicReport.objects.count() == 0


def test_api_keys_are_issued_by_the_admin_stored_hashed_per_county_and_revocable(api, client, api_key):
    stored = Open311Key.objects.get()
    assert api_key not in json.dumps(stored.to_mongo().to_dict(), default=str) and stored.county_code == "371323"
    assert api.post("/api/v1/open311/keys", as_="office", json={"name": "x"}).status_code == 403
    assert api_key not in api.get("/api/v1/open311/keys", as_="admin").get_data(as_text=True)
    missing = client.post("/open311/v2/requests.json", data={"service_code": "livelihood", "description": "x"})
    assert missing.status_code == 400 and missing.get_json()[0]["code"] == 400
    assert post(client, api_key, jurisdiction_id="110101").status_code == 404
    Open311Key(county_code="110101", name="elsewhere", key_hash="0" * 64, prefix="o311_x").save()
    from backend.services.open311 import _hash
    Open311Key.objects(name="elsewhere").update_one(set__key_hash=_hash("other-county-key"))
    assert post(client, "other-county-key").status_code == 403  # another county's key
    assert post(client, api_key).status_code == 201
    assert api.delete(f"/api/v1/open311/keys/{stored.id}", as_="admin").get_json()["active"] is False
    assert post(client, api_key).status_code == 403


def test_windows_and_bad_queries(client, tickets):
    window = {"start_date": "2020-01-01T00:00:00Z", "end_date": "2020-12-31T00:00:00Z"}
    too_long = client.get("/open311/v2/requests.json", query_string=window)
    assert too_long.status_code == 400 and "90" in too_long.get_json()[0]["description"]
    assert client.get("/open311/v2/requests.json", query_string={"start_date": "2020-01-01"}).status_code == 400
    assert client.get("/open311/v2/requests.json", query_string={"status": "maybe"}).status_code == 400
    old = {"start_date": "2020-01-01T00:00:00+08:00", "end_date": "2020-02-01T00:00:00+08:00"}
    assert client.get("/open311/v2/requests.json", query_string=old).get_json() == []
    assert client.get("/open311/v2/requests.json", query_string={"jurisdiction_id": "999999"}).status_code == 404
    assert client.get("/open311/v2/requests.csv").status_code == 404
