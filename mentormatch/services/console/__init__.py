"""The coordinator area's use cases, split by feature; each works on one program it is given.

``stats`` (dashboard figures), ``queues`` (review queues and their
actions), ``people`` (members: search, history, deactivation, flags),
``roster`` (CSV import into programs), ``exports`` (streamed CSV) and
``audit`` (the append-only log every coordinator action writes to, each
entry naming its program).
"""
