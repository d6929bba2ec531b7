# entra2port — plain GNU make.  See README.md.

VERSION  = 0.1.0
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=
BUILD   ?= build

CC      ?= cc
CFLAGS  ?= -O2 -g
WARNINGS = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
	   -Wmissing-prototypes -Wpointer-arith -Wcast-qual -Wwrite-strings \
	   -Wvla -Wno-unused-parameter
ifdef CI
WARNINGS += -Werror
endif
CPPFLAGS += -std=c11 -D_GNU_SOURCE -DE2P_VERSION='"$(VERSION)"' -Isrc \
	    -I/usr/include/cjson
LDLIBS   += -lcurl -ljq -lonig -lyaml -lcjson -lcrypto -lm

SRCS := $(wildcard src/*.c)
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/%.o,$(filter-out src/main.c,$(SRCS)))
UNIT_SRCS := $(wildcard tests/unit/t_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
BIN := $(BUILD)/entra2port

all: entra2port

entra2port: $(BIN)
	@if [ "$(BUILD)" = build ]; then cp $(BIN) entra2port; fi

# Check (and as root install) the Debian packages before the first build.
$(BUILD)/.deps: scripts/deps.sh | $(BUILD)
	@sh scripts/deps.sh
	@touch $@

$(LIB_OBJS) $(BUILD)/main.o: $(BUILD)/.deps

$(BIN): $(LIB_OBJS) $(BUILD)/main.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: src/%.c $(wildcard src/*.h) | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARNINGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/tap.h $(LIB_OBJS) | $(BUILD)
	@mkdir -p $(BUILD)/tests
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARNINGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(UNIT_WRAP) $(LDLIBS)

# t_port and t_auth replace the HTTP engine with tests/fuzz/fake_http.h
# (t_auth also the clock).
$(BUILD)/tests/t_port $(BUILD)/tests/t_auth: CPPFLAGS += -Itests/fuzz
$(BUILD)/tests/t_port: UNIT_WRAP = \
	-Wl,--wrap=http_submit,--wrap=http_auth_ready,--wrap=http_host_backoff
$(BUILD)/tests/t_auth: UNIT_WRAP = \
	-Wl,--wrap=http_submit,--wrap=http_auth_ready,--wrap=http_host_backoff \
	-Wl,--wrap=http_now
$(BUILD)/tests/t_port $(BUILD)/tests/t_auth: tests/fuzz/fake_http.h

$(BUILD):
	@mkdir -p $(BUILD)

units: $(UNIT_BINS)

# The whole suite: unit tests, then end-to-end scenarios against the fakes.
test: $(BIN) $(UNIT_BINS)
	@E2P_BIN=$(abspath $(BIN)) E2P_UNITS="$(abspath $(UNIT_BINS))" \
		sh tests/run.sh

# The same suite with AddressSanitizer and UndefinedBehaviorSanitizer.
check:
	$(MAKE) BUILD=build/san \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined" \
		LDFLAGS="-fsanitize=address,undefined" test

# The safety invariant under many seeded random fault plans (the suite
# runs a few): nothing present before a faulty run may be lost.
SEEDS ?= 200
safety: $(BIN)
	@E2P_BIN=$(abspath $(BIN)) E2P_UNITS= E2P_ONLY=t1210 \
		E2P_TIMEOUT=$$(( $(SEEDS) * 10 + 60 )) \
		E2P_SAFETY_REPORT=$(abspath $(BUILD))/safety.txt \
		E2P_SAFETY_SEEDS="$$(seq 1 $(SEEDS))" sh tests/run.sh
	@cat $(BUILD)/safety.txt

# The mutation check (not part of test): each one-line bug of
# tests/mutants.tsv, in a scratch copy, must fail the tests named for it.
# MUTANTS=id,... or MUTANTS=src/http.c runs a subset; MUTATE_JOBS=2.
mutate:
	@python3 scripts/mutate.py

demo: entra2port
	@sh tests/demo.sh

bench: entra2port
	@sh bench/run.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=missingIncludeSystem -Isrc src
	clang-tidy --quiet --warnings-as-errors='*' \
		-checks='-*,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,-clang-analyzer-valist.Uninitialized' \
		src/*.c -- $(CPPFLAGS)
	mandoc -Tlint -Wwarning man/entra2port.1 man/entra2port.5
	sh scripts/layers.sh
	clang-format --dry-run --Werror $(FORMAT_SRCS)

# The layout .clang-format describes (KNF); lint fails on any drift.
FORMAT_SRCS = src/*.c src/*.h tests/unit/*.c tests/unit/*.h
format:
	clang-format -i $(FORMAT_SRCS)

install: entra2port
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 entra2port $(DESTDIR)$(BINDIR)/entra2port
	install -m 644 man/entra2port.1 $(DESTDIR)$(MANDIR)/man1/entra2port.1
	install -m 644 man/entra2port.5 $(DESTDIR)$(MANDIR)/man5/entra2port.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/entra2port $(DESTDIR)$(MANDIR)/man1/entra2port.1 \
		$(DESTDIR)$(MANDIR)/man5/entra2port.5

clean:
	rm -rf build entra2port

# A versioned source tarball, entra2port-$(VERSION).tar.gz in DISTDIR: the
# files git tracks (or, outside a git checkout, every file but the build
# outputs), under entra2port-$(VERSION)/.  It builds and passes make test
# on its own (tests/e2e/t1417-dist-and-recipes.sh).
DIST    = entra2port-$(VERSION)
DISTDIR ?= .
dist:
	@set -e; \
	files=$$(git ls-files 2>/dev/null) || files=$$(find . -type f \
	    ! -path './.git/*' ! -path './build/*' ! -name '*.tar.gz' \
	    ! -path './entra2port' | sed 's|^\./||' | sort); \
	rm -rf $(BUILD)/$(DIST); mkdir -p $(BUILD)/$(DIST); \
	printf '%s\n' $$files | tar -cf - -T - | tar -xf - -C $(BUILD)/$(DIST); \
	tar -czf $(DISTDIR)/$(DIST).tar.gz -C $(BUILD) $(DIST); \
	rm -rf $(BUILD)/$(DIST); \
	echo "$(DISTDIR)/$(DIST).tar.gz"

.PHONY: all entra2port units test check safety mutate demo bench lint format \
	install uninstall clean dist \
	fuzz fuzz-build fuzz-bins valgrind

# Fuzzing with libFuzzer (clang): the src objects built with the fuzzer's
# coverage and ASan + UBSan in build/fuzz/obj, one harness per target in
# tests/fuzz, each run FUZZ_SECONDS with its seed corpus; new inputs go to
# build/fuzz/corpus-<target>, crashes to build/fuzz/crashes.  See
# tests/fuzz/README.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR      = build/fuzz
FUZZ_TARGETS  = fuzz_mapping fuzz_graph_page fuzz_port_reply \
		fuzz_graph_batch fuzz_token_reply
FUZZ_BINS     = $(patsubst %,$(FUZZ_DIR)/%,$(FUZZ_TARGETS))
FUZZ_CFLAGS   = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link \
		$(FUZZ_FLAGS)

fuzz: fuzz-build
	@$(MAKE) --no-print-directory $(patsubst %,fuzz-run-%,$(FUZZ_TARGETS))

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR)/obj CC=$(FUZZ_CC) \
		CFLAGS="$(FUZZ_CFLAGS)" fuzz-bins

fuzz-bins: $(FUZZ_BINS)

# The reply harnesses replace the HTTP engine (tests/fuzz/fake_http.h).
$(FUZZ_DIR)/fuzz_port_reply $(FUZZ_DIR)/fuzz_graph_batch \
$(FUZZ_DIR)/fuzz_token_reply: FUZZ_WRAP = \
	-Wl,--wrap=http_submit,--wrap=http_auth_ready,--wrap=http_host_backoff \
	-Wl,--wrap=http_flush,--wrap=http_retry_wait

$(FUZZ_BINS): $(FUZZ_DIR)/%: tests/fuzz/%.c tests/fuzz/fake_http.h $(LIB_OBJS)
	$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) $(WARNINGS) -fsanitize=fuzzer \
		-o $@ $< \
		$(LIB_OBJS) $(FUZZ_WRAP) $(LDLIBS)

fuzz-run-%:
	@sh tests/fuzz/run.sh $* $(FUZZ_SECONDS)

# The whole suite under valgrind (a plain -O1 build in build/vg).
valgrind:
	$(MAKE) BUILD=build/vg CFLAGS="-O1 -g" build/vg/entra2port units
	@sh tests/valgrind.sh build/vg
