#!/usr/bin/env bash
# Crashes (issue 9): each stage killed with SIGKILL at many points, then
# the run finished with `pipeline --from STAGE` (what the README tells a
# user to do after a kill): the database's .dump must be the uninterrupted
# run's, and no temporary file (*.tmp, a journal) may be left in the work
# directory or beside the database.
#
# The wiki is bench/gen-wiki.py's (CRASH_WORKS works, CRASH_PEOPLE people),
# imported once (state A), then changed (gen-wiki.py mutate, 10%) and
# imported again stage by stage, with a snapshot of the work directory and
# the database before each stage: the nightly run of a changed wiki, with
# a database to update. Targets (CRASH_TARGETS):
#   fetch0     the first import's fetch, from an empty work directory
#              (compared with a first import of the changed wiki)
#   fetch parse normalize load
#              the nightly run's stage, from the snapshot before it
# A kill point is a time after the stage started: CRASH_POINTS per target,
# spread over 90% of the stage's uninterrupted wall time (one point in each
# equal slice, where in it drawn from CRASH_SEED). Where the stage was
# when the kill came is not asserted (no timing assertion): the test
# counts how many kills landed while it ran. Right after a kill of parse,
# normalize or load, its output (parsed.jsonl, normalized.jsonl, the
# database) is checked to be the old one or the new one, never a mix.
# Fetch kills are compared without the fetch times (sources.fetched_at,
# and the record hashes, which cover them): a page fetched again after the
# kill has a later time.
#
# make check runs 3 points per target on a small wiki; make soak
# (tests/soak.sh) runs 20 per target on a larger one.
. "$(dirname "$0")/lib.sh"
cd "$TOP" || exit 1
POINTS=${CRASH_POINTS:-3}
SEED=${CRASH_SEED:-1}
WORKS=${CRASH_WORKS:-100}
PEOPLE=${CRASH_PEOPLE:-150}
TARGETS=${CRASH_TARGETS:-"fetch0 fetch parse normalize load"}
S=$TEST_TMP/site
DB=$TEST_TMP/anime.db  # run_opts names it; opts DIR overrides it

