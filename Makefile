# animewiki-import: build, test, demo, install.
#
#   make            build bin/fetch bin/parse bin/normalize bin/load bin/pipeline
#   make demo       install missing Debian packages, build, run the pipeline
#                   on the bundled sample wiki
#   make check      build and run every test
#   make install    install under $(PREFIX) (default /usr/local), honours DESTDIR
#
# The user's CFLAGS/LDFLAGS are kept; the project's flags are added beside them.

VERSION  := 0.1.0
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
CC       ?= cc
CFLAGS   ?= -O2 -g
PKG      ?= pkg-config

WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Ilib -DPROJECT_VERSION='"$(VERSION)"' \
             -MMD -MP $(CFLAGS)

# Library flags, each only where it is used.
PC_BASE  := sqlite3 libpcre2-8 inih jansson libcrypto
PC_FETCH := libcurl libxml-2.0
PC_PARSE := libxml-2.0
PC_NORM  := libutf8proc libxml-2.0
BASE_CFLAGS := $(shell $(PKG) --cflags $(PC_BASE) 2>/dev/null)
BASE_LIBS   := $(shell $(PKG) --libs $(PC_BASE) 2>/dev/null) -lm

LIB_SRC  := $(wildcard lib/*.c)
LIB_OBJ  := $(LIB_SRC:%.c=build/%.o)
LIBA     := build/libpipeline.a

FETCH_OBJ := $(patsubst %.c,build/%.o,$(wildcard fetch/*.c))
PARSE_OBJ := $(patsubst %.c,build/%.o,$(wildcard parse/*.c))
NORM_OBJ  := $(patsubst %.c,build/%.o,$(wildcard normalize/*.c))
LOAD_OBJ  := $(patsubst %.c,build/%.o,$(wildcard load/*.c))
PIPE_OBJ  := $(patsubst %.c,build/%.o,$(wildcard pipeline/*.c))
UNIT_SRC  := $(wildcard tests/unit/*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=build/tests/%)

PROGS := bin/fetch bin/parse bin/normalize bin/load bin/pipeline

.PHONY: all demo check test unit deps clean install
all: $(PROGS)

build/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_FETCH) $(PC_NORM)) -c $< -o $@
build/fetch/%.o: fetch/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_FETCH)) -c $< -o $@
build/parse/%.o: parse/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_PARSE)) -c $< -o $@
build/normalize/%.o: normalize/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_NORM)) -c $< -o $@
build/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(BASE_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

bin/fetch: $(FETCH_OBJ) $(LIBA)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG) --libs $(PC_FETCH)) $(BASE_LIBS)
bin/parse: $(PARSE_OBJ) $(LIBA)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG) --libs $(PC_PARSE)) $(BASE_LIBS)
bin/normalize: $(NORM_OBJ) $(LIBA)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG) --libs $(PC_NORM)) $(BASE_LIBS)
bin/load: $(LOAD_OBJ) $(LIBA)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(BASE_LIBS)
bin/pipeline: $(PIPE_OBJ) $(LIBA)
	@mkdir -p bin
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(BASE_LIBS)

# Unit tests link the library and the stages' modules (all but their main files).
MOD_OBJ := $(filter-out build/fetch/fetch.o build/parse/parse.o build/normalize/normalize.o,\
             $(FETCH_OBJ) $(PARSE_OBJ) $(NORM_OBJ))
build/tests/%: tests/unit/%.c $(MOD_OBJ) $(LIBA)
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
	tests/run.sh

test: check

install: all
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
