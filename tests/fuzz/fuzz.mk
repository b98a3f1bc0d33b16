# tests/fuzz/fuzz.mk: libFuzzer harnesses (included by the Makefile).
#
#   make fuzz-build          build every harness into build/fuzz/
#   make fuzz                run each harness FUZZ_TIME seconds (default 60);
#                            stop at the first finding, copy the input into
#                            tests/fuzz/crashes/TARGET/ and print it
#   make fuzz FUZZ_TARGETS="date url" FUZZ_TIME=600
#   make fuzz-replay         run every committed seed and crash input once
#
# The harnesses and the project sources they test are compiled with clang
# and -fsanitize=fuzzer,address,undefined into build/fuzz/ (objects apart
# from build/*.o, which cc builds without instrumentation). See
# tests/fuzz/README.md.

FUZZ_CC      ?= clang
FUZZ_TIME    ?= 60
FUZZ_TARGETS ?= date runtime names config robots url page
FUZZ_ARGS    ?=
FZ           := build/fuzz
FUZZ_SAN     := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -fno-omit-frame-pointer
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE $(WARN) -Ilib -Ifetch -Iparse -Inormalize \
                -DPROJECT_VERSION='"$(VERSION)"' -MMD -MP -O1 -g $(FUZZ_SAN) \
                $(BASE_CFLAGS) $(shell $(PKG) --cflags $(PC_FETCH) $(PC_PARSE) $(PC_NORM) 2>/dev/null)
# The page harness reads the site profile of this checkout by default.
$(FZ)/obj/tests/fuzz/fuzz_page.o: FUZZ_CFLAGS += -DFUZZ_PROFILE_DEFAULT='"$(CURDIR)/parse/animevice.ini"'
FUZZ_LIBS     = $(shell $(PKG) --libs $(PC_FETCH) $(PC_PARSE) $(PC_NORM) 2>/dev/null) $(BASE_LIBS)

# The project's sources each harness needs besides lib/ (an archive).
FUZZ_SRC_date    := normalize/date.c
FUZZ_SRC_runtime := normalize/runtime.c
FUZZ_SRC_names   := normalize/names.c normalize/text.c
FUZZ_SRC_config  :=
FUZZ_SRC_robots  := fetch/robots.c
FUZZ_SRC_url     := fetch/url.c
FUZZ_SRC_page    := $(filter-out parse/parse.c,$(wildcard parse/*.c))

FUZZ_ALL  := date runtime names config robots url page
FUZZ_BINS := $(FUZZ_ALL:%=$(FZ)/fuzz_%)
FUZZ_LIBA := $(FZ)/libpipeline.a

.PHONY: fuzz fuzz-build fuzz-replay fuzz-probe
fuzz-build: $(FUZZ_BINS)

# A clear message when clang or its libFuzzer runtime is missing.
$(FZ)/.probe:
	@mkdir -p $(FZ)
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >$(FZ)/probe.c
	@$(FUZZ_CC) $(FUZZ_SAN) -o $(FZ)/probe $(FZ)/probe.c 2>$(FZ)/probe.log || { \
	  echo "fuzz: '$(FUZZ_CC) -fsanitize=fuzzer' does not work; install clang with its" >&2; \
	  echo "fuzz: libFuzzer runtime (Debian 12: apt-get install clang libclang-rt-14-dev)" >&2; \
	  sed 's/^/fuzz:   /' $(FZ)/probe.log | head -5 >&2; exit 1; }
	@touch $@
fuzz-probe: $(FZ)/.probe

$(FZ)/obj/%.o: %.c | $(FZ)/.probe
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_LIBA): $(LIB_SRC:%.c=$(FZ)/obj/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

define FUZZ_LINK
$(FZ)/fuzz_$(1): $(FZ)/obj/tests/fuzz/fuzz_$(1).o $(FUZZ_SRC_$(1):%.c=$(FZ)/obj/%.o) $(FUZZ_LIBA)
	$$(FUZZ_CC) $$(FUZZ_SAN) $$(LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(FUZZ_LIBA) $$(FUZZ_LIBS)
endef
$(foreach t,$(FUZZ_ALL),$(eval $(call FUZZ_LINK,$(t))))

# Each harness FUZZ_TIME seconds on a scratch corpus grown from the
# committed seeds and crash inputs. A finding stops the run: its input is
# copied to tests/fuzz/crashes/TARGET/ (commit it; make check replays it).
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FZ)/corpus/$$t $(FZ)/artifacts/$$t tests/fuzz/crashes/$$t; \
	  rm -f $(FZ)/artifacts/$$t/*; \
	  echo "== fuzz_$$t: $(FUZZ_TIME) s"; \
	  $(FZ)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$(FZ)/artifacts/$$t/ $(FUZZ_ARGS) \
	    $(FZ)/corpus/$$t tests/fuzz/corpus/$$t tests/fuzz/crashes/$$t \
	    >$(FZ)/fuzz_$$t.log 2>&1; rc=$$?; \
	  grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)|^Done [0-9]+ runs|^stat::(number_of_executed_units|peak_rss_mb)' \
	    $(FZ)/fuzz_$$t.log | sed 's/^/   /'; \
	  if [ $$rc -ne 0 ]; then \
	    grep -E 'ERROR|INVARIANT|SUMMARY|runtime error|^  ' $(FZ)/fuzz_$$t.log | head -20 | sed 's/^/   | /'; \
	    for a in $(FZ)/artifacts/$$t/*; do \
	      [ -f "$$a" ] || continue; \
	      dest=$$(for f in tests/fuzz/crashes/$$t/*; do cmp -s "$$a" "$$f" && echo "$$f"; done | head -1); \
	      if [ -n "$$dest" ]; then echo "fuzz_$$t: FINDING (exit $$rc), the input of $$dest (already saved):"; \
	      else dest=tests/fuzz/crashes/$$t/$$(basename "$$a"); cp "$$a" "$$dest"; \
	        echo "fuzz_$$t: FINDING (exit $$rc), input saved as $$dest:"; fi; \
	      od -c "$$dest" | head -20; \
	      echo "replay: $(FZ)/fuzz_$$t $$dest   (log: $(FZ)/fuzz_$$t.log)"; \
	    done; \
	    exit 1; \
	  fi; \
	done; echo "fuzz: no findings in $(FUZZ_TARGETS)"

fuzz-replay: fuzz-build
	@for t in $(FUZZ_ALL); do \
	  files=$$(find tests/fuzz/corpus/$$t tests/fuzz/crashes/$$t -type f ! -name .gitkeep 2>/dev/null); \
	  [ -z "$$files" ] && continue; \
	  $(FZ)/fuzz_$$t $$files >$(FZ)/replay_$$t.log 2>&1 || { echo "fuzz_$$t: replay failed (log: $(FZ)/replay_$$t.log)"; exit 1; }; \
	  echo "fuzz_$$t: $$(echo "$$files" | wc -l) inputs replayed"; \
	done
