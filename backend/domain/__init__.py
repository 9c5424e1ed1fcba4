"""Plain-Python rules of the inspection loop: no Flask, no MongoDB imports."""


def N_(message: str) -> str:
    """Marks an English message for the catalogue (`make messages`) without translating it:
    domain code has no Flask. The service that shows it translates it with `_(message)`."""
    return message
