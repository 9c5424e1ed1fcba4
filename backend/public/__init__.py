"""码上巡视: the villagers' report page (`/report/`), opened from a village's QR code.

No build step and no external asset: one HTML file, one script, one stylesheet (a few KB,
for a slow connection), Simplified Chinese, made for a 390 px phone screen. It talks to
`/public/v1` (backend/api/public.py) and renders everything it shows with textContent.
"""
from pathlib import Path

from flask import Blueprint, redirect, send_from_directory

STATIC = Path(__file__).parent / "static"
bp = Blueprint("report_page", __name__, url_prefix="/report")


@bp.get("")
def without_slash():
    return redirect("/report/", code=308)


@bp.get("/")
def index():
    return send_from_directory(STATIC, "index.html", max_age=0)


@bp.get("/<path:name>")
def asset(name):
    return send_from_directory(STATIC, name, max_age=3600)


def register(app) -> None:
    app.register_blueprint(bp)
