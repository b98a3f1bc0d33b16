# tests/lib.sh: shared set-up of the shell tests (sourced).
# Each test runs in a scratch directory removed by a trap, with LC_ALL=C,
# and reports "ok N - ..." / "not ok N - ..." lines; the test's exit status
# is non-zero when any check failed.
set -u
export LC_ALL=C.UTF-8
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-bin}
case $BIN in /*) ;; *) BIN=$TOP/$BIN ;; esac
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/awtest.XXXXXX")
export TEST_TMP
. "$TOP/tests/lib-server.sh"
T_N=0
T_FAIL=0

t_cleanup() {
	if [ -n "${SERVER_PID:-}" ]; then server_stop >/dev/null 2>&1 || true; fi
	if [ -z "${KEEP_TMP:-}" ]; then rm -rf "$TEST_TMP"; else echo "# kept $TEST_TMP"; fi
}
trap t_cleanup EXIT
trap 'exit 130' INT TERM

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
not_ok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }

# check DESCRIPTION EXPECTED ACTUAL
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		not_ok "$1"
		printf '#   expected: %s\n#   actual:   %s\n' "$2" "$3" | sed 's/^/ /'
	fi
}

# check_rc DESCRIPTION EXPECTED_RC COMMAND...
check_rc() {
	local desc=$1 want=$2 got
	shift 2
	"$@" >"$TEST_TMP/out" 2>"$TEST_TMP/err"; got=$?
	if [ "$got" = "$want" ]; then ok "$desc"; else
		not_ok "$desc (exit $got, expected $want)"
		sed 's/^/#   /' "$TEST_TMP/err" | head -20
	fi
}

# check_grep DESCRIPTION PATTERN FILE: FILE contains a line matching PATTERN.
check_grep() {
	if grep -q -- "$2" "$3"; then ok "$1"; else
		not_ok "$1"; echo "#   no line matching '$2' in $3:"; head -20 -- "$3" | sed 's/^/#   /'
	fi
}

check_no_grep() {
	if ! grep -q -- "$2" "$3"; then ok "$1"; else
		not_ok "$1"; grep -- "$2" "$3" | head -5 | sed 's/^/#   /'
	fi
}

# dump_db FILE: the database's .dump without the run history (tables runs
# and run_stages), which every pipeline run adds to.
dump_db() { sqlite3 "$1" .dump | grep -v '^INSERT INTO run\(s\|_stages\) '; }

# q SQL: runs a query on the test database.
q() { sqlite3 -batch -noheader "$DB" "$1"; }

# The pipeline's options for a scratch run against the fixture server.
run_opts() {
	echo --set pipeline.work_dir="$TEST_TMP/work" \
	     --set load.database="$DB" \
	     --set fetch.start_urls="$SERVER_URL/" \
	     --set fetch.delay=0 --set fetch.ignore_crawl_delay=true \
	     --set fetch.contact=https://example.org/animewiki-tests \
	     --set normalize.roles="$TOP/normalize/roles.tsv"
}

t_done() {
	echo "1..$T_N"
	[ "$T_FAIL" -eq 0 ] || { echo "# $T_FAIL of $T_N failed"; exit 1; }
	exit 0
}
