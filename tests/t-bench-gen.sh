#!/usr/bin/env bash
# The benchmark's wiki generator (bench/gen-wiki.py): determinism, every
# variation present, mutate, and the corpus served by nginx and by the
# fixture server. The timed 20,000-page run is left to `make bench`.
export SKIP_FULL=1
exec bash "$(dirname "$0")/../bench/test-gen.sh"
