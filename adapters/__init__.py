"""Source adapters: one module per service.

Each adapter has a ``name`` (the one key per source), builds :class:`~enrich._wire.Request`
values, and parses answers with pure functions.  Adapters never do I/O
themselves: they hand requests to the :class:`~enrich.Client` they were given.

Installed as ``enrich.adapters`` (see the README on why not top-level ``adapters``).
"""
