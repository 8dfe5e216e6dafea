#!/usr/bin/env bash
# Serves the reference Dash app behind oauth2-proxy on 127.0.0.1:PORT, in the
# foreground, logging in through the OpenID Connect provider at ISSUER.
#
# Usage: run.sh PORT ISSUER CLIENT_ID CLIENT_SECRET LEVEL
#
# LEVEL is authenticated (every user who logs in) or restricted (members of
# the group "analysts" only). The app is `reftarget --mode upstream` on a
# free loopback port, and oauth2-proxy passes it the user in X-Forwarded-*
# headers. The provider must accept the redirect URI
# http://127.0.0.1:PORT/oauth2/callback.
#
# Programs: $AUTHCONFORM_REFTARGET, else bin/reftarget of this checkout
# ('make build'). $AUTHCONFORM_OAUTH2_PROXY, else the oauth2-proxy that the
# project caches under the user cache directory, else that build is made
# first with 'go install' (2.5 minutes on a busy 2-core machine).
#
# Both programs log to stderr. On SIGTERM or SIGINT the script stops both and
# exits. If either stops on its own, the script stops the other and exits
# with its status. Exit status 2 means bad arguments, 127 a missing program
# or a failed build.
set -euo pipefail

readonly oauth2_proxy_version=v7.15.6
readonly oauth2_proxy_module=github.com/oauth2-proxy/oauth2-proxy/v7
# The group a restricted app admits. The users of ../oauth2-proxy-*.yaml
# must match it.
readonly allowed_group=analysts

fail() {
    echo "oauth2-proxy target: $*" >&2
    exit "${status:-1}"
}

