"""Ledger export jobs. They take the export's id, reload it, and are safe to run twice."""
from . import runtime


def build_export(export_id: str) -> str | None:
    """Build one ledger export's file; returns its status."""
    from backend.services import ledger

    with runtime.app().app_context():
        export = ledger.build(export_id)
        return export.status if export else None
