# animewiki-import: build, test, demo, install.
#
#   make            build bin/fetch bin/parse bin/normalize bin/load bin/pipeline
#   make demo       install missing Debian packages, build, run the pipeline
#                   on the bundled sample wiki
#   make check      build and run every test
#   make check-asan the same, built with AddressSanitizer and UBSan
#   make install    install under $(PREFIX) (default /usr/local), honours DESTDIR
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
PC_BASE  := sqlite3 libpcre2-8 inih jansson libcrypto
PC_FETCH := libcurl libxml-2.0
PC_PARSE := libxml-2.0
PC_NORM  := libutf8proc libxml-2.0 yajl
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

.PHONY: all demo check check-asan test unit deps clean install
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
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(BASE_LIBS)
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

check: all $(UNIT_BIN)
	B=$(B) BIN=$(BIN) tests/run.sh

SAN := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
check-asan:
	$(MAKE) B=build/asan BIN=build/asan/bin CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" check

test: check

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)

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
