"""Static pages served by the product beside the API (no build step): the office's dashboard
(`/office/`) and the villagers' report page (`/report/`). Each is one folder of HTML, JS and
CSS, served as a blueprint at its prefix."""
from pathlib import Path

from flask import Blueprint, redirect, send_from_directory


def static_page(name: str, url_prefix: str, folder: Path, asset_max_age: int = 0) -> Blueprint:
    """A blueprint serving `folder`'s index.html at `<url_prefix>/` (never cached, so a new
    version is seen at once) and its other files, cached `asset_max_age` seconds."""
    bp = Blueprint(name, __name__, url_prefix=url_prefix)

    @bp.get("")
    def without_slash():
        return redirect(f"{url_prefix}/", code=308)

    @bp.get("/")
    def index():
        return send_from_directory(folder, "index.html", max_age=0)

    @bp.get("/<path:filename>")
    def asset(filename):
        return send_from_directory(folder, filename, max_age=asset_max_age)

    return bp
