"""The coordinator console's use cases, split by feature.

``stats`` (dashboard figures), ``queues`` (review queues and their
actions), ``people`` (search, history, deactivation, roles, flags),
``roster`` (CSV import), ``exports`` (streamed CSV) and ``audit`` (the
append-only log every coordinator action writes to).
"""
