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
	$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(WARNINGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

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

demo: entra2port
	@sh tests/demo.sh

bench: entra2port
	@sh bench/run.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
		--suppress=missingIncludeSystem -Isrc src
	mandoc -Tlint -Wwarning man/entra2port.1 man/entra2port.5

format:
	clang-format -i src/*.c src/*.h tests/unit/*.c tests/unit/*.h

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

.PHONY: all entra2port units test check demo bench lint format install uninstall clean
