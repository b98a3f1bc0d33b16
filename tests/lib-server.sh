# tests/lib-server.sh -- start/stop tests/fixture_server.py from shell tests.
#
# Source it from bash (or another POSIX sh; see FIXTURE_SERVER below):
#
#   . "$(dirname "$0")/lib-server.sh"
#   server_start "$TEST_TMP/site" [FAULTS_FILE]   # exports SERVER_PORT,
#                                                 # SERVER_PID, SERVER_LOG,
#                                                 # SERVER_URL
#   curl "$SERVER_URL/anime/"
#   server_stop                                   # SIGTERM, wait; returns
#                                                 # the server's exit status
#
# Files live in "$TEST_TMP" (created with mktemp -d and exported when unset;
# the caller removes it): server.port, server.log (JSON lines, truncated by
# each server_start), server.stderr.
# Call server_start/server_stop directly, not in $(...) or a pipeline: the
# server must be a child of the test's own shell so server_stop can reap it.
# 127.0.0.1 and localhost are added to no_proxy/NO_PROXY so that clients
# honouring http_proxy still talk to the fixture server directly.
#
# FIXTURE_SERVER may name fixture_server.py explicitly; otherwise it is
# looked for next to this file (found via BASH_SOURCE under bash, else via
# LIB_SERVER_DIR or the directory of $0).  PYTHON overrides "python3".

if [ -z "${FIXTURE_SERVER:-}" ]; then
    _ls_src=
    if [ -n "${BASH_VERSION:-}" ]; then
        eval '_ls_src=${BASH_SOURCE[0]}'
    fi
    if [ -n "$_ls_src" ]; then
        _ls_dir=$(cd "$(dirname "$_ls_src")" && pwd)
    elif [ -n "${LIB_SERVER_DIR:-}" ]; then
        _ls_dir=$(cd "$LIB_SERVER_DIR" && pwd)
    else
        _ls_dir=$(cd "$(dirname "$0")" && pwd)
    fi
    FIXTURE_SERVER=$_ls_dir/fixture_server.py
    unset _ls_src _ls_dir
fi

# server_start ROOT [FAULTS_FILE]
server_start() {
    if [ $# -lt 1 ] || [ $# -gt 2 ]; then
        echo "server_start: usage: server_start ROOT [FAULTS_FILE]" >&2
        return 2
    fi
    if [ -n "${SERVER_PID:-}" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        echo "server_start: a server is already running (pid $SERVER_PID)" >&2
        return 1
    fi
    if [ ! -f "$FIXTURE_SERVER" ]; then
        echo "server_start: $FIXTURE_SERVER not found" >&2
        return 1
    fi
    if [ -z "${TEST_TMP:-}" ]; then
        TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/fixture-server.XXXXXX") || return 1
        export TEST_TMP
    fi
    mkdir -p "$TEST_TMP" || return 1

    _ss_portfile=$TEST_TMP/server.port
    SERVER_LOG=$TEST_TMP/server.log
    rm -f "$_ss_portfile"
    : > "$SERVER_LOG"
    case "${no_proxy:-}" in
        *127.0.0.1*) ;;
        *) no_proxy="127.0.0.1,localhost${no_proxy:+,$no_proxy}"; export no_proxy ;;
    esac
    case "${NO_PROXY:-}" in
        *127.0.0.1*) ;;
        *) NO_PROXY="127.0.0.1,localhost${NO_PROXY:+,$NO_PROXY}"; export NO_PROXY ;;
    esac

    if [ -n "${2:-}" ]; then
        "${PYTHON:-python3}" "$FIXTURE_SERVER" --root "$1" \
            --port-file "$_ss_portfile" --log "$SERVER_LOG" --faults "$2" \
            </dev/null >>"$TEST_TMP/server.stderr" 2>&1 &
    else
        "${PYTHON:-python3}" "$FIXTURE_SERVER" --root "$1" \
            --port-file "$_ss_portfile" --log "$SERVER_LOG" \
            </dev/null >>"$TEST_TMP/server.stderr" 2>&1 &
    fi
    SERVER_PID=$!
    export SERVER_PID SERVER_LOG

    # Wait up to ~10 s for the port file.
    _ss_i=0
    SERVER_PORT=
    while [ "$_ss_i" -lt 100 ]; do
        if [ -s "$_ss_portfile" ]; then
            SERVER_PORT=$(cat "$_ss_portfile")
            break
        fi
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            break
        fi
        sleep 0.1
        _ss_i=$((_ss_i + 1))
    done
    if [ -z "$SERVER_PORT" ]; then
        echo "server_start: fixture server did not start; its stderr:" >&2
        sed 's/^/  /' "$TEST_TMP/server.stderr" >&2 2>/dev/null || :
        server_stop >/dev/null 2>&1 || :
        unset SERVER_PID
        return 1
    fi
    SERVER_URL=http://127.0.0.1:$SERVER_PORT
    export SERVER_PORT SERVER_URL
    unset _ss_i _ss_portfile
    return 0
}

# _server_alive PID: true while PID exists and is not a zombie.
_server_alive() {
    kill -0 "$1" 2>/dev/null || return 1
    if [ -r "/proc/$1/stat" ]; then
        _sa_state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
        [ "$_sa_state" = Z ] && return 1
    fi
    return 0
}

# server_stop: SIGTERM the server, wait (up to ~10 s, then SIGKILL), reap it.
# Returns the server's exit status (0 for a clean shutdown).
server_stop() {
    if [ -z "${SERVER_PID:-}" ]; then
        return 0
    fi
    _sp_pid=$SERVER_PID
    kill -TERM "$_sp_pid" 2>/dev/null || :
    _sp_i=0
    while [ "$_sp_i" -lt 100 ] && _server_alive "$_sp_pid"; do
        sleep 0.1
        _sp_i=$((_sp_i + 1))
    done
    if _server_alive "$_sp_pid"; then
        echo "server_stop: server $_sp_pid ignored SIGTERM; killing it" >&2
        kill -KILL "$_sp_pid" 2>/dev/null || :
    fi
    _sp_rc=0
    wait "$_sp_pid" 2>/dev/null || _sp_rc=$?
    unset SERVER_PID _sp_pid _sp_i
    return "$_sp_rc"
}

# server_requests: print "METHOD PATH STATUS" for each logged request.
server_requests() {
    "${PYTHON:-python3}" -c '
import json, sys
for line in open(sys.argv[1]):
    if line.strip():
        e = json.loads(line)
        print(e["method"], e["path"], e["status"])
' "$SERVER_LOG"
}
