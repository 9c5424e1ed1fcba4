"""码上巡视: the villagers' report page (`/report/`), opened from a village's QR code.

No build step and no external asset: one HTML file, one script, one stylesheet (a few KB,
for a slow connection), Simplified Chinese, made for a 390 px phone screen. It talks to
`/public/v1` (backend/api/public.py) and renders everything it shows with textContent.
"""
from pathlib import Path

from ..pages import static_page

bp = static_page("report_page", "/report", Path(__file__).parent / "static", asset_max_age=3600)


def register(app) -> None:
    app.register_blueprint(bp)
