"""Nobody logs in without the password: no constant key, sessions the server keeps, a lock
that counts before it checks, throttling by address and by account, and no telling known
usernames from unknown ones."""
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer

from conftest import PASSWORD, REDIS_URL

TOKEN = "/api/v1/auth/token"
ROOT = Path(__file__).resolve().parents[1]


def login(client, username, password, address="10.0.0.1"):
    return client.post(TOKEN, json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# ---------------------------------------------------------------- the key and the sessions

def test_the_embedded_mode_makes_its_own_key_and_keeps_it_with_the_data():
    """Two fresh embedded processes (two databases) sign with two different random keys;
    each key is the one stored in its database."""
    script = ("from backend import create_app\nfrom backend.models import Setting\n"
              "app = create_app()\nwith app.app_context():\n"
              "    stored = Setting.objects.get(id='secret_key').value\n"
              "    from backend.services.settings import embedded_secret_key\n"
              "    assert embedded_secret_key() == stored == app.config['SECRET_KEY']\n"
              "print(stored)\n")
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "SECRET_KEY_FILE", "MONGODB_URI")}
    keys = [subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=120) for _ in range(2)]
    assert all(k.returncode == 0 for k in keys), keys[0].stderr[-2000:]
    first, second = (k.stdout.strip() for k in keys)
    assert first != second and len(first) >= 48


def test_production_refuses_to_start_without_a_key_and_reads_one_from_a_file(tmp_path, monkeypatch):
    from backend.config import ConfigError, from_env
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("MONGODB_URI", "mongodb://db.example:27017")
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_env()
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file-0123456789-abcdefghijklmnop\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(key_file))
    assert from_env()["SECRET_KEY"] == "from-a-file-0123456789-abcdefghijklmnop"


def test_a_token_built_from_the_key_and_a_user_id_is_refused(app, api):
    """What an attacker who learnt the key could build: the old payload, or a session id
    the server never made."""
    from backend.models import User
    with app.app_context():
        admin = User.objects.get(username="admin")
    signer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="api-session")
    for payload in ({"uid": str(admin.id), "v": admin.token_version}, {"sid": "guessed-session-id"},
                    ["not", "a", "dict"]):
        r = api.client.get("/api/v1/me", headers=bearer(signer.dumps(payload)))
        assert r.status_code == 401, payload
    assert api.get("/api/v1/me", as_="admin").status_code == 200


def test_logout_ends_that_session_only(client):
    first = login(client, "office", PASSWORD).get_json()["access_token"]
    second = login(client, "office", PASSWORD).get_json()["access_token"]
    assert client.post("/api/v1/auth/logout", headers=bearer(first)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_a_new_password_ends_every_session_of_the_user(client, api):
    token = login(client, "inspector2", PASSWORD).get_json()["access_token"]
    user_id = client.get("/api/v1/me", headers=bearer(token)).get_json()["id"]
    assert api.patch(f"/api/v1/users/{user_id}", as_="admin", json={"password": "another-pass-1"}).status_code == 200
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


# ---------------------------------------------------------------- the lock

@pytest.fixture
def no_address_limit(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_PER_ADDRESS", "100000/minute")


def test_60_simultaneous_wrong_passwords_check_only_the_limit(app, no_address_limit):
    limit = app.config["LOGIN_MAX_FAILURES"]
    start, statuses = threading.Barrier(60), []

    def guess(i):
        client = app.test_client()
        start.wait(10)
        statuses.append(login(client, "office", f"guess-{i}").status_code)
    threads = [threading.Thread(target=guess, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(statuses) == [401] * limit + [429] * (60 - limit)


def test_the_lock_says_when_to_retry_backs_off_and_the_admin_lifts_it(app, client, api, no_address_limit):
    limit, first_lock = app.config["LOGIN_MAX_FAILURES"], app.config["LOGIN_BACKOFF_SECONDS"]
    for i in range(limit):
        assert login(client, "admin", f"wrong-{i}").status_code == 401
    locked = login(client, "admin", PASSWORD)  # even the right password waits
    assert locked.status_code == 429 and locked.get_json()["code"] == "too_many_requests"
    assert 0 < int(locked.headers["Retry-After"]) <= first_lock

    redis = app.extensions["redis"]
    redis.delete("login-lock:admin")  # the lock ran out; the next failure locks twice as long
    assert login(client, "admin", "wrong-again").status_code == 401
    again = login(client, "admin", PASSWORD)
    assert again.status_code == 429 and first_lock < int(again.headers["Retry-After"]) <= 2 * first_lock

    with app.app_context():
        from backend.models import User
        admin_id = str(User.objects.get(username="admin").id)
        from backend.services import accounts
        accounts.upsert_user("admin2", PASSWORD, "admin", "371323")  # the county's second admin
    assert api.post(f"/api/v1/users/{admin_id}/unlock", as_="office").status_code == 403
    assert api.post(f"/api/v1/users/{admin_id}/unlock", as_="admin2").status_code == 200
    assert login(client, "admin", PASSWORD).status_code == 200


def test_a_new_password_from_the_admin_unlocks_the_account(app, client, api, no_address_limit):
    for i in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "inspector2", f"wrong-{i}")
    assert login(client, "inspector2", PASSWORD).status_code == 429
    with app.app_context():
        from backend.models import User
        user_id = str(User.objects.get(username="inspector2").id)
    assert api.patch(f"/api/v1/users/{user_id}", as_="admin", json={"password": "a-new-pass-1"}).status_code == 200
    assert login(client, "inspector2", "a-new-pass-1").status_code == 200


def test_one_address_spraying_usernames_is_throttled_with_retry_after(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_RATE_PER_ADDRESS", "5/minute;20/hour")
    for i in range(5):
        assert login(client, f"nobody-{i}", "guess", address="10.9.9.9").status_code == 401
    refused = login(client, "nobody-6", "guess", address="10.9.9.9")
    body = refused.get_json()
    assert refused.status_code == 429 and body["code"] == "too_many_requests", body
    assert int(refused.headers["Retry-After"]) > 0
    assert login(client, "office", PASSWORD, address="10.9.9.9").status_code == 429
    assert login(client, "office", PASSWORD, address="10.1.1.1").status_code == 200
    # right passwords are not counted against an address
    for _ in range(6):
        assert login(client, "office", PASSWORD, address="10.2.2.2").status_code == 200


def test_an_unknown_username_costs_a_password_check_too(app, client, monkeypatch, no_address_limit):
    from backend.services import accounts
    checks = []
    real = accounts.check_password_hash

    def counted(stored, password):
        checks.append(stored)
        return real(stored, password)
    monkeypatch.setattr(accounts, "check_password_hash", counted)
    assert login(client, "no-such-user", "whatever").status_code == 401
    assert len(checks) == 1 and checks[0].startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0])


def test_a_right_password_starts_the_count_again(app, client, no_address_limit):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for round_ in range(2):
        for i in range(limit - 1):
            assert login(client, "office", f"typo-{round_}-{i}").status_code == 401
        assert login(client, "office", PASSWORD).status_code == 200
