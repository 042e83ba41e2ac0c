"""Benchmark-only WSGI entry: MentorMatch with a bare Flask page mounted at ``/__bare``.

``/__bare/db`` is a second reference: the bare page plus one ``SELECT 1`` on
the app's database through SQLAlchemy (same pool settings), to show how much
of a page's cost is simply reaching PostgreSQL.

``gunicorn benchmarks._bench_wsgi:app`` serves both through the identical
server, workers and process, so ``benchmarks/web.py`` can compare their
throughput in the same run. Never used in production.
"""

from flask import Flask
from sqlalchemy import create_engine, text
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from wsgi import app as mentormatch

bare = Flask("bare")


@bare.route("/")
def hello() -> str:
    return "Hello from a bare Flask page"


engine = create_engine(mentormatch.config["SQLALCHEMY_DATABASE_URI"], **mentormatch.config["SQLALCHEMY_ENGINE_OPTIONS"])


@bare.route("/db")
def one_query() -> str:
    with engine.connect() as conn:
        return f"Hello, {conn.execute(text('SELECT 1')).scalar()}"


app = DispatcherMiddleware(mentormatch, {"/__bare": bare})
