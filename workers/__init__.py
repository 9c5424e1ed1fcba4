"""Background work on RQ: queue names, job functions and the in-process runner."""
