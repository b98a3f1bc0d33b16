#!/usr/bin/env bash
# The command line every program shares: --help, --version, --config,
# --set, exit codes, and configuration errors naming file, line and key.
. "$(dirname "$0")/lib.sh"
cd "$TEST_TMP"

for p in fetch parse normalize load pipeline; do
	check_rc "$p --help exits 0" 0 "$BIN/$p" --help
	check_grep "$p --help documents --set" "set SECTION.KEY=VAL" "$TEST_TMP/out"
	check_grep "$p --help lists the exit codes" "130  interrupted" "$TEST_TMP/out"
	check_rc "$p --version exits 0" 0 "$BIN/$p" --version
	check_grep "$p --version names the program and version" "^$p (animewiki-import) [0-9]" "$TEST_TMP/out"
	check_rc "$p: unknown option is a usage error (2)" 2 "$BIN/$p" --bogus
	check_grep "$p: the message names the option" "unknown option '--bogus'" "$TEST_TMP/err"
done

cat >bad.conf <<'CONF'
[pipeline]
work_dir = w

[fetch]
delay = soon
concurency = 2
[load]
database = x.db
CONF
check_rc "bad config: exit 3" 3 "$BIN/fetch" --config bad.conf
check_grep "bad value names file, line and key" "bad.conf:5: \[fetch\] delay: 'soon' is not a number" "$TEST_TMP/err"
check_grep "unknown key names file, line and key" "bad.conf:6: unknown key 'concurency' in \[fetch\]" "$TEST_TMP/err"
check "nothing was done: no work directory" "no" "$([ -e w ] && echo yes || echo no)"
check_rc "missing --config file: exit 3" 3 "$BIN/parse" --config nowhere.conf
check_grep "names the missing file" "cannot read config 'nowhere.conf'" "$TEST_TMP/err"
check_rc "bad --set value: exit 3" 3 "$BIN/load" --set fetch.concurrency=0
check_grep "--set error names the key" "\[fetch\] concurrency: 0 is out of range" "$TEST_TMP/err"
check_rc "--set of an unknown key: exit 3" 3 "$BIN/load" --set load.datbase=x
check_rc "--set without '=': exit 3" 3 "$BIN/load" --set load.database

# --set overrides the file; relative paths in the file follow the file
mkdir -p sub
printf '[pipeline]\nwork_dir = wd\n[load]\ndatabase = my.db\n' >sub/p.conf
check_rc "--dump-config" 0 "$BIN/pipeline" --config sub/p.conf --set fetch.delay=3 --dump-config
check_grep "a value from the file shows its line" "^work_dir = wd    ; sub/p.conf:2" "$TEST_TMP/out"
check_grep "--set overrides" "^delay = 3    ; --set" "$TEST_TMP/out"
check_grep "defaults are shown as such" "^concurrency = 1    ; default" "$TEST_TMP/out"

# pipeline.conf documents exactly the keys the programs know
"$BIN/pipeline" --config /dev/null --dump-config 2>/dev/null | awk -F' = ' '/^\[/{s=$0} / = /{print s, $1}' | sort >known
awk -F' *= *' '/^\[/{s=$0} /^[a-z_]+ *=/{print s, $1}' "$TOP/pipeline.conf" | sort >documented
check "pipeline.conf sets every known key once, and no other" "" "$(diff known documented)"
check_rc "the shipped pipeline.conf is valid" 0 "$BIN/pipeline" --config "$TOP/pipeline.conf" --dump-config

# pipeline option errors
check_rc "--only with an unknown stage: exit 2" 2 "$BIN/pipeline" --only fetc
check_grep "names the stage" "unknown stage 'fetc'" "$TEST_TMP/err"
check_rc "--from after --to: exit 2" 2 "$BIN/pipeline" --config /dev/null --set pipeline.work_dir=w2 --from load --to parse
check_rc "normalize --explain date" 0 "$BIN/normalize" --config /dev/null --explain date "Sept. 5, 2001"
check_grep "explains the ISO result" "^date:     2001-09-05" "$TEST_TMP/out"
check_grep "and the rule" "^rule:     month-day-year" "$TEST_TMP/out"
t_done