# opts DIR: the options of a run whose work directory and database are in DIR.
opts() {
	echo $(run_opts) --set pipeline.work_dir="$1/work" --set load.database="$1/anime.db"
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# snap FROM TO: a copy of a state (work directory and database).
snap() { rm -rf "$2"; cp -a "$1" "$2"; }
leftovers() { find "$1" \( -name '*.tmp' -o -name '*-journal' \) | head -3; }
# The database's .dump without the run history and what depends on when a
# page was fetched (see t-faults.sh).
dump_timeless() {
	dump_db "$1" | sed -e "/^INSERT INTO sources /s/'[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]*Z'/'TIME'/g" \
		-e "/^INSERT INTO \(works\|people\) /s/,'[0-9a-f]\{32,64\}');\$/,'HASH');/"
}
# run_stage STAGE DIR: runs one stage; prints its wall milliseconds.
run_stage() {
	local t0 rc
	t0=$(now_ms)
	"$BIN/$1" $(opts "$2") >/dev/null 2>"$TEST_TMP/stage.err"; rc=$?
	[ "$rc" = 0 ] || { echo "# $1 in $2: exit $rc" >&2; sed 's/^/#   /' "$TEST_TMP/stage.err" | tail -5 >&2; }
	echo $(( $(now_ms) - t0 ))
}

python3 "$TOP/bench/gen-wiki.py" generate "$S" --works "$WORKS" --people "$PEOPLE" --seed 7 >/dev/null ||
	{ not_ok "cannot generate the wiki"; t_done; }
server_start "$S"

# state A: the first import of the wiki
mkdir -p "$TEST_TMP/A"
check_rc "the first import" 0 "$BIN/pipeline" $(opts "$TEST_TMP/A")
python3 "$TOP/bench/gen-wiki.py" mutate "$S" --fraction 0.1 --seed 3 >/dev/null

# the references: the changed wiki imported from scratch (R0), and the
# nightly run on A stage by stage (snapshots N.fetch ... N.load, result N)
declare -A ms
mkdir -p "$TEST_TMP/R0"
for st in fetch parse normalize load; do
	t=$(run_stage "$st" "$TEST_TMP/R0")
	[ "$st" = fetch ] && ms[fetch0]=$t
done
snap "$TEST_TMP/A" "$TEST_TMP/N"
for st in fetch parse normalize load; do
	snap "$TEST_TMP/N" "$TEST_TMP/N.$st"
	ms[$st]=$(run_stage "$st" "$TEST_TMP/N")
done
check "the nightly run changed the database" "yes" \
	"$([ "$(dump_db "$TEST_TMP/A/anime.db" | md5sum)" != "$(dump_db "$TEST_TMP/N/anime.db" | md5sum)" ] && echo yes)"
check "the reference imports are whole (works in the database, as in the wiki's manifest)" \
	"$(cut -f3 "$S/MANIFEST.tsv" | grep -vc Person)" \
	"$(sqlite3 "$TEST_TMP/R0/anime.db" 'select count(*) from works where gone = 0')"
dump_db "$TEST_TMP/N/anime.db" >"$TEST_TMP/N.dump"
dump_timeless "$TEST_TMP/N/anime.db" >"$TEST_TMP/N.tdump"
dump_timeless "$TEST_TMP/R0/anime.db" >"$TEST_TMP/R0.tdump"
echo "# stage wall times (ms): fetch0 ${ms[fetch0]} fetch ${ms[fetch]} parse ${ms[parse]} normalize ${ms[normalize]} load ${ms[load]}"

# The kill points of a target: POINTS times in ms over its wall time.
points() {
	python3 - "$SEED" "$1" "$2" "$POINTS" <<'P'
import random, sys
seed, name, total, n = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rng = random.Random("%d:%s" % (seed, name))
# over 90% of the wall time: a rerun is often a little faster
print(" ".join(str(max(1, int(0.9 * total * (i + rng.random()) / n))) for i in range(n)))
P
}

summary=""
for target in $TARGETS; do
	case $target in
	fetch0) st=fetch; from=""; ref=$TEST_TMP/R0.tdump; dump=dump_timeless;;
	fetch) st=fetch; from=$TEST_TMP/N.fetch; ref=$TEST_TMP/N.tdump; dump=dump_timeless;;
	parse|normalize|load) st=$target; from=$TEST_TMP/N.$st; ref=$TEST_TMP/N.dump; dump=dump_db;;
	*) not_ok "unknown target '$target'"; continue;;
	esac
	landed=0 n=0
	for t in $(points "$target" "${ms[$target]}"); do
		n=$((n + 1))
		P=$TEST_TMP/p
		if [ -n "$from" ]; then snap "$from" "$P"; else rm -rf "$P"; mkdir -p "$P"; fi
		"$BIN/$st" $(opts "$P") >/dev/null 2>"$TEST_TMP/kill.err" &
		pid=$!
		sleep "$(printf '%d.%03d' $((t / 1000)) $((t % 1000)))"
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null; rc=$?
		what="$target killed at $t ms"
		if [ "$rc" = 137 ]; then landed=$((landed + 1)); else what="$what (it had ended: exit $rc)"; fi
		# right after the kill: the stage's output is the old or the new one
		case $st in
		parse|normalize)
			f=$([ "$st" = parse ] && echo parsed.jsonl || echo normalized.jsonl)
			nx=$([ "$st" = parse ] && echo normalize || echo load)
			if cmp -s "$P/work/$f" "$TEST_TMP/N.$st/work/$f" || cmp -s "$P/work/$f" "$TEST_TMP/N.$nx/work/$f"; then
				ok "$what: $f is the old one or the new one"
			else not_ok "$what: $f is neither the old one nor the new one"; fi;;
		load)
			d=$(dump_db "$P/anime.db" 2>&1)
			if [ "$d" = "$(dump_db "$TEST_TMP/N.load/anime.db")" ] || [ "$d" = "$(cat "$TEST_TMP/N.dump")" ]; then
				ok "$what: the database is the old one or the new one"
			else not_ok "$what: the database is neither the old one nor the new one"; fi;;
		esac
		"$BIN/pipeline" --from "$st" $(opts "$P") >"$TEST_TMP/out" 2>"$TEST_TMP/rerun.err"; rc=$?
		check "$what: pipeline --from $st finishes" 0 "$rc"
		[ "$rc" = 0 ] || { sed 's/^/#   /' "$TEST_TMP/kill.err" | tail -5; sed 's/^/#   /' "$TEST_TMP/rerun.err" | tail -8; }
		check "$what: the database .dump is the uninterrupted run's" "" \
			"$(diff "$ref" <($dump "$P/anime.db") | cut -c1-160 | head -5)"
		check "$what: no temporary file left" "" "$(leftovers "$P")"
	done
	summary="$summary $target $landed/$n"
done
server_stop >/dev/null
echo "# kills that landed while the stage ran (of those made):$summary"
t_done
