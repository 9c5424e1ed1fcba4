"""Configuration from environment variables, with safe defaults for the embedded mode.

Embedded mode (no MONGODB_URI): MongoDB is mongomock in this process, background jobs run
in this process too, and Redis is REDIS_URL if set, else an in-process fake. Production
mode (MONGODB_URI set): REDIS_URL and SECRET_KEY (or SECRET_KEY_FILE) are required.

Secrets (SECRET_KEY, MONGODB_URI, REDIS_URL, WEBHOOK_SECRET, SMS_GATEWAY_TOKEN) come from
the environment or from a file named by `<NAME>_FILE` (Docker and systemd credentials),
never from the code. Every setting is checked at start; all problems are reported at
once, each saying what to set.
"""
import os
from pathlib import Path

SECRET_SETTINGS = ("SECRET_KEY", "MONGODB_URI", "REDIS_URL", "WEBHOOK_SECRET", "SMS_GATEWAY_TOKEN")
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """Settings that cannot work; the message lists each problem and what to set."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else problems
        super().__init__("; ".join(self.problems))


class _Reader:
    """Reads settings from one environment and collects what is wrong with them."""

    def __init__(self, environ):
        self.env = environ
        self.problems: list[str] = []

    def secret(self, name: str) -> str | None:
        path = self.env.get(f"{name}_FILE")
        if path:
            try:
                return Path(path).read_text(encoding="utf-8").strip() or None
            except OSError as exc:
                self.problems.append(f"{name}_FILE names {path!r}, which cannot be read ({exc.strerror}); "
                                     f"point it at a readable file or set {name} instead")
                return None
        return self.env.get(name) or None

    def whole(self, name: str, default: int, minimum: int = 0) -> int:
        raw = self.env.get(name)
        if raw in (None, ""):
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name} must be a whole number, got {raw!r}")
            return default
        if value < minimum:
            self.problems.append(f"{name} must be at least {minimum}, got {value}")
        return value


def from_env(overrides: dict | None = None, environ=None) -> dict:
    read = _Reader(os.environ if environ is None else environ)
    env = read.env
    mongodb_uri = (overrides or {}).get("MONGODB_URI", read.secret("MONGODB_URI"))
    embedded = mongodb_uri is None
    config = {
        "EMBEDDED": embedded,
        "MONGODB_URI": mongodb_uri,
        "MONGODB_DB": env.get("MONGODB_DB", "xuncha"),
        "REDIS_URL": read.secret("REDIS_URL"),
        # Signs the bearer tokens. Embedded mode without one: made at first start and kept in
        # the database (backend/services/settings.py), so it lasts exactly as long as the data.
        "SECRET_KEY": read.secret("SECRET_KEY"),
        # Jobs run inside the API process where MongoDB is in-process (mongomock).
        "JOBS_IN_PROCESS": env.get("JOBS_IN_PROCESS", "1" if embedded else "0") == "1",
        # The request that opens a ticket routes it once answered (routing keeps pace with
        # submissions); the routing job stays queued as the safety net.
        "ROUTE_AFTER_RESPONSE": env.get("ROUTE_AFTER_RESPONSE", "1") == "1",
        # Reverse proxies in front of the API whose X-Forwarded-For/-Proto are trusted (werkzeug's
        # ProxyFix): 1 behind one nginx. 0 (the default) trusts none, since a client could
        # otherwise name any address and slip past the per-address limits.
        "TRUSTED_PROXY_HOPS": read.whole("TRUSTED_PROXY_HOPS", 0),
        "TOKEN_TTL_SECONDS": read.whole("TOKEN_TTL_SECONDS", 12 * 3600),
        "MAX_RETURNS": read.whole("MAX_RETURNS", 2),
        "LOGIN_MAX_FAILURES": read.whole("LOGIN_MAX_FAILURES", 10),
        "LOGIN_LOCK_SECONDS": read.whole("LOGIN_LOCK_SECONDS", 900),
        "LOGIN_BACKOFF_SECONDS": read.whole("LOGIN_BACKOFF_SECONDS", 60),
        "LOGIN_RATE_PER_ADDRESS": env.get("LOGIN_RATE_PER_ADDRESS", "20/minute;100/hour;300/day"),
        "STATS_MIN_TICKETS": read.whole("STATS_MIN_TICKETS", 5),
        "MAX_CONTENT_LENGTH": read.whole("MAX_UPLOAD_MB", 20) * 1024 * 1024,
        "EVIDENCE_MAX_MB": read.whole("EVIDENCE_MAX_MB", 20),  # a document: evidence, a clue's letter, a decision
        # Resumable uploads (mobile/uploads): the largest chunk a phone may send at once.
        "UPLOAD_CHUNK_MAX_KB": read.whole("UPLOAD_CHUNK_MAX_KB", 1024, minimum=16),
        # Tickets still pending_routing this long after creation are enqueued again.
        "ROUTING_SWEEP_GRACE_SECONDS": read.whole("ROUTING_SWEEP_GRACE_SECONDS", 30),
        "ROUTING_SWEEP_INTERVAL_SECONDS": read.whole("ROUTING_SWEEP_INTERVAL_SECONDS", 30),
        # Photos: storage (gridfs or local), the decompression-bomb guard, place checks.
        "PHOTO_STORAGE": env.get("PHOTO_STORAGE", "gridfs"),
        "PHOTO_STORAGE_DIR": env.get("PHOTO_STORAGE_DIR", "var/photos"),
        "PHOTO_MAX_PIXELS": read.whole("PHOTO_MAX_PIXELS", 60_000_000),
        "FAR_FROM_VILLAGE_M": read.whole("FAR_FROM_VILLAGE_M", 2000),
        "DUPLICATE_RADIUS_M": read.whole("DUPLICATE_RADIUS_M", 250),
        # The sync cursor stays this far behind the newest change (see services/changes.py).
        "SYNC_SETTLE_SECONDS": read.whole("SYNC_SETTLE_SECONDS", 30),
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        # Ticket lifecycle (issue 4): the deadline sweep, 回头看 sampling, notifications.
        "SLA_SWEEP_INTERVAL_SECONDS": read.whole("SLA_SWEEP_INTERVAL_SECONDS", 300),
        "LOOKBACK_AFTER_DAYS": read.whole("LOOKBACK_AFTER_DAYS", 30),
        "LOOKBACK_PERCENT": read.whole("LOOKBACK_PERCENT", 10),
        "LOOKBACK_TASK_DAYS": read.whole("LOOKBACK_TASK_DAYS", 30),
        "LOOKBACK_INTERVAL_SECONDS": read.whole("LOOKBACK_INTERVAL_SECONDS", 24 * 3600),
        "NOTIFY_CHANNELS": [c.strip() for c in env.get("NOTIFY_CHANNELS", "log").split(",") if c.strip()],
        "WEBHOOK_URL": env.get("WEBHOOK_URL") or None,
        "WEBHOOK_SECRET": read.secret("WEBHOOK_SECRET"),
        "SMS_GATEWAY_URL": env.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_TOKEN": read.secret("SMS_GATEWAY_TOKEN"),
        "SMS_QUIET_HOURS": env.get("SMS_QUIET_HOURS", "21:00-08:00"),
        # Clues, suggestions and the bulletin (issue 12): reply periods, the PDF font.
        "CLUE_FEEDBACK_MONTHS": read.whole("CLUE_FEEDBACK_MONTHS", 3),
        "SUGGESTION_REPLY_DAYS": read.whole("SUGGESTION_REPLY_DAYS", 30),
        "PDF_FONT": env.get("PDF_FONT") or None,
        # 码上巡视 (villagers' reports through a QR code) and Open311: see backend/limits.py.
        "PUBLIC_BASE_URL": (env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
        "PUBLIC_RATE_PER_ADDRESS": env.get("PUBLIC_RATE_PER_ADDRESS", "20/hour;50/day"),
        "PUBLIC_RATE_PER_QR": env.get("PUBLIC_RATE_PER_QR", "60/hour"),
        "PUBLIC_RATE_READ": env.get("PUBLIC_RATE_READ", "120/minute"),
        "PUBLIC_POW_BITS": read.whole("PUBLIC_POW_BITS", 16),
        "PUBLIC_CHALLENGE_SECONDS": read.whole("PUBLIC_CHALLENGE_SECONDS", 600),
        "PUBLIC_MAX_PHOTOS": read.whole("PUBLIC_MAX_PHOTOS", 3),
        "PUBLIC_MAX_PHOTO_MB": read.whole("PUBLIC_MAX_PHOTO_MB", 5),
        "PUBLIC_MAX_BODY_MB": read.whole("PUBLIC_MAX_BODY_MB", 16),
        "OPEN311_RATE_PER_KEY": env.get("OPEN311_RATE_PER_KEY", "600/hour"),
        # 回访: how long after a villager's ticket closes its reporter can rate it.
        "RETURN_VISIT_DAYS": read.whole("RETURN_VISIT_DAYS", 30),
        # The composite score ranking departments (12345 practice): 响应率 / 解决率 / 满意率.
        "SCORE_WEIGHT_RESPONSE": read.whole("SCORE_WEIGHT_RESPONSE", 30),
        "SCORE_WEIGHT_RESOLUTION": read.whole("SCORE_WEIGHT_RESOLUTION", 35),
        "SCORE_WEIGHT_SATISFACTION": read.whole("SCORE_WEIGHT_SATISFACTION", 35),
        "DEMO_PASSWORD": env.get("DEMO_PASSWORD", "demo12345"),
        "API_TITLE": "Rural inspection backend (对村巡察 · 民生工单)",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "OPENAPI_SWAGGER_UI_URL": "/docs/assets/",  # backend/docs.py: from the installed package
        "JSON_SORT_KEYS": False,
        # Operations: JSON logs (`json`) or plain lines (`text`, the embedded default), the
        # level, and how stale a worker's heartbeat may be before /readyz says so.
        "LOG_FORMAT": env.get("LOG_FORMAT", "text" if embedded else "json"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO").upper(),
        "WORKER_HEARTBEAT_MAX_AGE_SECONDS": read.whole("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 120, minimum=1),
        "READY_REQUIRES_WORKERS": env.get("READY_REQUIRES_WORKERS", "0" if embedded else "1") == "1",
    }
    config.update(overrides or {})
    problems = read.problems + _problems(config)
    if problems:
        raise ConfigError(problems)
    return config


def _problems(config: dict) -> list[str]:
    problems = []
    if config["PHOTO_STORAGE"] not in ("gridfs", "local"):
        problems.append(f"PHOTO_STORAGE must be gridfs or local, got {config['PHOTO_STORAGE']!r}")
    if not config["EMBEDDED"]:
        missing = [k for k in ("REDIS_URL", "SECRET_KEY") if not config.get(k)]
        if missing:
            problems.append(f"{' and '.join(missing)} must be set when MONGODB_URI is set (production "
                            f"mode): set {' and '.join(missing)} (or {'_FILE and '.join(missing)}_FILE)")
        key = config.get("SECRET_KEY")
        if key and len(key) < MIN_SECRET_KEY_LENGTH:
            problems.append(f"SECRET_KEY is {len(key)} characters; set at least {MIN_SECRET_KEY_LENGTH} random "
                            "characters, e.g. from: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'")
        if not str(config["MONGODB_URI"]).startswith(("mongodb://", "mongodb+srv://")):
            problems.append("MONGODB_URI must start with mongodb:// or mongodb+srv://, e.g. "
                            "mongodb://db1,db2,db3/?replicaSet=rs0&retryWrites=true&w=majority")
    if config.get("REDIS_URL") and not str(config["REDIS_URL"]).startswith(("redis://", "rediss://", "unix://")):
        problems.append("REDIS_URL must start with redis://, rediss:// or unix://, e.g. redis://127.0.0.1:6379/0")
    unknown = set(config["NOTIFY_CHANNELS"]) - {"log", "webhook", "sms"}
    if unknown:
        problems.append(f"NOTIFY_CHANNELS: unknown channel(s) {', '.join(sorted(unknown))}; use log, webhook, sms")
    for channel, needed in (("webhook", ("WEBHOOK_URL", "WEBHOOK_SECRET")), ("sms", ("SMS_GATEWAY_URL",))):
        missing = [k for k in needed if channel in config["NOTIFY_CHANNELS"] and not config.get(k)]
        if missing:
            problems.append(f"{' and '.join(missing)} must be set when NOTIFY_CHANNELS has {channel}")
    if config["LOG_FORMAT"] not in ("json", "text"):
        problems.append(f"LOG_FORMAT must be json or text, got {config['LOG_FORMAT']!r}")
    if config["LOG_LEVEL"] not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        problems.append(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {config['LOG_LEVEL']!r}")
    return problems
