"""Bulletin (通报) jobs. They take the bulletin's id, reload it, and are safe to run twice."""
from . import runtime


def build_bulletin(bulletin_id: str) -> str | None:
    """Build one monthly bulletin's PDF; returns its status."""
    from backend.services import bulletins

    with runtime.app().app_context():
        bulletin = bulletins.build(bulletin_id)
        return bulletin.status if bulletin else None
