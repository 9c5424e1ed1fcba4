"""Settings are checked at start: every problem at once, each saying what to set; secrets
come from the environment or from `<NAME>_FILE` files."""
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
