#!/usr/bin/env bash
# Serves the nginx Basic-auth target on 127.0.0.1:PORT in the foreground.
#
# Usage: run.sh PORT
#
# Writes nginx.conf and a bcrypt htpasswd file into a fresh temporary folder,
# runs nginx with that folder as its prefix and logs to stderr. On SIGTERM or
# SIGINT it stops nginx, removes the folder and exits with nginx's status.
# Exit status 2 means a bad PORT; 127 means nginx or htpasswd is missing.
set -euo pipefail

# The accounts must match the users listed in ../nginx.yaml.
users=(
    alice 'wonder:land'
    bob 'builder'
    'zoë' 'pässwörd'
)

fail() {
    echo "nginx target: $*" >&2
    exit "${status:-1}"
}

if [[ $# -ne 1 || ! $1 =~ ^[0-9]{1,5}$ ]] || ((10#$1 < 1 || 10#$1 > 65535)); then
    status=2 fail "invalid arguments '$*'; usage: run.sh PORT, with PORT from 1 to 65535"
fi
port=$((10#$1))

# nginx lives in /usr/sbin, which is not on every user's PATH.
PATH=$PATH:/usr/sbin:/sbin
require() {
    command -v "$1" >/dev/null 2>&1 ||
        status=127 fail "$1 not found; install the Debian package $2 ('make deps' installs it)"
}
require nginx nginx
require htpasswd apache2-utils

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
site=$here/site

# Escapes a value for the replacement side of a sed s||| command.
sed_escape() {
    printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'
}

# A run ended by SIGKILL cannot clean up, so remove folders of earlier runs
# whose nginx master process is gone. Folders without nginx.pid may belong
# to a run that is still starting and stay.
for old in "${TMPDIR:-/tmp}"/authconform-nginx.*; do
    [[ -f $old/nginx.pid ]] || continue
    old_pid=$(<"$old/nginx.pid")
    # A zombie or a reused PID has no "nginx" in its command line.
    if [[ $old_pid =~ ^[0-9]+$ ]] && ! grep -qs nginx "/proc/$old_pid/cmdline"; then
        echo "nginx target: removing $old, left by a stopped run" >&2
        rm -rf -- "$old"
    fi
done

prefix=$(mktemp -d "${TMPDIR:-/tmp}/authconform-nginx.XXXXXX")
nginx_pid=
# Until nginx runs, a signal ends the script, and the EXIT trap removes the folder.
trap 'exit 143' TERM
trap 'exit 130' INT
cleanup() {
    if [[ -n $nginx_pid ]] && kill -0 "$nginx_pid" 2>/dev/null; then
        kill -TERM "$nginx_pid" 2>/dev/null || true
        wait "$nginx_pid" 2>/dev/null || true
    fi
    rm -rf -- "$prefix"
}
trap cleanup EXIT

# nginx reads these paths as quoted strings, where '"' ends the string,
# '\' escapes and '$' starts a variable.
for path in "$prefix" "$site"; do
    if [[ $path == *[\"\\\$]* || $path == *$'\n'* ]]; then
        fail "path '$path' contains a quote, backslash, dollar sign or newline," \
            "which nginx.conf cannot hold; set TMPDIR or move the checkout"
    fi
done

sed -e "s|@PREFIX@|$(sed_escape "$prefix")|g" \
    -e "s|@ROOT@|$(sed_escape "$site")|g" \
    -e "s|@PORT@|$port|g" \
    "$here/nginx.conf.template" >"$prefix/nginx.conf"

htpasswd_file=$prefix/htpasswd
: >"$htpasswd_file"
for ((i = 0; i < ${#users[@]}; i += 2)); do
    htpasswd -bB "$htpasswd_file" "${users[i]}" "${users[i + 1]}"
done

# As root, nginx runs its workers as "nobody", and they read the htpasswd
# file on each request, so that user must reach the folder and read the file.
if ((EUID == 0)); then
    chmod 0711 "$prefix"
    chmod 0644 "$htpasswd_file"
fi

# nginx runs as a child, not through exec, so that this script outlives it
# and can remove the folder. A signal to the script alone is passed on.
trap 'kill -TERM "$nginx_pid" 2>/dev/null || true' TERM
trap 'kill -INT "$nginx_pid" 2>/dev/null || true' INT
echo "nginx target: starting nginx on 127.0.0.1:$port with prefix $prefix" >&2
nginx -p "$prefix" -c "$prefix/nginx.conf" -e stderr -g 'daemon off;' &
nginx_pid=$!

# wait returns early when a trapped signal arrives, so it repeats until nginx
# is gone. The last wait returns nginx's status, which bash keeps after reaping.
set +e
while kill -0 "$nginx_pid" 2>/dev/null; do
    wait "$nginx_pid"
done
wait "$nginx_pid"
nginx_status=$?
set -e
nginx_pid=
echo "nginx target: nginx exited with status $nginx_status" >&2
exit "$nginx_status"
