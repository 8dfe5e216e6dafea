"""A small app that speaks Dash's HTTP protocol, protected by Flask-HTTPAuth.

It serves the routes of a Dash app (the index page, layout, dependencies,
callback updates, assets, favicon, reload hash and component suites) without
Dash itself. HTTP Basic auth guards them the way Flask-HTTPAuth's
documentation shows, with a verify_password callback, a get_user_roles
callback and @auth.login_required on each view. /public has no decorator,
and the public callback runs under login_required(optional=True).

Run it with Debian's interpreter, which sees python3-flask-httpauth:

    /usr/bin/python3 app.py PORT
"""

import argparse
import logging
import signal
import struct
import sys
from pathlib import Path

from flask import Flask, abort, jsonify, request, send_from_directory
from flask_httpauth import HTTPBasicAuth
from werkzeug.security import check_password_hash, generate_password_hash

HERE = Path(__file__).resolve().parent
log = logging.getLogger("flask-target")

app = Flask(__name__, static_folder=None)
auth = HTTPBasicAuth(realm="authconform flask")

# The accounts must match the users listed in ../flask.yaml.
users = {
    "alice": generate_password_hash("wonder:land"),
    "bob": generate_password_hash("builder"),
    "zoë": generate_password_hash("pässwörd"),
}
user_roles = {"alice": ["analysts"]}


@auth.verify_password
def verify_password(username, password):
    if username in users and check_password_hash(users[username], password):
        return username
    return None


@auth.get_user_roles
def get_user_roles(username):
    return user_roles.get(username, [])


def component(kind, namespace, **props):
    return {"type": kind, "namespace": namespace, "props": props}


LAYOUT = component(
    "Div",
    "dash_html_components",
    id="page",
    children=[
        component("Location", "dash_core_components", id="url", refresh=False),
        component("H1", "dash_html_components", id="title", children=None),
        component("P", "dash_html_components", id="public-note", children=None),
        component("Div", "dash_html_components", id="report", children=None),
    ],
)


def dependency(output):
    return {
        "output": output,
        "inputs": [{"id": "url", "property": "pathname"}],
        "state": [],
        "clientside_function": None,
        "prevent_initial_call": False,
    }


DASH_CONFIG = {
    "url_base_pathname": None,
    "requests_pathname_prefix": "/",
    "ui": False,
    "props_check": False,
    "show_undo_redo": False,
    "suppress_callback_exceptions": False,
    "update_title": "Updating...",
}

INDEX_HTML = """<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>authconform Flask-HTTPAuth target</title>
<link rel="icon" type="image/x-icon" href="/_favicon.ico">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<div id="react-entry-point"><div class="_dash-loading">Loading...</div></div>
<footer>
<script id="_dash-config" type="application/json">{config}</script>
<script src="/_dash-component-suites/authconform/renderer.js"></script>
</footer>
</body>
</html>
"""


def favicon_bytes():
    """Build a 1x1 transparent 32-bit ICO image."""
    bitmap_header = struct.pack("<IiiHHIIiiII", 40, 1, 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixel = b"\x00\x00\x00\x00"
    and_mask = b"\x00\x00\x00\x00"
    image = bitmap_header + pixel + and_mask
    directory = struct.pack("<HHH", 0, 1, 1)
    entry = struct.pack("<BBBBHHII", 1, 1, 0, 0, 1, 32, len(image), 6 + 16)
    return directory + entry + image


FAVICON = favicon_bytes()


@app.get("/")
@app.get("/<path:path>")
@auth.login_required
def index(path=""):
    # Like Dash, every unknown GET path returns the index for client-side routing.
    return INDEX_HTML.replace("{config}", app.json.dumps(DASH_CONFIG))


@app.get("/public")
def public():
    return "<!DOCTYPE html><title>Public</title><h1>Public page</h1>"


@app.get("/_dash-layout")
@auth.login_required
def dash_layout():
    return jsonify(LAYOUT)


@app.get("/_dash-dependencies")
@auth.login_required
def dash_dependencies():
    return jsonify([dependency(output) for output in CALLBACKS])


@auth.login_required
def update_title(pathname):
    return callback_response(f"Hello {auth.current_user()}")


def update_public_note(pathname):
    return callback_response("Anyone may read this note.")


@auth.login_required(role="analysts")
def update_report(pathname):
    return callback_response(f"Quarterly report for {auth.current_user()}")


CALLBACKS = {
    "title.children": update_title,
    "public-note.children": update_public_note,
    "report.children": update_report,
}


def callback_response(value):
    """Wrap a callback's value in Dash's response for the requested output."""
    component_id, prop = request.get_json()["output"].rsplit(".", 1)
    return jsonify(multi=True, response={component_id: {prop: value}})


@app.post("/_dash-update-component")
@auth.login_required(optional=True)
def dash_update_component():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("output"), str):
        abort(400, description="expected a JSON object with an output string")
    callback = CALLBACKS.get(body["output"])
    if callback is None:
        abort(400, description=f"no callback has the output {body['output']!r}")
    inputs = body.get("inputs")
    if not isinstance(inputs, list) or len(inputs) != 1 or not isinstance(inputs[0], dict):
        abort(400, description="expected inputs to be a list of one object")
    # Each callback carries its own login_required decorator, so a failed check
    # returns Flask-HTTPAuth's 401 or 403 response from here.
    return callback(inputs[0].get("value"))


@app.get("/assets/<path:filename>")
@auth.login_required
def assets(filename):
    return send_from_directory(HERE / "assets", filename)


@app.get("/_dash-component-suites/<package>/<path:filename>")
@auth.login_required
def component_suites(package, filename):
    return send_from_directory(HERE / "component_suites" / package, filename)


@app.get("/_favicon.ico")
@auth.login_required
def favicon():
    return FAVICON, 200, {"Content-Type": "image/x-icon"}


@app.get("/_reload-hash")
@auth.login_required
def reload_hash():
    return jsonify(reloadHash="0", hard=False, packages=[], files=[])


def parse_port(text):
    try:
        port = int(text)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}; use a number from 1 to 65535")
    return port


def stop(signum, frame):
    log.info("received %s, stopping", signal.Signals(signum).name)
    sys.exit(0)


def main():
    parser = argparse.ArgumentParser(description="Serve the Flask-HTTPAuth target.")
    parser.add_argument("port", type=parse_port, help="TCP port on 127.0.0.1")
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    signal.signal(signal.SIGTERM, stop)
    log.info("starting on 127.0.0.1:%d", args.port)
    app.run(host="127.0.0.1", port=args.port, debug=False, use_reloader=False)


if __name__ == "__main__":
    main()