usage="usage: run.sh PORT ISSUER CLIENT_ID CLIENT_SECRET LEVEL"
if [[ $# -ne 5 ]]; then
    status=2 fail "got $# arguments, want 5; $usage"
fi
if [[ ! $1 =~ ^[0-9]{1,5}$ ]] || ((10#$1 < 1 || 10#$1 > 65535)); then
    status=2 fail "invalid PORT '$1'; use a number from 1 to 65535 ($usage)"
fi
port=$((10#$1))
issuer=$2
client_id=$3
client_secret=$4
level=$5
if [[ ! $issuer =~ ^https?://[^/]+ ]]; then
    status=2 fail "invalid ISSUER '$issuer'; use the provider's http or https issuer URL"
fi
if [[ -z $client_id ]]; then
    status=2 fail "CLIENT_ID is empty; give the client id registered at the provider"
fi
if [[ -z $client_secret ]]; then
    status=2 fail "CLIENT_SECRET is empty; oauth2-proxy needs the client's secret"
fi
case $level in
authenticated | restricted) ;;
unauthenticated)
    status=2 fail "LEVEL unauthenticated is not supported: oauth2-proxy makes every" \
        "visitor log in; use authenticated or restricted"
    ;;
*) status=2 fail "invalid LEVEL '$level'; use authenticated or restricted" ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)

reftarget=${AUTHCONFORM_REFTARGET:-$repo/bin/reftarget}
if [[ ! -x $reftarget ]]; then
    status=127 fail "reftarget not found at $reftarget; run 'make build' or set" \
        "AUTHCONFORM_REFTARGET to a reftarget binary"
fi

# user_cache_dir prints the folder Go's os.UserCacheDir returns on Linux and
# macOS, where the project's tests cache their oauth2-proxy build too.
user_cache_dir() {
    if [[ $(uname -s) == Darwin ]]; then
        echo "${HOME:?}/Library/Caches"
    elif [[ ${XDG_CACHE_HOME:-} == /* ]]; then
        echo "$XDG_CACHE_HOME"
    else
        echo "${HOME:?}/.cache"
    fi
}

if [[ -n ${AUTHCONFORM_OAUTH2_PROXY:-} ]]; then
    oauth2_proxy=$AUTHCONFORM_OAUTH2_PROXY
    if [[ ! -x $oauth2_proxy || -d $oauth2_proxy ]]; then
        status=127 fail "AUTHCONFORM_OAUTH2_PROXY=$oauth2_proxy is not an executable file;" \
            "point it at an oauth2-proxy $oauth2_proxy_version binary or unset it"
    fi
else
    if ! cache=$(user_cache_dir 2>/dev/null); then
        status=127 fail "no user cache directory to build oauth2-proxy into (HOME is unset);" \
            "set AUTHCONFORM_OAUTH2_PROXY to an oauth2-proxy $oauth2_proxy_version binary"
    fi
    cache_dir=$cache/authconform/oauth2-proxy-$oauth2_proxy_version
    oauth2_proxy=$cache_dir/oauth2-proxy
    if [[ ! -x $oauth2_proxy ]]; then
        command -v go >/dev/null 2>&1 ||
            status=127 fail "oauth2-proxy is not built at $oauth2_proxy and go is not" \
                "installed to build it; install Go or set AUTHCONFORM_OAUTH2_PROXY"
        echo "oauth2-proxy target: building oauth2-proxy $oauth2_proxy_version into" \
            "$cache_dir" >&2
        # Built from outside this module, so that its go.mod does not apply.
        (cd / && GOBIN=$cache_dir GOFLAGS="${GOFLAGS:-} -mod=mod" \
            go install "$oauth2_proxy_module@$oauth2_proxy_version") >&2 ||
            status=127 fail "building oauth2-proxy $oauth2_proxy_version with 'go install'" \
                "failed (output above); fix the Go setup or set AUTHCONFORM_OAUTH2_PROXY"
    fi
fi

# A random cookie secret per run: 32 random bytes in unpadded base64url,
# which oauth2-proxy decodes into a 32-byte AES key.
cookie_secret=$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')

upstream_pid=
proxy_pid=
# A signal ends the script, and the EXIT trap then stops whichever child has
# started. wait returns early when a trapped signal arrives, so the traps
# exit at once instead of setting a flag for later.
trap 'exit 143' TERM
trap 'exit 130' INT
cleanup() {
    local pid
    for pid in $proxy_pid $upstream_pid; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in $proxy_pid $upstream_pid; do
        wait "$pid" 2>/dev/null || true
    done
}
trap cleanup EXIT

# The app prints its URL as the first line of stdout, which a coprocess
# reads without a temporary file.
coproc upstream { exec "$reftarget" --mode upstream --addr 127.0.0.1:0; }
upstream_pid=$upstream_PID
upstream_url=
if ! read -r -t 15 upstream_url <&"${upstream[0]}" || [[ $upstream_url != http://* ]]; then
    fail "the upstream app ($reftarget --mode upstream) printed no URL within 15s"
fi
echo "oauth2-proxy target: upstream app at $upstream_url" >&2

args=(
    --http-address="127.0.0.1:$port"
    --provider=oidc
    --oidc-issuer-url="$issuer"
    --client-id="$client_id"
    --redirect-url="http://127.0.0.1:$port/oauth2/callback"
    --cookie-secure=false
    --upstream="$upstream_url"
    --pass-user-headers=true
    --set-xauthrequest=true
    --skip-provider-button=true
    --email-domain='*'
    --scope='openid profile email groups'
    --oidc-groups-claim=groups
    # Absolute rd targets may name this app's origin only. The wider
    # 127.0.0.1:* admits every port of the host, so that
    # rd=https://evil.example%2F@127.0.0.1 sends the browser off the app's
    # origin, to https://127.0.0.1:443.
    --whitelist-domain="127.0.0.1:$port"
)
if [[ $level == restricted ]]; then
    args+=(--allowed-group="$allowed_group")
fi

echo "oauth2-proxy target: starting $oauth2_proxy on 127.0.0.1:$port, level $level" >&2
# The secrets go through the environment, which other users cannot read, and
# not through oauth2-proxy's command line, which they can.
# NOTE: this script's own arguments, and so CLIENT_SECRET, are still visible
# in the process list.
OAUTH2_PROXY_CLIENT_SECRET=$client_secret OAUTH2_PROXY_COOKIE_SECRET=$cookie_secret \
    "$oauth2_proxy" "${args[@]}" >&2 &
proxy_pid=$!

set +e
wait -n "$upstream_pid" "$proxy_pid"
child_status=$?
set -e
who="oauth2-proxy"
if kill -0 "$proxy_pid" 2>/dev/null; then
    who="the upstream app"
fi
echo "oauth2-proxy target: $who exited with status $child_status; stopping" >&2
if ((child_status == 0)); then
    child_status=1
fi
exit "$child_status"
