"""The county office's dashboard page (`/office/`): a small static page over the stats API.

No build step: one HTML file, one script, one stylesheet. It logs in with the API's tokens
(kept in the tab's sessionStorage) and reads `/api/v1/stats/...`.
"""
from pathlib import Path

from flask import Blueprint, redirect, send_from_directory

STATIC = Path(__file__).parent / "static"
bp = Blueprint("office", __name__, url_prefix="/office")


@bp.get("")
def without_slash():
    return redirect("/office/", code=308)


@bp.get("/")
def index():
    return send_from_directory(STATIC, "index.html", max_age=0)


@bp.get("/<path:name>")
def asset(name):
    return send_from_directory(STATIC, name, max_age=0)


def register(app) -> None:
    app.register_blueprint(bp)
