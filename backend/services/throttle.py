"""Login throttling: per account here (Redis), per address in the login view (Flask-Limiter).

Per account, every attempt takes its number with one atomic script *before* the password
is checked, so however many attempts arrive at once, at most LOGIN_MAX_FAILURES of them
are checked; the one that reaches the limit locks the account for LOGIN_BACKOFF_SECONDS,
and each further failure after a lock doubles it, up to LOGIN_LOCK_SECONDS (back-off: a
burst locks an account briefly, a sustained attack for longer). A right password resets
the count; so do the admin's unlock and a new password.
"""
import math

from flask import current_app
from redis.exceptions import RedisError

FAILURE_WINDOW_SECONDS = 3600  # failures older than this (with none since) are forgotten

# KEYS: failures, lock. ARGV: limit, window s, first lock ms, longest lock ms.
# Returns 0 (go on: check the password) or the lock's remaining milliseconds.
_ATTEMPT = """
local left = redis.call('PTTL', KEYS[2])
if left > 0 then return left end
local n = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
local limit = tonumber(ARGV[1])
if n >= limit then
  local lock = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (n - limit))
  redis.call('SET', KEYS[2], n, 'PX', math.floor(lock))
end
return 0
"""


def _keys(username_key: str) -> list[str]:
    return [f"login-failures:{username_key}", f"login-lock:{username_key}"]


def attempt(username_key: str) -> int:
    """Count a login attempt before its password is checked. Returns 0 to go on, or the
    seconds until the account may try again. If Redis is down, logins are not limited
    rather than refused."""
    config, redis = current_app.config, current_app.extensions["redis"]
    try:
        left_ms = redis.eval(_ATTEMPT, 2, *_keys(username_key), config["LOGIN_MAX_FAILURES"],
                             FAILURE_WINDOW_SECONDS, config["LOGIN_BACKOFF_SECONDS"] * 1000,
                             config["LOGIN_LOCK_SECONDS"] * 1000)
    except RedisError:
        return 0
    return math.ceil(int(left_ms) / 1000)


def reset(username_key: str) -> None:
    """A right password, the admin's unlock or a new password: the count starts again."""
    try:
        current_app.extensions["redis"].delete(*_keys(username_key))
    except RedisError:
        pass


def address_limit() -> str:
    """Failed logins allowed from one address (Flask-Limiter's notation): several windows,
    so a sprayer waits longer the longer it goes on."""
    return current_app.config["LOGIN_RATE_PER_ADDRESS"]
