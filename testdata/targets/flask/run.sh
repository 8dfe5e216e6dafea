#!/usr/bin/env bash
# Serves the Flask-HTTPAuth target on 127.0.0.1:PORT in the foreground.
#
# Usage: run.sh PORT
#
# Runs app.py with Debian's /usr/bin/python3, the only interpreter that can
# import the python3-flask-httpauth package. The first python3 on PATH may
# be another installation.
# The app writes no files (-B stops .pyc caches) and logs to stderr. Exit
# status 2 means a bad PORT; 127 means Python, Flask or Flask-HTTPAuth is missing.
set -euo pipefail

fail() {
    echo "flask target: $*" >&2
    exit "${status:-1}"
}

if [[ $# -ne 1 || ! $1 =~ ^[0-9]{1,5}$ ]] || ((10#$1 < 1 || 10#$1 > 65535)); then
    status=2 fail "invalid arguments '$*'; usage: run.sh PORT, with PORT from 1 to 65535"
fi
port=$((10#$1))

python=/usr/bin/python3
if [[ ! -x $python ]]; then
    status=127 fail "$python not found; install the Debian package python3" \
        "('make deps' installs it)"
fi
if ! "$python" -B -c 'import flask, flask_httpauth' 2>/dev/null; then
    status=127 fail "flask_httpauth cannot be imported by $python; install the Debian" \
        "package python3-flask-httpauth ('make deps' installs it)"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Flask prints its startup banner on stdout, so it goes to stderr with the logs.
exec "$python" -B "$here/app.py" "$port" >&2
