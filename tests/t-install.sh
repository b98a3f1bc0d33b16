#!/usr/bin/env bash
# make install: with DESTDIR (the layout, the paths written into the
# installed configuration, units and man pages; the installed programs run
# with the installed configuration, site profile and mapping files; a
# reinstall keeps the user's edits; uninstall), and into a PREFIX of its
# own, whose installed pipeline runs against the fixture server with its
# installed configuration alone. Every man page renders and documents its
# program's options, the exit codes and (pipeline.1) every key.
. "$(dirname "$0")/lib.sh"
B=${B:-build}
mk() { make -s -C "$TOP" B="$B" BIN="$BIN" "$@"; }

# ---- make install DESTDIR=... PREFIX=/usr ----
D=$TEST_TMP/dest
check_rc "make install DESTDIR=... PREFIX=/usr" 0 mk install DESTDIR="$D" PREFIX=/usr
for p in fetch parse normalize load pipeline; do
	check "bin/$p installed, executable" "yes" "$([ -x "$D/usr/bin/$p" ] && echo yes)"
	check "man page $p.1 installed" "yes" "$([ -f "$D/usr/share/man/man1/$p.1" ] && echo yes)"
done
CONF=$D/etc/animewiki-import/pipeline.conf
check "with PREFIX=/usr the configuration goes to /etc: pipeline.conf, profile, mapping files" \
	"animevice.ini overrides.txt pipeline.conf roles.tsv" "$(cd "$D/etc/animewiki-import" && echo *)"
check "pristine copies in share/animewiki-import" "animevice.ini contrib overrides.txt pipeline.conf roles.tsv" \
	"$(cd "$D/usr/share/animewiki-import" && echo *)"
check "the site profile installed as shipped" "" "$(cmp "$TOP/parse/animevice.ini" "$D/etc/animewiki-import/animevice.ini")"
check "the role mapping installed as shipped" "" "$(cmp "$TOP/normalize/roles.tsv" "$D/etc/animewiki-import/roles.tsv")"
check "systemd units and the README installed" "yes" \
	"$([ -f "$D/usr/lib/systemd/system/animewiki-import.service" ] && [ -f "$D/usr/lib/systemd/system/animewiki-import.timer" ] &&
	   [ -f "$D/usr/share/doc/animewiki-import/README.md" ] && echo yes)"
check "the installed pipeline.conf names the files beside it and the state directory" \
	"work_dir = /var/lib/animewiki-import/work
profile = animevice.ini
roles = roles.tsv
overrides = overrides.txt
database = /var/lib/animewiki-import/anime.db" \
	"$(grep -E '^(work_dir|profile|roles|overrides|database) =' "$CONF")"
check "the service runs the installed pipeline with the installed configuration" \
	"ExecStart=/usr/bin/pipeline --config /etc/animewiki-import/pipeline.conf" \
	"$(grep '^ExecStart=' "$D/usr/lib/systemd/system/animewiki-import.service")"
check "the timer runs nightly with a randomized delay" "OnCalendar=*-*-* 03:00:00
RandomizedDelaySec=1h" "$(grep -E '^(OnCalendar|RandomizedDelaySec)=' "$D/usr/lib/systemd/system/animewiki-import.timer")"
check_grep "the crontab line runs the installed pipeline" \
	'^17 3 \* \* \* animewiki .*/usr/bin/pipeline --config /etc/animewiki-import/pipeline.conf' \
	"$D/usr/share/animewiki-import/contrib/animewiki-import.cron"
check_grep "the installed pipeline.1 names the installed configuration" '/etc/animewiki\\-import/pipeline.conf' \
	"$D/usr/share/man/man1/pipeline.1"

# the installed programs, with the installed configuration
for p in fetch parse normalize load pipeline; do
	check_rc "installed $p --version" 0 "$D/usr/bin/$p" --version
	check_grep "installed $p --version names it" "^$p (animewiki-import) [0-9]" "$TEST_TMP/out"
done
check_rc "the installed configuration is valid" 0 "$D/usr/bin/pipeline" --config "$CONF" --dump-config
check_grep "and is where the values come from" "^profile = animevice.ini    ; $CONF:" "$TEST_TMP/out"
check_rc "installed normalize --explain role, with the installed mapping" 0 \
	"$D/usr/bin/normalize" --config "$CONF" --explain role "Key Animation"
check_grep "maps the role through the installed roles.tsv" "key_animation" "$TEST_TMP/out"
printf 'Sakuga Supervisor\tanimation_director\n' >>"$D/etc/animewiki-import/roles.tsv"
check_rc "a role added to the installed roles.tsv" 0 \
	"$D/usr/bin/normalize" --config "$CONF" --explain role "Sakuga Supervisor"
check_grep "is read from there" "animation_director" "$TEST_TMP/out"
check_rc "installed parse --page, with the installed site profile" 0 \
	"$D/usr/bin/parse" --config "$CONF" --page "$TOP/tests/site/memories/12-1401/index.html"
check "reads the page with it (title, first credit)" "Memories|Director" "$(jq -r '"\(.work.title)|\(.work.credits[0].role)"' "$TEST_TMP/out")"

