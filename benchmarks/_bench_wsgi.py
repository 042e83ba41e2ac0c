"""Benchmark-only WSGI entry: MentorMatch with a bare Flask page mounted at ``/__bare``.

``gunicorn benchmarks._bench_wsgi:app`` serves both through the identical
server, workers and process, so ``benchmarks/web.py`` can compare their
throughput in the same run. Never used in production.
"""

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from wsgi import app as mentormatch

bare = Flask("bare")


@bare.route("/")
def hello() -> str:
    return "Hello from a bare Flask page"


app = DispatcherMiddleware(mentormatch, {"/__bare": bare})
