# uktv: small Unix tools for a UK TV and streaming guide on AWS.
#
# make                 libuktv (static, shared, uktv.pc) and every binary in cmd/
# make check           unit tests, the SigV4 suite, man lint, bats suites; "N passed, M failed"
# make check SANITIZE=1   the same, built with ASan+UBSan (objects under build-san/)
# make check-valgrind  unit tests and tool suites under valgrind --leak-check=full
# make sigv4-suite SUITE=DIR   run the SigV4 driver on any aws-c-auth style folder
# make install PREFIX=/usr/local DESTDIR=   (LIBDIR=/usr/lib/<multiarch> for Debian)
# make uninstall       removes what install installed (same PREFIX, DESTDIR)
# make demo            the whole pipeline against moto and the Watchmode double

VERSION   = 0.1.0
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
LIBDIR    = $(PREFIX)/lib
PKGCONFIGDIR = $(LIBDIR)/pkgconfig
INCLUDEDIR = $(PREFIX)/include
# Headers are included as <uktv/NAME.h>: libuktv's error.h must never be
# mistaken for the C library's <error.h>.
INCDIR    = $(INCLUDEDIR)/uktv
MANDIR    = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions

CC       ?= cc
# V=1 shows whole command lines.
ifeq ($(V),1)
Q =
E = @true
else
Q = @
E = @echo
endif
# libmicrohttpd: lib/net/httpd (uktv-api's HTTP server).
PKGS      = libcurl json-c libbsd-overlay libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) libcrypto 2>/dev/null)
# The Debian packages that give pkg-config those modules, and the tools.
BUILD_DEBS = build-essential pkg-config libcurl4-openssl-dev libjson-c-dev libssl-dev libbsd-dev \
             libmicrohttpd-dev

ifeq ($(SANITIZE),1)
B        ?= build-san
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
B        ?= build
SANFLAGS  =
endif

WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
CFLAGS   ?= -O2 -g
# The library's floors, lowest first (ARCHITECTURE.md).  Each folder is
# compiled with the include paths of its own floor and those below it only,
# so an include that points up does not compile; tests/layers.bats checks
# the finer rules (stream and guide apart, aws/auth below the AWS client).
LIB_DIRS   = lib/util lib/net lib/aws/auth lib/aws lib/stream lib/guide
# -iquote: a quoted "time.h" is libuktv's, <time.h> stays the C library's.
INC_UTIL   = -iquote lib/util
INC_NET    = $(INC_UTIL) -iquote lib/net
INC_AWS    = $(INC_NET) -iquote lib/aws/auth -iquote lib/aws
INC_STREAM = $(INC_AWS) -iquote lib/stream
# $(B)/gen: files made from lib/guide/app (guideapp_files.h, below).
INC_GUIDE  = $(INC_AWS) -iquote lib/guide -iquote $(B)/gen
# cmd/common: tool-only code that may print and exit; never installed.
INC_ALL    = $(INC_AWS) -iquote lib/stream -iquote lib/guide -iquote cmd/common
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -fPIC $(WARN) $(CPPFLAGS) $(CFLAGS) $(SANFLAGS) $(PKG_CFLAGS) \
             -DUKTV_VERSION=\"$(VERSION)\"
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
# -lpthread: httpd's watchdog thread and its per-thread contexts.
LIBS      = $(PKG_LIBS) -lpthread -lm

