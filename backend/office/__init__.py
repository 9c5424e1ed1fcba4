"""The county office's dashboard page (`/office/`): a small static page over the stats API.

No build step: one HTML file, one script, one stylesheet. It logs in with the API's tokens
(kept in the tab's sessionStorage) and reads `/api/v1/stats/...`.
"""
from pathlib import Path

from ..pages import static_page

bp = static_page("office", "/office", Path(__file__).parent / "static")


def register(app) -> None:
    app.register_blueprint(bp)
