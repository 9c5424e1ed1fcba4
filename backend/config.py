"""Configuration from environment variables, with safe defaults for the embedded mode.

Embedded mode (no MONGODB_URI): MongoDB is mongomock in this process, background jobs run
in this process too, and Redis is REDIS_URL if set, else an in-process fake. Production
mode (MONGODB_URI set): REDIS_URL and SECRET_KEY (or SECRET_KEY_FILE) are required.
"""
import os


class ConfigError(RuntimeError):
    pass


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    try:
        return int(raw) if raw not in (None, "") else default
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def from_env(overrides: dict | None = None) -> dict:
    env = os.environ
    mongodb_uri = env.get("MONGODB_URI") or None
    embedded = mongodb_uri is None
    config = {
        "EMBEDDED": embedded,
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DB": env.get("MONGODB_DB", "xuncha"),
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Signs the bearer tokens. Embedded mode without one: made at first start and kept in
        # the database (backend/services/settings.py), so it lasts exactly as long as the data.
        "SECRET_KEY": env.get("SECRET_KEY") or _read_file(env.get("SECRET_KEY_FILE")) or None,
        # Jobs run inside the API process where MongoDB is in-process (mongomock).
        "JOBS_IN_PROCESS": env.get("JOBS_IN_PROCESS", "1" if embedded else "0") == "1",
        "TOKEN_TTL_SECONDS": _int("TOKEN_TTL_SECONDS", 12 * 3600),
        "MAX_RETURNS": _int("MAX_RETURNS", 2),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 10),
        "LOGIN_LOCK_SECONDS": _int("LOGIN_LOCK_SECONDS", 900),
        "LOGIN_BACKOFF_SECONDS": _int("LOGIN_BACKOFF_SECONDS", 60),
        "LOGIN_RATE_PER_ADDRESS": env.get("LOGIN_RATE_PER_ADDRESS", "20/minute;100/hour;300/day"),
        "STATS_MIN_TICKETS": _int("STATS_MIN_TICKETS", 5),
        "MAX_CONTENT_LENGTH": _int("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "EVIDENCE_MAX_MB": _int("EVIDENCE_MAX_MB", 20),  # a rectification problem's evidence document
        # Tickets still pending_routing this long after creation are enqueued again.
        "ROUTING_SWEEP_GRACE_SECONDS": _int("ROUTING_SWEEP_GRACE_SECONDS", 30),
        "ROUTING_SWEEP_INTERVAL_SECONDS": _int("ROUTING_SWEEP_INTERVAL_SECONDS", 30),
        # Photos: storage (gridfs or local), the decompression-bomb guard, place checks.
        "PHOTO_STORAGE": env.get("PHOTO_STORAGE", "gridfs"),
        "PHOTO_STORAGE_DIR": env.get("PHOTO_STORAGE_DIR", "var/photos"),
        "PHOTO_MAX_PIXELS": _int("PHOTO_MAX_PIXELS", 60_000_000),
        "FAR_FROM_VILLAGE_M": _int("FAR_FROM_VILLAGE_M", 2000),
        "DUPLICATE_RADIUS_M": _int("DUPLICATE_RADIUS_M", 250),
        # The sync cursor stays this far behind the newest change (see services/changes.py).
        "SYNC_SETTLE_SECONDS": _int("SYNC_SETTLE_SECONDS", 30),
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        # Ticket lifecycle (issue 4): the deadline sweep, 回头看 sampling, notifications.
        "SLA_SWEEP_INTERVAL_SECONDS": _int("SLA_SWEEP_INTERVAL_SECONDS", 300),
        "LOOKBACK_AFTER_DAYS": _int("LOOKBACK_AFTER_DAYS", 30),
        "LOOKBACK_PERCENT": _int("LOOKBACK_PERCENT", 10),
        "LOOKBACK_TASK_DAYS": _int("LOOKBACK_TASK_DAYS", 30),
        "LOOKBACK_INTERVAL_SECONDS": _int("LOOKBACK_INTERVAL_SECONDS", 24 * 3600),
        "NOTIFY_CHANNELS": [c.strip() for c in env.get("NOTIFY_CHANNELS", "log").split(",") if c.strip()],
        "WEBHOOK_URL": env.get("WEBHOOK_URL") or None,
        "WEBHOOK_SECRET": env.get("WEBHOOK_SECRET") or None,
        "SMS_GATEWAY_URL": env.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_TOKEN": env.get("SMS_GATEWAY_TOKEN") or None,
        "SMS_QUIET_HOURS": env.get("SMS_QUIET_HOURS", "21:00-08:00"),
        # Clues, suggestions and the bulletin (issue 12): reply periods, the PDF font.
        "CLUE_FEEDBACK_MONTHS": _int("CLUE_FEEDBACK_MONTHS", 3),
        "SUGGESTION_REPLY_DAYS": _int("SUGGESTION_REPLY_DAYS", 30),
        "PDF_FONT": env.get("PDF_FONT") or None,
        # 码上巡视 (villagers' reports through a QR code) and Open311: see backend/limits.py.
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        "PUBLIC_RATE_PER_ADDRESS": env.get("PUBLIC_RATE_PER_ADDRESS", "20/hour;50/day"),
        "PUBLIC_RATE_PER_QR": env.get("PUBLIC_RATE_PER_QR", "60/hour"),
        "PUBLIC_RATE_READ": env.get("PUBLIC_RATE_READ", "120/minute"),
        "PUBLIC_POW_BITS": _int("PUBLIC_POW_BITS", 16),
        "PUBLIC_CHALLENGE_SECONDS": _int("PUBLIC_CHALLENGE_SECONDS", 600),
        "PUBLIC_MAX_PHOTOS": _int("PUBLIC_MAX_PHOTOS", 3),
        "PUBLIC_MAX_PHOTO_MB": _int("PUBLIC_MAX_PHOTO_MB", 5),
        "PUBLIC_MAX_BODY_MB": _int("PUBLIC_MAX_BODY_MB", 16),
        "OPEN311_RATE_PER_KEY": env.get("OPEN311_RATE_PER_KEY", "600/hour"),
        # 回访: how long after a villager's ticket closes its reporter can rate it.
        "RETURN_VISIT_DAYS": _int("RETURN_VISIT_DAYS", 30),
        # The composite score ranking departments (12345 practice): 响应率 / 解决率 / 满意率.
        "SCORE_WEIGHT_RESPONSE": _int("SCORE_WEIGHT_RESPONSE", 30),
        "SCORE_WEIGHT_RESOLUTION": _int("SCORE_WEIGHT_RESOLUTION", 35),
        "SCORE_WEIGHT_SATISFACTION": _int("SCORE_WEIGHT_SATISFACTION", 35),
        "DEMO_PASSWORD": env.get("DEMO_PASSWORD", "demo12345"),
        "API_TITLE": "Rural inspection backend (对村巡察 · 民生工单)",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",  # backend/docs.py: from the installed package
        "JSON_SORT_KEYS": False,
    }
    config.update(overrides or {})
    if config["PHOTO_STORAGE"] not in ("gridfs", "local"):
        raise ConfigError(f"PHOTO_STORAGE must be gridfs or local, got {config['PHOTO_STORAGE']!r}")
    if not config["EMBEDDED"]:
        missing = [k for k in ("REDIS_URL", "SECRET_KEY") if not config.get(k)]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} must be set when MONGODB_URI is set "
                              "(production mode)")
    unknown = set(config["NOTIFY_CHANNELS"]) - {"log", "webhook", "sms"}
    if unknown:
        raise ConfigError(f"NOTIFY_CHANNELS: unknown channel(s) {', '.join(sorted(unknown))}; "
                          "use log, webhook, sms")
    for channel, needed in (("webhook", ("WEBHOOK_URL", "WEBHOOK_SECRET")), ("sms", ("SMS_GATEWAY_URL",))):
        missing = [k for k in needed if channel in config["NOTIFY_CHANNELS"] and not config.get(k)]
        if missing:
            raise ConfigError(f"{' and '.join(missing)} must be set when NOTIFY_CHANNELS has {channel}")
    return config


def _read_file(path: str | None) -> str | None:
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as secret:
            return secret.read().strip() or None
    except OSError as exc:
        raise ConfigError(f"SECRET_KEY_FILE {path!r} cannot be read: {exc}") from exc
