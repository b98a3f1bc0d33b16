#!/usr/bin/env bash
# The libFuzzer harnesses (tests/fuzz/): they build with clang; every
# committed input that ever crashed one (tests/fuzz/crashes/TARGET/) and
# every seed (tests/fuzz/corpus/TARGET/) runs clean; and each harness
# fuzzes briefly (FUZZ_CHECK_TIME seconds, default 3) without a finding.
# `make fuzz` is the long run. See tests/fuzz/README.md.
. "$(dirname "$0")/lib.sh"
cd "$TOP"

FZ=$TOP/build/fuzz
TARGETS="date runtime names config robots url page"
SECS=${FUZZ_CHECK_TIME:-3}
CC_FUZZ=${FUZZ_CC:-clang}

if ! command -v "$CC_FUZZ" >/dev/null 2>&1; then
	not_ok "clang is installed ('$CC_FUZZ' not found; Debian 12: apt-get install clang libclang-rt-14-dev)"
	t_done
fi
ok "clang is installed ($(command -v "$CC_FUZZ"))"

# The probe names the missing libFuzzer runtime; the build shows its errors.
check_rc "the harnesses build (make fuzz-build)" 0 make -s -C "$TOP" fuzz-build
if [ "$T_FAIL" -ne 0 ]; then
	sed 's/^/#   /' "$TEST_TMP/out" | tail -20
	t_done
fi

# replay TARGET DIR: every file of DIR but .gitkeep runs once, clean.
replay() {
	local t=$1 dir=$2 n got rc
	local files=()
	while IFS= read -r f; do files+=("$f"); done < <(find "$dir" -type f ! -name .gitkeep 2>/dev/null | sort)
	n=${#files[@]}
	if [ "$n" -eq 0 ]; then
		ok "$t: no inputs in $dir to replay"
		return
	fi
	"$FZ/fuzz_$t" "${files[@]}" >"$TEST_TMP/replay.log" 2>&1; rc=$?
	got=$(grep -c '^Executed ' "$TEST_TMP/replay.log")
	if [ "$rc" -eq 0 ] && [ "$got" -eq "$n" ]; then
		ok "$t: the $n inputs of $dir run clean"
	else
		not_ok "$t: replaying $dir: exit $rc, $got of $n inputs ran"
		grep -E '^Running:|INVARIANT|ERROR|SUMMARY|^  ' "$TEST_TMP/replay.log" | tail -8 | sed 's/^/#   /'
	fi
}

for t in $TARGETS; do
	if [ ! -x "$FZ/fuzz_$t" ]; then
		not_ok "$t: no harness $FZ/fuzz_$t"
		continue
	fi
	replay "$t" "tests/fuzz/crashes/$t"
	replay "$t" "tests/fuzz/corpus/$t"

	# A brief run on a scratch corpus (the repository is not written); the
	# input of a finding is kept under build/fuzz/findings/. The seed is
	# fixed (FUZZ_SEED, default 1) so that make check tries the same inputs
	# on every machine: exploring is make fuzz's job.
	mkdir -p "$TEST_TMP/corpus/$t" "$TEST_TMP/art/$t"
	"$FZ/fuzz_$t" -seed="${FUZZ_SEED:-1}" -max_total_time="$SECS" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$TEST_TMP/art/$t/" "$TEST_TMP/corpus/$t" \
		"tests/fuzz/corpus/$t" "tests/fuzz/crashes/$t" >"$TEST_TMP/run.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$TEST_TMP/run.log")
	if [ "$rc" -eq 0 ] && [ "${runs:-0}" -gt 0 ]; then
		ok "$t: fuzzed ${SECS}s, $runs inputs, no finding"
	else
		not_ok "$t: fuzzing ${SECS}s: exit $rc after ${runs:-0} inputs"
		grep -E 'INVARIANT|ERROR|SUMMARY|^  ' "$TEST_TMP/run.log" | head -8 | sed 's/^/#   /'
		for a in "$TEST_TMP/art/$t"/*; do
			[ -f "$a" ] || continue
			mkdir -p "$FZ/findings/$t" && cp "$a" "$FZ/findings/$t/"
			echo "#   input kept as build/fuzz/findings/$t/$(basename "$a"):"
			od -An -c "$a" | head -3 | sed 's/^/#   /'
			echo "#   replay: build/fuzz/fuzz_$t FILE; once fixed, commit it under tests/fuzz/crashes/$t/"
		done
	fi
done
t_done
