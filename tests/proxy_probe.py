"""The app as gunicorn serves it, plus one route that shows what the app sees of the
client: address, scheme and host (for the end-to-end reverse proxy test)."""

from flask import jsonify, request

from stafettlogg.access import ACCESS
from stafettlogg.application import create_app

app = create_app()
ACCESS["probe"] = "anonymous authenticated"


@app.route("/_probe", endpoint="probe")
def probe():
    return jsonify(
        remote_addr=request.remote_addr, scheme=request.scheme, is_secure=request.is_secure, host=request.host
    )
