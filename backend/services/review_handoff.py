"""Where an approved 底稿 entry typed a clue (线索) or a suggestion (意见建议) leaves the
review: to the confidential clue loop (services/clues.py) or to a suggestion to the
department the reviewer named (services/suggestions.py).

The decision (its type, the department a suggestion is for, the reviewer's note) is
already recorded on the entry with its event; `handed_off` says where it went
(`clue:<id>`, `suggestion:<id>`). Each target is created once per entry (a clue by its
finding or villager's report, a suggestion by its entry), so running the hand-off again
is harmless.
"""
from ..auth import Actor
from ..models import Finding, ReviewEntry


def hand_off(actor: Actor, entry: ReviewEntry) -> str | None:
    """Pass an approved clue or suggestion entry to its loop. Idempotent."""
    from . import clues, suggestions
    kind = entry.decision.problem_type if entry.decision else None
    if kind == "clue" and entry.source_kind == "finding":
        target = clues.register_from_finding(actor, Finding.objects.get(id=entry.source_id))
    elif kind == "clue" and entry.source_kind == "public_report":
        from . import public_reports
        target = public_reports.register_clue(actor, entry)
    elif kind == "suggestion":
        target = suggestions.from_review(actor, entry, department_code=entry.decision.department_code,
                                         title=entry.title, content=entry.description or entry.title,
                                         note=entry.decision.note)
    else:
        return None
    where = f"{kind}:{target.id}"
    ReviewEntry.objects(id=entry.id, handed_off__ne=where).update_one(set__handed_off=where)
    return where
