"""Counter documents as flat dotted paths and back: the one shape in which the three
counter stores (the tickets' day and month documents, the clue/suggestion/accountability
tallies, the round counters) compare live figures with recomputed ones and rebuild them.
Plain Python."""
from collections.abc import Callable


def flatten(tree: dict, prefix: str = "", *, leaf: Callable[[str, object], bool] | None = None,
            out: dict | None = None) -> dict:
    """{"a.b.c": value} for every value below `tree` that is not a dict, or that `leaf(path,
    value)` calls a leaf (a counter kept as a small document); zero counts left out."""
    out = {} if out is None else out
    for key, value in (tree or {}).items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and not (leaf and leaf(path, value)):
            flatten(value, path, leaf=leaf, out=out)
        elif value != 0:
            out[path] = value
    return out


def open_item(path: str, value) -> bool:
    """The leaf rule of the counter documents: under `o`, an open item's small document
    ({"due": …, …}) is one value."""
    return path.startswith("o.") and "due" in value


def unflatten(flat: dict) -> dict:
    """The nested document of {"a.b.c": value} paths."""
    tree: dict = {}
    for path, value in flat.items():
        *parents, last = path.split(".")
        node = tree
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return tree
