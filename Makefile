# animewiki-import: build, test, demo, install.
#
#   make            build bin/fetch bin/parse bin/normalize bin/load bin/pipeline
#   make demo       install missing Debian packages, build, run the pipeline
#                   on the bundled sample wiki
#   make check      build and run every test, then all of them again built
#                   with AddressSanitizer and UBSan (about 6 + 6 minutes)
#   make check-plain, make check-asan   one of the two
#   make soak       the long reliability tests: faults over 20 seeds, 20 kill
#                   points per stage, valgrind (tests/soak.sh; ~11 minutes)
#   make install    install under $(PREFIX) (default /usr/local), honours DESTDIR:
#                   programs, configuration, site profile, mapping files, man
#                   pages, README, systemd units, crontab line (see "Install")
#   make uninstall  remove them, but not the configuration and the data
#   make man        check that every man page renders without a warning
#
# The user's CFLAGS/LDFLAGS are kept; the project's flags are added beside them.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
CC       ?= cc
CFLAGS   ?= -O2 -g
PKG      ?= pkg-config

# Output directories: objects and unit tests under $(B), programs in $(BIN).
B        ?= build
BIN      ?= bin

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Ilib -DPROJECT_VERSION='"$(VERSION)"' \
             -MMD -MP $(CFLAGS)

# Library flags, each only where it is used.
PC_BASE  := sqlite3 libpcre2-8 inih jansson nettle libxxhash
PC_FETCH := libcurl libxml-2.0
PC_PARSE := libxml-2.0
PC_NORM  := libutf8proc libxml-2.0 yajl
PC_LOAD  := yajl libutf8proc
BASE_CFLAGS := $(shell $(PKG) --cflags $(PC_BASE) 2>/dev/null)
BASE_LIBS   := $(shell $(PKG) --libs $(PC_BASE) 2>/dev/null) -lm -pthread

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=$(B)/%.o)
LIBA     := $(B)/libpipeline.a

