"""Work done outside requests, on the Huey task queue: email delivery and scheduled jobs.

Tasks are thin: each opens the app's context and calls one service. The
queue itself (``tasks.queue``) is bound in the factory; ``flask worker``
runs the consumer and its scheduler (``tasks.worker``).
"""
