"""The floor: a minimal Flask + peewee handler that reads a given number of rows and
renders them with a cached Jinja template. Each page's time is compared with it at the
page's row count, measured right after the page in the same run.

Served by gunicorn like the app: ``gunicorn 'bench.floor:create_app()'`` with
DATABASE_URL set."""

import os

from flask import Flask

from stafettlogg.db import db, open_database
from stafettlogg.models import Entry

TEMPLATE = """<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Gulv</title></head>
<body><main><h1>{{ rows|length }} rader</h1><table>
{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.entry_date }}</td><td>{{ row.body }}</td></tr>
{% endfor %}</table></main></body></html>"""


def create_app() -> Flask:
    app = Flask(__name__)
    db.initialize(open_database(os.environ["DATABASE_URL"], pooled=True))  # as the app
    template = app.jinja_env.from_string(TEMPLATE)  # compiled once

    @app.route("/floor/<int:rows>")
    def floor(rows):
        db.connect(reuse_if_open=True)
        try:
            items = list(
                Entry.select(Entry.id, Entry.entry_date, Entry.body).order_by(Entry.id).limit(max(rows, 1)).dicts()
            )
        finally:
            db.close()
        return template.render(rows=items)

    return app
