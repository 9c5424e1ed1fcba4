"""Notifications: the log backend by default, signed webhooks retried through RQ until they
get through (once), SMS through a generic gateway that waits out the quiet hours; villagers'
phone numbers never leave unmasked."""
import hashlib
import hmac
import json
from datetime import datetime

import pytest

from backend.domain.sla import CHINA
from backend.models import Notification
from backend.services import notifications
from lifecycle_helpers import Receiver, at, dispatched, release_scheduled
from workers.jobs import sweep_deadlines
from workers.queues import NOTIFICATIONS, get_queue

VILLAGER = "13812345678"


@pytest.fixture
def receiver():
    r = Receiver(fail_first=2)
    yield r
    r.close()


def test_a_webhook_is_signed_masked_retried_and_delivered_once(api, submit, run_jobs, app, receiver, monkeypatch):
    monkeypatch.setitem(app.config, "NOTIFY_CHANNELS", ["log", "webhook"])
    monkeypatch.setitem(app.config, "WEBHOOK_URL", receiver.url)
    monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "s3cret")
    ticket = dispatched(api, submit, run_jobs, title=f"道路坑洼，村民王某（电话{VILLAGER}）反映")
    sweep_deadlines(at(ticket["claim_due_at"], minutes=1))
    run_jobs()                      # first attempt: 500
    assert len(receiver.requests) == 1 and not receiver.acknowledged
    queue = get_queue(NOTIFICATIONS)
    assert queue.scheduled_job_registry.count == 1  # waiting for its back-off
    release_scheduled()
    run_jobs()                      # second attempt: 500 again
    release_scheduled()
    run_jobs()                      # third: delivered
    assert len(receiver.requests) == 3 and len(receiver.acknowledged) == 1
    release_scheduled()
    run_jobs()
    sweep_deadlines(at(ticket["claim_due_at"], minutes=2))
    run_jobs()
    assert len(receiver.requests) == 3  # nothing more, however often things run

    delivered = receiver.acknowledged[0]
    signature = delivered["headers"]["X-Xuncha-Signature"]
    assert signature == "sha256=" + hmac.new(b"s3cret", delivered["body"], hashlib.sha256).hexdigest()
    assert {r["headers"]["X-Xuncha-Notification-Id"] for r in receiver.requests} == {delivered["json"]["id"]}
    assert VILLAGER not in delivered["body"].decode()
    assert "138****5678" in delivered["json"]["tickets"][0]["title"]
    assert delivered["json"]["kind"] == "claim_reminder" and delivered["json"]["department_code"] == "transport"
    [stored] = Notification.objects
    assert stored.deliveries["webhook"]["status"] == "sent" and stored.deliveries["webhook"]["attempts"] == 3
    assert stored.deliveries["log"]["status"] == "sent" and stored.deliveries["log"]["attempts"] == 1


def test_sms_waits_out_the_quiet_hours(api, submit, run_jobs, app, monkeypatch):
    gateway = Receiver()
    try:
        monkeypatch.setitem(app.config, "NOTIFY_CHANNELS", ["sms"])
        monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", gateway.url)
        monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "tok")
        head = api.get("/api/v1/me", as_="dept-transport").get_json()["id"]
        r = api.patch(f"/api/v1/users/{head}", as_="admin", json={"phone": "13900001111", "is_department_head": True})
        assert r.status_code == 200 and r.get_json()["phone"] == "13900001111"
        assert api.patch(f"/api/v1/users/{head}", as_="admin", json={"phone": "12345"}).status_code == 422
        ticket = dispatched(api, submit, run_jobs, title=f"道路坑洼（联系人{VILLAGER}）")
        with app.app_context():
            notification = notifications.publish(
                key="test-remind", kind="remind", county_code="371323", department_code="transport",
                audience="department_head", tickets=[{"_id": __import__("bson").ObjectId(ticket["id"]),
                                                      "number": ticket["number"], "title": ticket["title"]}])
            night = datetime(2026, 11, 20, 22, 30, tzinfo=CHINA)
            assert notifications.deliver(str(notification.id), "sms", now=night) == "delayed"
            registry = get_queue(NOTIFICATIONS).scheduled_job_registry
            waiting = [j for j in registry.get_job_ids() if j.endswith("-sms-" + str(int(
                datetime(2026, 11, 21, 8, 0, tzinfo=CHINA).timestamp())))]
            assert waiting, registry.get_job_ids()
            assert gateway.requests == []
            morning = datetime(2026, 11, 21, 8, 5, tzinfo=CHINA)
            assert notifications.deliver(str(notification.id), "sms", now=morning) == "sent"
            assert notifications.deliver(str(notification.id), "sms", now=morning) == "sent"
        [sms] = gateway.requests
        assert sms["json"]["to"] == ["13900001111"] and sms["headers"]["Authorization"] == "Bearer tok"
        assert VILLAGER not in sms["body"].decode() and ticket["number"] in sms["json"]["text"]
        assert "工单" in sms["json"]["text"]
    finally:
        gateway.close()


def test_an_sms_names_clues_suggestions_and_problems_as_what_they_are(app):
    from backend.models import Notification
    for kind, noun in (("remind", "工单"), ("clue_overdue", "线索"), ("suggestion_escalate1", "意见建议"),
                       ("problem_escalate2", "整改问题")):
        notification = Notification(kind=kind, payload={"label": "催办", "ticket_count": 1,
                                                        "tickets": [{"number": "371323-2026-000001"}]})
        text = notifications.sms_text(notification)
        assert f"{noun}371323-2026-000001" in text, text
        assert noun == "工单" or "工单" not in text


def test_mask_phones_reaches_every_string():
    masked = notifications.mask_phones({"a": [f"电话{VILLAGER}。", {"b": "tel:+86 13912345678"}], "n": 13812345678,
                                        "id": "2026000013812345678"})
    assert masked == {"a": ["电话138****5678。", {"b": "tel:+86 139****5678"}], "n": 13812345678,
                      "id": "2026000013812345678"}


def test_notification_settings_are_checked_at_start():
    from backend.config import ConfigError, from_env
    with pytest.raises(ConfigError, match="WEBHOOK_URL and WEBHOOK_SECRET"):
        from_env({"NOTIFY_CHANNELS": ["webhook"]}, environ={})
    with pytest.raises(ConfigError, match="unknown channel"):
        from_env({"NOTIFY_CHANNELS": ["pigeon"]}, environ={})
    json.dumps(from_env({}, environ={})["NOTIFY_CHANNELS"])
