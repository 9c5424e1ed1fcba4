"""Use cases: load documents, apply the domain rules, save atomically, enqueue jobs."""
