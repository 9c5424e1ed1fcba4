from datetime import UTC, datetime


def to_millis(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds: truncate so that what we return equals what we stored."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def utcnow() -> datetime:
    return to_millis(datetime.now(UTC))