# a run of the installed pipeline: the installed stages, profile and mapping files
server_start "$TOP/tests/site"
W=$TEST_TMP/dw
DB=$W/anime.db
run() {
	"$D/usr/bin/pipeline" --config "$CONF" "$@" --set pipeline.work_dir="$W/work" \
		--set load.database="$DB" --set fetch.start_urls="$SERVER_URL/" \
		--set fetch.delay=0 --set fetch.ignore_crawl_delay=true \
		--set fetch.contact=https://example.org/animewiki-tests
}
check_rc "the installed pipeline runs against the sample wiki" 0 run
check "8 works loaded" "8" "$(q 'select count(*) from works')"
check "the run is recorded" "ok|fetch parse normalize load" "$(q 'select status, stages from runs')"
echo 'name 26-1190 Kōji Morimoto' >>"$D/etc/animewiki-import/overrides.txt"
check_rc "after an edit of the installed overrides file, --from normalize" 0 run --from normalize
check "the installed overrides file decided the name" "Kōji Morimoto" \
	"$(q "select name from people where person_id = '26-1190'")"
check_rc "installed pipeline report" 0 run report
check_grep "prints the report's summary" "^8 works, 25 people, 34 credits, 3 gone$" "$TEST_TMP/out"

# a reinstall keeps what the user edited
check_rc "make install again" 0 mk install DESTDIR="$D" PREFIX=/usr
check_grep "says it kept the edited roles.tsv" "kept your /etc/animewiki-import/roles.tsv; the new one is /usr/share/animewiki-import/roles.tsv" "$TEST_TMP/out"
check "the user's roles.tsv is kept" "1" "$(grep -c '^Sakuga Supervisor' "$D/etc/animewiki-import/roles.tsv")"
check "the new one is beside the shipped files" "" "$(cmp "$TOP/normalize/roles.tsv" "$D/usr/share/animewiki-import/roles.tsv")"

# the man pages
for p in fetch parse normalize load pipeline; do
	page=$D/usr/share/man/man1/$p.1
	warn=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 >/dev/null)
	check "man -l $p.1 renders without a warning" "" "$warn"
	MANWIDTH=200 man -l "$page" 2>/dev/null | col -b >"$TEST_TMP/$p.txt"
	check_grep "$p.1: NAME names the program" "^ *$p - " "$TEST_TMP/$p.txt"
	"$BIN/$p" --help | grep -o -- '--[a-z][a-z-]*' | sort -u >"$TEST_TMP/opts"
	missing=""
	while read -r o; do grep -q -- "$o" "$TEST_TMP/$p.txt" || missing="$missing $o"; done <"$TEST_TMP/opts"
	check "$p.1 documents every option of $p --help" "" "$missing"
	missing=""
	for c in 0 1 2 3 4 5 6 7 8 130; do
		grep -q "\b$c\b" <(sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$TEST_TMP/$p.txt") || missing="$missing $c"
	done
	check "$p.1 lists every exit code" "" "$missing"
done
"$BIN/pipeline" --config /dev/null --dump-config | awk -F' = ' '/ = /{print $1}' >"$TEST_TMP/keys"
missing=""
while read -r k; do grep -q "\b$k\b" "$TEST_TMP/pipeline.txt" || missing="$missing $k"; done <"$TEST_TMP/keys"
check "pipeline.1 names every configuration key" "" "$missing"

# uninstall
check_rc "make uninstall" 0 mk uninstall DESTDIR="$D" PREFIX=/usr
check "programs, man pages, units and shared files removed" "" \
	"$(find "$D/usr" -type f | head -5)"
check "the configuration is kept" "animevice.ini overrides.txt pipeline.conf roles.tsv" \
	"$(cd "$D/etc/animewiki-import" && echo *)"

# ---- make install PREFIX=... : the installed configuration alone ----
P=$TEST_TMP/prefix
S=$TEST_TMP/state
check_rc "make install PREFIX=... STATEDIR=..." 0 mk install PREFIX="$P" STATEDIR="$S"
check "the configuration goes to PREFIX/etc" "yes" "$([ -f "$P/etc/animewiki-import/pipeline.conf" ] && echo yes)"
DB=$S/anime.db
check_rc "the installed pipeline with its configuration (only the wiki's address set)" 0 \
	"$P/bin/pipeline" --config "$P/etc/animewiki-import/pipeline.conf" \
	--set fetch.start_urls="$SERVER_URL/" --set fetch.delay=0 --set fetch.ignore_crawl_delay=true
check "the work directory and the database are in STATEDIR" "yes|8" \
	"$([ -f "$S/work/normalized.jsonl" ] && echo yes)|$(q 'select count(*) from works')"
check_rc "its status" 0 "$P/bin/pipeline" --config "$P/etc/animewiki-import/pipeline.conf" status
check_grep "status: everything up to date" "^Everything is up to date" "$TEST_TMP/out"
if command -v systemd-analyze >/dev/null; then
	check_rc "systemd-analyze verify accepts the installed units" 0 systemd-analyze verify --man=no \
		"$P/lib/systemd/system/animewiki-import.service" "$P/lib/systemd/system/animewiki-import.timer"
fi
t_done
