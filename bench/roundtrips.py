"""Counting database round trips in the embedded mode (for the benchmarks).

mongomock answers in-process, so pymongo's command monitoring never sees its calls; each
call of a public `Collection` method that sends one command to a real server counts as one
round trip (a `find` over more than one batch costs extra getMores on a real server; the
benchmarks' documents stay under one batch). `engine_seconds` adds up the time spent in
those calls and in reading mongomock's cursors (where it filters): the engine's share of a
request, the rest being the product's own Python.
"""
import collections
import contextlib
import functools
import threading
import time

COUNTED = ("find", "find_one", "insert_one", "insert_many", "update_one", "update_many", "replace_one",
           "delete_one", "delete_many", "find_one_and_update", "find_one_and_delete", "aggregate",
           "count_documents", "distinct", "bulk_write")

calls: collections.Counter = collections.Counter()
engine_seconds = [0.0]  # time spent inside the engine's calls (and reading their cursors)
_depth = threading.local()
_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    import mongomock.collection
    collection = mongomock.collection.Collection
    for name in COUNTED:
        original = getattr(collection, name)

        @functools.wraps(original)
        def counted(self, *args, __name=name, __original=original, **kwargs):
            if getattr(_depth, "n", 0):  # mongomock calls its own methods (find_one -> find): one command
                return __original(self, *args, **kwargs)
            calls[(self.name, __name)] += 1
            _depth.n = 1
            started = time.perf_counter()
            try:
                return __original(self, *args, **kwargs)
            finally:
                engine_seconds[0] += time.perf_counter() - started
                _depth.n = 0
        setattr(collection, name, counted)
    # mongomock filters while a cursor is read (or indexed): that time is the engine's too.
    for name in ("__next__", "__getitem__", "distinct", "count"):
        original = getattr(mongomock.collection.Cursor, name, None)
        if original is None:
            continue

        @functools.wraps(original)
        def timed(self, *args, __original=original, **kwargs):
            if getattr(_depth, "n", 0):
                return __original(self, *args, **kwargs)
            _depth.n = 1
            started = time.perf_counter()
            try:
                return __original(self, *args, **kwargs)
            finally:
                engine_seconds[0] += time.perf_counter() - started
                _depth.n = 0
        setattr(mongomock.collection.Cursor, name, timed)
    _installed = True


@contextlib.contextmanager
def counting():
    """Yields a Counter of (collection, method) -> calls made inside the block."""
    install()
    before = collections.Counter(calls)
    found = collections.Counter()
    try:
        yield found
    finally:
        found.update(calls - before)
