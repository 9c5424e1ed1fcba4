"""Where an approved 底稿 entry typed a clue (线索) or a suggestion (意见建议) leaves the
review: the one call site the clue loop and the suggestions of issue 12 connect to.

The decision (its type, the department a suggestion is for, the reviewer's note) is
already recorded on the entry with its event; this module only says where it goes next.
Until issue 12's loops are merged in, `hand_off` marks the entry as waiting for them
(`handed_off` = "clue:pending" / "suggestion:pending"), so the lead can find every such
entry (`ReviewEntry.objects(handed_off__endswith=":pending")`) and pass it on at merge.
"""
import logging

from ..models import ReviewEntry

log = logging.getLogger(__name__)


def hand_off(entry: ReviewEntry) -> str | None:
    """Pass an approved clue or suggestion entry to its loop. Idempotent."""
    kind = entry.decision.problem_type if entry.decision else None
    if kind not in ("clue", "suggestion"):
        return None
    # Issue 12 connects here: clues.register_from_review(entry) / suggestions.from_review(entry).
    marker = f"{kind}:pending"
    ReviewEntry.objects(id=entry.id, handed_off=None).update_one(set__handed_off=marker)
    log.info("底稿 %s approved as %s: waiting for the %s loop", entry.id, kind, kind)
    return marker