FETCH_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard fetch/*.c))
PARSE_OBJ := $(patsubst %.c,$(B)/%.o,$(wildcard parse/*.c))
NORM_OBJ  := $(patsubst %.c,$(B)/%.o,$(wildcard normalize/*.c))
LOAD_OBJ  := $(patsubst %.c,$(B)/%.o,$(wildcard load/*.c))
PIPE_OBJ  := $(patsubst %.c,$(B)/%.o,$(wildcard pipeline/*.c))
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)

PROGS := $(BIN)/fetch $(BIN)/parse $(BIN)/normalize $(BIN)/load $(BIN)/pipeline

.PHONY: all demo check check-plain check-asan soak test unit deps clean install uninstall man
all: $(PROGS)

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_FETCH) $(PC_NORM)) -c $< -o $@
$(B)/fetch/%.o: fetch/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_FETCH)) -c $< -o $@
$(B)/parse/%.o: parse/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_PARSE)) -c $< -o $@
$(B)/normalize/%.o: normalize/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_NORM)) -c $< -o $@
$(B)/load/%.o: load/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_LOAD)) -c $< -o $@
$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN)/fetch: $(FETCH_OBJ) $(LIBA)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG) --libs $(PC_FETCH)) $(BASE_LIBS)
$(BIN)/parse: $(PARSE_OBJ) $(LIBA)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG) --libs $(PC_PARSE)) $(BASE_LIBS)
$(BIN)/normalize: $(NORM_OBJ) $(LIBA)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG) --libs $(PC_NORM)) $(BASE_LIBS)
$(BIN)/load: $(LOAD_OBJ) $(LIBA)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG) --libs $(PC_LOAD)) $(BASE_LIBS)
$(BIN)/pipeline: $(PIPE_OBJ) $(LIBA)
	@mkdir -p $(BIN)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(BASE_LIBS)

# Unit tests link the library and the stages' modules (all but their main files).
MOD_OBJ := $(filter-out $(B)/fetch/fetch.o $(B)/parse/parse.o $(B)/normalize/normalize.o,\
             $(FETCH_OBJ) $(PARSE_OBJ) $(NORM_OBJ))
$(B)/tests/%: tests/unit/%.c $(MOD_OBJ) $(LIBA)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Ifetch -Iparse -Inormalize $(BASE_CFLAGS) \
	  $(shell $(PKG) --cflags $(PC_FETCH) $(PC_NORM)) $(LDFLAGS) -o $@ $< $(MOD_OBJ) $(LIBA) \
	  $(shell $(PKG) --libs $(PC_FETCH) $(PC_NORM)) $(BASE_LIBS)

deps:
	scripts/install-deps.sh

demo: deps
	$(MAKE) all
	tests/demo.sh

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do echo "== $$t"; $$t || exit 1; done

# make check: the suite on the normal build, then the same suite built
# with AddressSanitizer and UBSan (CI runs make check, so both). make
# check-plain and make check-asan run one of them.
check: check-plain
	$(MAKE) check-asan

check-plain: all $(UNIT_BIN)
	B=$(B) BIN=$(BIN) tests/run.sh

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check-asan:
	$(MAKE) B=build/asan BIN=build/asan/bin CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" check-plain

soak: all
	B=$(B) BIN=$(BIN) tests/soak.sh

test: check

# make install. The configuration directory holds pipeline.conf with the
# site profile and the mapping files beside it (its relative paths name
# them; all four are yours to edit: a reinstall keeps them and puts the new
# ones in $(SHAREDIR)). The installed pipeline.conf puts the work directory
# and the database in $(STATEDIR). Paths written in the man pages and
# contrib/ are those of the default install; the installed copies get the
# real ones.
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
DOCDIR     ?= $(DATADIR)/doc/animewiki-import
UNITDIR    ?= $(PREFIX)/lib/systemd/system
STATEDIR   ?= /var/lib/animewiki-import
CONFDIR     = $(SYSCONFDIR)/animewiki-import
SHAREDIR    = $(DATADIR)/animewiki-import
MANPAGES   := man/fetch.1 man/parse.1 man/normalize.1 man/load.1 man/pipeline.1
CONTRIB    := contrib/animewiki-import.service contrib/animewiki-import.timer \
              contrib/animewiki-import.cron
INSTALL_PATHS = sed -e 's|/usr/local/etc/animewiki-import|$(CONFDIR)|g' \
	-e 's|/usr/local/share/doc/animewiki-import|$(DOCDIR)|g' \
	-e 's|/usr/local/share/animewiki-import|$(SHAREDIR)|g' \
	-e 's|/usr/local/lib/systemd/system|$(UNITDIR)|g' \
	-e 's|/usr/local/bin|$(BINDIR)|g' \
	-e 's|/var/lib/animewiki-import|$(STATEDIR)|g'
STAGE_DIR   = $(B)/install

install: all
	@rm -rf $(STAGE_DIR) && mkdir -p $(STAGE_DIR)/man $(STAGE_DIR)/contrib
	{ echo '; Installed by make install: the site profile (animevice.ini), the role'; \
	  echo '; mapping (roles.tsv) and the overrides (overrides.txt) are beside this'; \
	  echo '; file; the work directory and the database are in $(STATEDIR).'; \
	  sed -e 's|^work_dir = work$$|work_dir = $(STATEDIR)/work|' \
	      -e 's|^profile = parse/animevice.ini$$|profile = animevice.ini|' \
	      -e 's|^roles = normalize/roles.tsv$$|roles = roles.tsv|' \
	      -e 's|^overrides = normalize/overrides.txt$$|overrides = overrides.txt|' \
	      -e 's|^database = anime.db$$|database = $(STATEDIR)/anime.db|' pipeline.conf; \
	} >$(STAGE_DIR)/pipeline.conf
	@for l in 'work_dir = $(STATEDIR)/work' 'profile = animevice.ini' 'roles = roles.tsv' \
	          'overrides = overrides.txt' 'database = $(STATEDIR)/anime.db'; do \
	  grep -qxF "$$l" $(STAGE_DIR)/pipeline.conf || \
	    { echo "install: cannot write '$$l' into the installed pipeline.conf" >&2; exit 1; }; done
	cp parse/animevice.ini normalize/roles.tsv normalize/overrides.txt $(STAGE_DIR)/
	for f in $(MANPAGES) $(CONTRIB); do $(INSTALL_PATHS) $$f >$(STAGE_DIR)/$$f || exit 1; done
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(SHAREDIR)/contrib \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)
	cd $(STAGE_DIR) && install -m 644 pipeline.conf animevice.ini roles.tsv overrides.txt \
	  $(DESTDIR)$(SHAREDIR)
	@cd $(STAGE_DIR) && for f in pipeline.conf animevice.ini roles.tsv overrides.txt; do \
	  if [ ! -e $(DESTDIR)$(CONFDIR)/$$f ]; then \
	    echo "install -m 644 $$f $(DESTDIR)$(CONFDIR)"; install -m 644 $$f $(DESTDIR)$(CONFDIR) || exit 1; \
	  elif ! cmp -s $$f $(DESTDIR)$(CONFDIR)/$$f; then \
	    echo "install: kept your $(CONFDIR)/$$f; the new one is $(SHAREDIR)/$$f"; fi; done
	install -m 644 $(STAGE_DIR)/contrib/animewiki-import.cron $(DESTDIR)$(SHAREDIR)/contrib
	install -m 644 $(STAGE_DIR)/contrib/animewiki-import.service \
	  $(STAGE_DIR)/contrib/animewiki-import.timer $(DESTDIR)$(UNITDIR)
	install -m 644 $(addprefix $(STAGE_DIR)/,$(MANPAGES)) $(DESTDIR)$(MANDIR)/man1
	install -m 644 README.md $(DESTDIR)$(DOCDIR)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,fetch parse normalize load pipeline)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))
	rm -f $(DESTDIR)$(UNITDIR)/animewiki-import.service $(DESTDIR)$(UNITDIR)/animewiki-import.timer
	rm -rf $(DESTDIR)$(SHAREDIR) $(DESTDIR)$(DOCDIR)
	@echo "uninstall: kept the configuration ($(CONFDIR)) and the data ($(STATEDIR))"

man:
	@for p in $(MANPAGES); do \
	  w=$$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l $$p 2>&1 >/dev/null); \
	  [ -z "$$w" ] || { echo "$$p:"; echo "$$w"; exit 1; }; done
	@echo "man: $(MANPAGES) render without a warning"

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)

# make bench: see bench/bench.py (BENCH_PAGES, BENCH_RUNS, BENCH_SEED).
$(B)/bench/htmlread: bench/htmlread.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG) --cflags libxml-2.0) $(LDFLAGS) -o $@ $< $(shell $(PKG) --libs libxml-2.0)

.PHONY: bench
bench: all $(B)/bench/htmlread
	python3 bench/bench.py

include tests/fuzz/fuzz.mk
