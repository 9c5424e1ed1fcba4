"""Settings are checked at start: every problem at once, each saying what to set; secrets
come from the environment or from `<NAME>_FILE` files."""
from pathlib import Path

import pytest

from backend.config import ConfigError, from_env

PRODUCTION = {"MONGODB_URI": "mongodb://db1,db2,db3/?replicaSet=rs0&retryWrites=true&w=majority",
              "REDIS_URL": "redis://127.0.0.1:6379/0", "SECRET_KEY": "k" * 48}


def test_production_without_its_secrets_says_what_to_set():
    with pytest.raises(ConfigError) as caught:
        from_env(environ={"MONGODB_URI": PRODUCTION["MONGODB_URI"]})
    assert caught.value.problems == [
        "REDIS_URL and SECRET_KEY must be set when MONGODB_URI is set (production mode): "
        "set REDIS_URL and SECRET_KEY (or REDIS_URL_FILE and SECRET_KEY_FILE)"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(ConfigError) as caught:
        from_env(environ={**PRODUCTION, "SECRET_KEY": "short", "MAX_UPLOAD_MB": "lots", "REDIS_URL": "localhost:6379",
                          "LOG_FORMAT": "xml", "TOKEN_TTL_SECONDS": "-5"})
    problems = caught.value.problems
    assert len(problems) == 5, problems
    assert "MAX_UPLOAD_MB must be a whole number, got 'lots'" in problems
    assert "TOKEN_TTL_SECONDS must be at least 0, got -5" in problems
    assert any(p.startswith("SECRET_KEY is 5 characters; set at least 32") for p in problems)
    assert any(p.startswith("REDIS_URL must start with redis://") for p in problems)
    assert "LOG_FORMAT must be json or text, got 'xml'" in problems


def test_secrets_are_read_from_files(tmp_path):
    for name in ("SECRET_KEY", "MONGODB_URI", "REDIS_URL"):
        (tmp_path / name).write_text(PRODUCTION[name] + "\n")
    config = from_env(environ={f"{n}_FILE": str(tmp_path / n) for n in ("SECRET_KEY", "MONGODB_URI", "REDIS_URL")})
    assert not config["EMBEDDED"]
    assert (config["SECRET_KEY"], config["MONGODB_URI"], config["REDIS_URL"]) == (
        PRODUCTION["SECRET_KEY"], PRODUCTION["MONGODB_URI"], PRODUCTION["REDIS_URL"])
    assert config["LOG_FORMAT"] == "json" and config["READY_REQUIRES_WORKERS"]


def test_an_unreadable_secret_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"SECRET_KEY_FILE names '.*missing', which cannot be read"):
        from_env(environ={**PRODUCTION, "SECRET_KEY": "", "SECRET_KEY_FILE": str(tmp_path / "missing")})


def test_the_embedded_mode_needs_nothing():
    config = from_env(environ={})
    assert config["EMBEDDED"] and config["JOBS_IN_PROCESS"] and config["LOG_FORMAT"] == "text"


def test_behind_a_trusted_proxy_the_client_address_is_the_one_it_forwarded():
    """Per-address limits (logins, the villagers' door) key on request.remote_addr: behind
    nginx it must be the villager's address, and without a trusted proxy a client cannot
    name one. Each app is built in a fresh process, in the embedded mode."""
    import os
    import subprocess
    import sys
    script = (
        "import sys; from flask import request; from backend import create_app\n"
        "app = create_app({'TRUSTED_PROXY_HOPS': int(sys.argv[1]), 'REDIS_URL': None})\n"
        "app.add_url_rule('/_addr', 'addr', lambda: request.remote_addr)\n"
        "r = app.test_client().get('/_addr', headers={'X-Forwarded-For': '203.0.113.9'},\n"
        "                          environ_base={'REMOTE_ADDR': '127.0.0.1'})\n"
        "print(r.get_data(as_text=True))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_URI", "SECRET_KEY"))}
    root = Path(__file__).resolve().parents[1]

    def address(hops: int) -> str:
        done = subprocess.run([sys.executable, "-c", script, str(hops)], capture_output=True, text=True,
                              env=env, cwd=root, timeout=120)
        return done.stdout.strip().splitlines()[-1]
    assert (address(0), address(1)) == ("127.0.0.1", "203.0.113.9")
