"""Notifications: one interface, backends chosen by NOTIFY_CHANNELS (log, webhook, sms).

`publish` stores the message once in the outbox (`Notification`, unique key) and enqueues
one delivery job per channel; `deliver` (the job) sends it and records it sent. A delivery
that raises is retried by RQ with back-off. Webhooks carry the notification id
(X-Xuncha-Notification-Id) so that a receiver can drop a repeat: a delivery whose worker
died after the receiver answered is sent again. SMS in quiet hours waits until they end.
Villagers' mobile numbers in any text are masked (138****1234) before anything leaves.
"""
import hashlib
import hmac
import json
import logging
import urllib.request
from datetime import datetime, time

from flask import current_app
from mongoengine.errors import NotUniqueError
from rq import Retry

from ..domain import privacy
from ..domain.sla import CHINA, in_quiet_hours
from ..models import Department, Notification, User
from ..models.common import utcnow
from ..queue import NOTIFICATIONS, enqueue

log = logging.getLogger(__name__)
DELIVERY_RETRY = (10, 60, 300, 900, 3600)
MAX_LISTED = 200  # tickets named in one message; `ticket_count` says how many in all
KIND_LABELS = {"claim_reminder": "签收提醒", "remind": "催办", "overdue": "超期",
               "escalate1": "督办（部门负责人）", "escalate2": "督办（巡察办）",
               "clue_remind": "线索反馈提醒", "clue_overdue": "线索反馈超期",
               "clue_escalate1": "线索反馈督办", "clue_escalate2": "线索反馈督办（二级）",
               "suggestion_remind": "意见建议反馈提醒", "suggestion_overdue": "意见建议反馈超期",
               "suggestion_escalate1": "意见建议督办（部门负责人）", "suggestion_escalate2": "意见建议督办（巡察办）",
               "problem_remind": "整改问题提醒", "problem_overdue": "整改问题超期",
               "problem_escalate1": "整改问题督办", "problem_escalate2": "整改问题督办（巡察办）"}
# What an SMS calls the items it names, by the kind's prefix (a ticket by default).
ITEM_NOUNS = {"clue": "线索", "suggestion": "意见建议", "problem": "整改问题"}


mask_phones = privacy.mask_all  # phones and ID numbers, in nested payloads too


def publish(*, key: str, kind: str, county_code: str, department_code: str | None, audience: str,
            tickets: list[dict], department_name: str | None = None, extra: dict | None = None) -> Notification:
    """Store the notification once (by `key`) and enqueue its deliveries. Audience `users`
    sends to the users named in `extra["user_ids"]` (a clue's handlers) and nobody else."""
    if department_code and department_name is None:
        department = Department.objects(county_code=county_code, code=department_code).first()
        department_name = department.name if department else None
    payload = mask_phones({
        "kind": kind, "label": KIND_LABELS.get(kind, kind), "county_code": county_code,
        "department_code": department_code, "department_name": department_name,
        "audience": audience, "ticket_count": len(tickets),
        "tickets": [{"id": str(t["_id"]), "number": t.get("number"), "title": t.get("title"),
                     "due_at": t["due_at"].isoformat() if t.get("due_at") else None}
                    for t in tickets[:MAX_LISTED]], **(extra or {})})
    channels = current_app.config["NOTIFY_CHANNELS"]
    notification = Notification(key=key, kind=kind, county_code=county_code, department_code=department_code,
                                audience=audience, ticket_ids=[t["_id"] for t in tickets], payload=payload,
                                deliveries={c: {"status": "pending", "attempts": 0} for c in channels})
    try:
        notification.save(force_insert=True)
    except NotUniqueError:
        notification = Notification.objects.get(key=key)
    for channel, delivery in notification.deliveries.items():
        if delivery.get("status") == "pending":
            enqueue_delivery(notification.id, channel)
    return notification


def enqueue_delivery(notification_id, channel: str, at: datetime | None = None) -> str | None:
    suffix = f"-{int(at.timestamp())}" if at else ""
    return enqueue("workers.jobs.deliver_notification", str(notification_id), channel, queue=NOTIFICATIONS,
                   job_id=f"notify-{notification_id}-{channel}{suffix}", at=at,
                   retry=Retry(max=len(DELIVERY_RETRY), interval=list(DELIVERY_RETRY)))


