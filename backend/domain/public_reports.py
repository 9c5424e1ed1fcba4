"""码上巡视: villagers' reports through a village's QR code, and the 回访 of their tickets.

Plain Python: the report's state machine, receipt codes, the proof-of-work challenge's
check, the satisfaction ratings and phone masking. No Flask, no MongoDB.

A report is decided only by the 底稿 review of its entry (services/review.py):
received ─accept─▶ accepted      (approved as a problem (立行立改: a ticket) or a suggestion,
                                  or merged into another entry)
         ─accept_as_clue─▶ clue (approved as a clue: the confidential clue loop, never a ticket)
         ─not_accept─▶ not_accepted (rejected, with the reason the reporter reads on the receipt)
"""
import hashlib
import re
import secrets
from enum import Enum

from .lifecycle import Machine, create, move


class ReportState(str, Enum):
    RECEIVED = "received"
    ACCEPTED = "accepted"          # approved in review: a problem (立行立改: its ticket) or a suggestion
    CLUE = "clue"                  # became a clue (问题线索): confidential
    NOT_ACCEPTED = "not_accepted"  # 不予受理, with a reason shown on the receipt


class ReportAction(str, Enum):
    SUBMIT = "submit"
    ACCEPT = "accept"
    ACCEPT_AS_CLUE = "accept_as_clue"
    NOT_ACCEPT = "not_accept"


R = ReportState
STATE_LABELS = {R.RECEIVED: "待审核", R.ACCEPTED: "已受理", R.CLUE: "已转为线索", R.NOT_ACCEPTED: "不予受理"}
MACHINE = Machine("report", label="群众反映", states=STATE_LABELS, transitions={
    ReportAction.SUBMIT.value: create(R.RECEIVED.value),
    ReportAction.ACCEPT.value: move({R.RECEIVED.value: R.ACCEPTED.value}),
    ReportAction.ACCEPT_AS_CLUE.value: move({R.RECEIVED.value: R.CLUE.value}),
    ReportAction.NOT_ACCEPT.value: move({R.RECEIVED.value: R.NOT_ACCEPTED.value}),
})


# ---------------------------------------------------------------- receipt codes

# No 0/O, 1/I/L: read aloud over the phone and typed on a keypad without confusion.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 12  # 31^12 ≈ 2^59: not guessable, even at the rate limit


def new_receipt_code() -> str:
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt_code(code: str) -> str | None:
    """The stored form (XXXX-XXXX-XXXX) of what a person typed, or None if it cannot be one."""
    raw = re.sub(r"[\s\-]", "", code or "").upper()
    if len(raw) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in raw):
        return None
    return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


# ---------------------------------------------------------------- proof of work

def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work_is_done(challenge: str, solution: str, bits: int) -> bool:
    """The reporter's browser found `solution` such that SHA-256("<challenge>:<solution>")
    starts with `bits` zero bits: about 2^bits hashes for it, one for us."""
    if not solution or len(solution) > 32:
        return False
    digest = hashlib.sha256(f"{challenge}:{solution}".encode()).digest()
    return leading_zero_bits(digest) >= bits


def solve(challenge: str, bits: int) -> str:
    """What the page's script does (used by tests and scripts)."""
    n = 0
    while not work_is_done(challenge, str(n), bits):
        n += 1
    return str(n)


# ---------------------------------------------------------------- 回访 (return-visit) and satisfaction

class Rating(str, Enum):
    SATISFIED = "satisfied"                      # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"                # 不满意


SATISFIED_RATINGS = frozenset({Rating.SATISFIED.value, Rating.BASICALLY_SATISFIED.value})
RATING_LABELS = {Rating.SATISFIED: "满意", Rating.BASICALLY_SATISFIED: "基本满意",
                 Rating.DISSATISFIED: "不满意"}


class ReturnVisitStatus(str, Enum):
    """Where a closed villager ticket's 回访 stands (for the closing it rates)."""
    DUE = "due"                   # closed, not rated yet
    RATED = "rated"               # 满意 / 基本满意
    AWAITING_OFFICE = "awaiting_office"  # 不满意: the office confirms (reopen) or keeps it closed
    REOPENED = "reopened"         # the office confirmed 不满意: back to the same department
    KEPT_CLOSED = "kept_closed"   # the office kept it closed, with a reason


# ---------------------------------------------------------------- personal data

_MOBILE = re.compile(r"^(\d{3})\d{4}(\d{4})$")


def mask_phone(phone: str | None) -> str | None:
    """138****1234 (anything that is not a mainland mobile number: all but the last 2 digits)."""
    if not phone:
        return phone
    match = _MOBILE.match(phone)
    if match:
        return f"{match.group(1)}****{match.group(2)}"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]