LIB_SRC   = $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
# Public headers are installed flat as <uktv/NAME.h>; a layer's private/
# headers (test seams) and cmd/common's are not installed.
LIB_HDR   = $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.h)))
PRIV_HDR  = $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/private/*.h)))
LIB_OBJ   = $(LIB_SRC:%.c=$(B)/%.o)
CMN_SRC   = $(sort $(wildcard cmd/common/*.c))
CMN_HDR   = $(sort $(wildcard cmd/common/*.h))
CMN_OBJ   = $(CMN_SRC:%.c=$(B)/%.o)
ALL_HDR   = $(LIB_HDR) $(PRIV_HDR) $(CMN_HDR)
CMD_SRC   = $(sort $(wildcard cmd/uktv-*.c))
BINS      = $(CMD_SRC:cmd/%.c=$(B)/bin/%)
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
UNITS     = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
TOOLS_SRC = $(sort $(wildcard tests/tools/*.c))
TOOLS     = $(TOOLS_SRC:tests/tools/%.c=$(B)/tests/tools/%)
MANPAGES  = $(sort $(wildcard man/*.[137]))

.PHONY: all lib bins check check-valgrind sigv4-suite lint-man install uninstall \
        clean demo bench fuzz soak setup units tools deps

all: $(B)/libuktv.a $(B)/libuktv.so $(B)/uktv.pc $(BINS)

# Without the -dev packages the first compile would stop on a missing header
# (json-c/json.h): say instead, once, what to install.  Order-only, so it
# never makes anything out of date.
deps:
	@command -v pkg-config >/dev/null 2>&1 && pkg-config --exists $(PKGS) libcrypto || { \
	    miss=; for m in $(PKGS) libcrypto; do pkg-config --exists $$m 2>/dev/null || miss="$$miss $$m"; done; \
	    echo "uktv: pkg-config does not find$$miss: run 'make setup' as root, or: apt-get install $(BUILD_DEBS)" >&2; \
	    exit 1; }

$(B)/lib/util/%.o:   INC = $(INC_UTIL)
$(B)/lib/net/%.o:    INC = $(INC_NET)
$(B)/lib/aws/%.o:    INC = $(INC_AWS)
$(B)/lib/stream/%.o: INC = $(INC_STREAM)
$(B)/lib/guide/%.o:  INC = $(INC_GUIDE)
$(B)/lib/%.o: lib/%.c $(ALL_HDR) Makefile | deps
	@mkdir -p $(@D)
	$(E) "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC) -c -o $@ $<

# The signed-in page's files (lib/guide/guideapp.h) as C arrays: built into
# libuktv, so an installed uktv-guide needs no data files.
APP_FILES  = lib/guide/app/index.html lib/guide/app/app.js lib/guide/app/app.css
$(B)/gen/guideapp_files.h: $(APP_FILES) scripts/embed
	@mkdir -p $(@D)
	$(E) "  EMBED   $@"
	$(Q)./scripts/embed $(APP_FILES) >$@.tmp && mv $@.tmp $@
$(B)/lib/guide/guideapp.o: $(B)/gen/guideapp_files.h

$(B)/cmd/%.o: cmd/%.c $(ALL_HDR) Makefile | deps
	@mkdir -p $(@D)
	$(E) "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_ALL) -c -o $@ $<

$(B)/libuktv.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	$(E) "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

# The tools' shared front end (options, log, usage): linked into the
# binaries and the tests, never installed.
$(B)/libuktv-cmd.a: $(CMN_OBJ)
	@mkdir -p $(@D)
	$(E) "  AR      $@"
	$(Q)rm -f $@
	$(Q)ar rcs $@ $^

$(B)/libuktv.so: $(LIB_OBJ)
	$(E) "  LD      $@"
	$(Q)$(CC) -shared -Wl,-soname,libuktv.so.0 $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# uktv.pc for this PREFIX and LIBDIR.  install writes its own from the same
# sed, so `make; make install PREFIX=/x` installs a .pc for /x.  A LIBDIR or
# INCLUDEDIR under PREFIX is written relative to ${prefix}, which keeps
# pkg-config --define-prefix working on a relocated tree.
PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
    -e 's|@LIBDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(LIBDIR))|g' \
    -e 's|@INCLUDEDIR@|$(patsubst $(PREFIX)/%,$${prefix}/%,$(INCLUDEDIR))|g' uktv.pc.in
$(B)/uktv.pc: uktv.pc.in Makefile
	@mkdir -p $(@D)
	$(Q)$(PC_SED) > $@

# Binaries link libuktv statically, so an installed binary runs from any
# PREFIX without LD_LIBRARY_PATH.
$(B)/bin/%: $(B)/cmd/%.o $(B)/libuktv-cmd.a $(B)/libuktv.a
	@mkdir -p $(@D)
	$(E) "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/libuktv-cmd.a $(B)/libuktv.a $(LIBS)

$(B)/tests/%: tests/unit/%.c tests/unit/unit.h $(ALL_HDR) $(B)/libuktv-cmd.a $(B)/libuktv.a
	@mkdir -p $(@D)
	$(E) "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_ALL) -Itests/unit $(ALL_LDFLAGS) -o $@ $< $(B)/libuktv-cmd.a $(B)/libuktv.a $(LIBS)

$(B)/tests/tools/%: tests/tools/%.c $(ALL_HDR) $(B)/libuktv-cmd.a $(B)/libuktv.a
	@mkdir -p $(@D)
	$(E) "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(INC_ALL) $(ALL_LDFLAGS) -o $@ $< $(B)/libuktv-cmd.a $(B)/libuktv.a $(LIBS)

# Keep intermediate objects: make would otherwise delete them after linking.
.SECONDARY:

units: $(UNITS)
tools: $(TOOLS)

setup:
	@./scripts/setup check

check: setup
	@$(MAKE) --no-print-directory all units tools
	@B=$(B) ./scripts/check

check-valgrind: setup
	@$(MAKE) --no-print-directory all units tools
	@B=$(B) UKTV_VALGRIND=1 ./scripts/check

SUITE ?= tests/fixtures/sigv4/aws-c-auth/v4
sigv4-suite: $(B)/tests/tools/sigv4-suite
	$(B)/tests/tools/sigv4-suite $(SUITE)

lint-man:
	@./scripts/lint-man $(MANPAGES)

# setup first, then a make of its own: what setup installed is seen by
# pkg-config (PKG_CFLAGS above is read when make starts).  The demo runs the
# tools and tests/fakes, not the test programs in tests/tools.
demo:
	@./scripts/setup demo
	@$(MAKE) --no-print-directory all
	@B=$(B) ./scripts/demo $(TARGET)

bench: all tools
	@B=$(B) ./bench/run

# libFuzzer targets (clang); make check replays tests/fuzz/regress without it.
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
fuzz:
	@FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) ./tests/fuzz/run $(FUZZ_TARGETS)
$(filter $(B)/tests/tools/fuzz-replay-%,$(TOOLS)): $(wildcard tests/fuzz/*.c tests/fuzz/*.h)

# The fault soak: the pipeline under random faults and kills
# (tests/soak/README.md); about 20 minutes at the defaults.
SOAK_RECORDS ?= 100000
SOAK_KILLS   ?= 20
SOAK_SEED    ?= 1
soak: setup all
	@B=$(B) ./tests/soak/run -n $(SOAK_RECORDS) -k $(SOAK_KILLS) -s $(SOAK_SEED) $(SOAK_ARGS)

# What install puts where; uninstall removes exactly these.
INST_BINS  = $(BINS:$(B)/bin/%=$(DESTDIR)$(BINDIR)/%)
INST_HDRS  = $(addprefix $(DESTDIR)$(INCDIR)/,$(notdir $(LIB_HDR)))
INST_LIBS  = $(DESTDIR)$(LIBDIR)/libuktv.a $(DESTDIR)$(LIBDIR)/libuktv.so.0 \
             $(DESTDIR)$(LIBDIR)/libuktv.so $(DESTDIR)$(PKGCONFIGDIR)/uktv.pc
INST_MAN   = $(foreach m,$(MANPAGES),$(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)))
BASHCOMP   = $(sort $(wildcard completions/bash/*))
ZSHCOMP    = $(sort $(wildcard completions/zsh/*))
INST_COMP  = $(BASHCOMP:completions/bash/%=$(DESTDIR)$(BASHCOMPDIR)/%) \
             $(ZSHCOMP:completions/zsh/%=$(DESTDIR)$(ZSHCOMPDIR)/%)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(B)/libuktv.a $(DESTDIR)$(LIBDIR)
	install -m 755 $(B)/libuktv.so $(DESTDIR)$(LIBDIR)/libuktv.so.0
	ln -sf libuktv.so.0 $(DESTDIR)$(LIBDIR)/libuktv.so
	$(PC_SED) > $(DESTDIR)$(PKGCONFIGDIR)/uktv.pc
	chmod 644 $(DESTDIR)$(PKGCONFIGDIR)/uktv.pc
	install -m 644 $(LIB_HDR) $(DESTDIR)$(INCDIR)
	for m in $(MANPAGES); do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	$(if $(BASHCOMP),install -m 644 $(BASHCOMP) $(DESTDIR)$(BASHCOMPDIR))
	$(if $(ZSHCOMP),install -m 644 $(ZSHCOMP) $(DESTDIR)$(ZSHCOMPDIR))

# Files only; of the folders, only the headers' own (include/uktv) goes, and
# only when empty: the others (bin, lib, share/man/man1 ...) are shared.
uninstall:
	rm -f $(INST_BINS) $(INST_LIBS) $(INST_HDRS) $(INST_MAN) $(INST_COMP)
	rmdir $(DESTDIR)$(INCDIR) 2>/dev/null || true

clean:
	rm -rf build build-san build-fuzz