def quiet_hours() -> tuple[time, time]:
    begin, _, end = current_app.config["SMS_QUIET_HOURS"].partition("-")
    return time.fromisoformat(begin.strip()), time.fromisoformat(end.strip())


def deliver(notification_id: str, channel: str, now: datetime | None = None) -> str:
    """Send one notification on one channel, once. Raises when the channel fails (RQ retries)."""
    notification = Notification.objects(id=notification_id).first()
    if notification is None:
        return "gone"
    if notification.deliveries.get(channel, {}).get("status") == "sent":
        return "sent"
    now = now or utcnow()
    if channel == "sms" and (ends := in_quiet_hours(now, quiet_hours())):
        enqueue_delivery(notification.id, channel, at=ends)
        return "delayed"
    collection = Notification._get_collection()
    collection.update_one({"_id": notification.id}, {"$inc": {f"deliveries.{channel}.attempts": 1}})
    result = SENDERS[channel](notification)
    collection.update_one({"_id": notification.id, f"deliveries.{channel}.status": {"$ne": "sent"}},
                          {"$set": {f"deliveries.{channel}.status": result, f"deliveries.{channel}.at": utcnow()}})
    return result


def body(notification: Notification) -> bytes:
    document = {"id": str(notification.id), "created_at": notification.created_at.isoformat(),
                **mask_phones(notification.payload)}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def signature(secret: str, data: bytes) -> str:
    """X-Xuncha-Signature: HMAC-SHA256 of the raw body with the shared secret, hex."""
    return "sha256=" + hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def _post(url: str, data: bytes, headers: dict) -> None:
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **headers})
    with urllib.request.urlopen(request, timeout=10) as response:  # raises on 4xx/5xx
        response.read()


def _send_log(notification: Notification) -> str:
    log.info("notification %s %s to %s of %s: %d tickets", notification.id, notification.kind,
             notification.audience, notification.department_code or notification.county_code,
             len(notification.ticket_ids))
    return "sent"


def _send_webhook(notification: Notification) -> str:
    config = current_app.config
    data = body(notification)
    _post(config["WEBHOOK_URL"], data, {"X-Xuncha-Signature": signature(config["WEBHOOK_SECRET"], data),
                                        "X-Xuncha-Notification-Id": str(notification.id),
                                        "X-Xuncha-Event": notification.kind})
    return "sent"


def recipients(notification: Notification) -> list[str]:
    users = User.objects(county_code=notification.county_code, active=True, phone__ne=None)
    if notification.audience == "office":
        users = users.filter(role="office")
    elif notification.audience == "users":
        users = users.filter(id__in=notification.payload.get("user_ids") or [])
    else:
        users = users.filter(role="department", department_code=notification.department_code)
        if notification.audience == "department_head":
            users = users.filter(is_department_head=True)
    return sorted({u.phone for u in users.only("phone") if u.phone})


def sms_text(notification: Notification) -> str:
    payload = notification.payload
    count = payload.get("ticket_count", len(payload["tickets"]))
    numbers = "、".join(t["number"] for t in payload["tickets"][:5])
    more = f"等{count}件" if count > 5 else f"共{count}件"
    noun = ITEM_NOUNS.get(notification.kind.split("_", 1)[0], "工单")
    return mask_phones(f"【对村巡察】{payload['label']}：{payload.get('department_name') or ''}{noun}{numbers}{more}，"
                       "请登录系统办理。")


def _send_sms(notification: Notification) -> str:
    to = recipients(notification)
    if not to:
        log.warning("notification %s: nobody with a mobile number to text", notification.id)
        return "no_recipient"
    config = current_app.config
    headers = {"Authorization": f"Bearer {config['SMS_GATEWAY_TOKEN']}"} if config["SMS_GATEWAY_TOKEN"] else {}
    data = json.dumps({"to": to, "text": sms_text(notification), "id": str(notification.id)},
                      ensure_ascii=False).encode()
    _post(config["SMS_GATEWAY_URL"], data, headers)
    return "sent"


SENDERS = {"log": _send_log, "webhook": _send_webhook, "sms": _send_sms}


def local(moment: datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
