# tests/fuzz/fuzz.mk: builds the libFuzzer targets (run from the top of the
# tree; tests/fuzz/run drives it, `make fuzz` drives that).
#
#   make -f tests/fuzz/fuzz.mk [FB=build-fuzz] [FUZZ_CC=clang] all
#
# libuktv's sources are compiled with clang -fsanitize=fuzzer-no-link,
# address,undefined (lib/net/http.c left out: fakehttp.c stands in for it),
# each target is linked with -fsanitize=fuzzer.  Needs clang and the
# libFuzzer runtime (Debian: clang, libclang-rt-14-dev).

FB       ?= build-fuzz
FUZZ_CC  ?= clang
# As the Makefile's: every lib object is linked in, lib/net/httpd.o too.
PKGS      = libcurl json-c libbsd-overlay libmicrohttpd
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) libcrypto 2>/dev/null)
FSAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
            -fno-omit-frame-pointer
FCFLAGS   = -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror \
            -Wno-unused-parameter $(FINC) -Itests/fuzz $(PKG_CFLAGS) \
            -DUKTV_VERSION=\"0.1.0\"

LIB_DIRS  = lib/util lib/net lib/aws/auth lib/aws lib/stream lib/guide
FINC      = $(addprefix -iquote ,$(LIB_DIRS)) -iquote cmd/common -iquote $(FB)/gen
FLIB_HDR  = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.h $(d)/private/*.h))
FLIB_SRC  = $(filter-out lib/net/http.c,$(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))))
FLIB_OBJ  = $(FLIB_SRC:%.c=$(FB)/%.o)
FSUP_OBJ  = $(FB)/fuzz/fakehttp.o $(FB)/fuzz/common.o
TARGET_SRC = $(sort $(wildcard tests/fuzz/fuzz_*.c))
TARGETS   = $(TARGET_SRC:tests/fuzz/%.c=$(FB)/fuzz/%)

.PHONY: all
# Keep the objects: they are intermediate files of a chain rule.
.SECONDARY:
all: $(TARGETS)

$(FB)/lib/%.o: lib/%.c $(FLIB_HDR)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FCFLAGS) $(FSAN) -fsanitize=fuzzer-no-link -c -o $@ $<

# The signed-in page's files, built in as the Makefile builds them.
APP_FILES = lib/guide/app/index.html lib/guide/app/app.js lib/guide/app/app.css
$(FB)/gen/guideapp_files.h: $(APP_FILES) scripts/embed
	@mkdir -p $(@D)
	@./scripts/embed $(APP_FILES) >$@.tmp && mv $@.tmp $@
$(FB)/lib/guide/guideapp.o: $(FB)/gen/guideapp_files.h

$(FB)/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzz.h $(FLIB_HDR)
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FCFLAGS) $(FSAN) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FB)/fuzz/fuzz_%: $(FB)/fuzz/fuzz_%.o $(FSUP_OBJ) $(FLIB_OBJ)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) $(FSAN) -fsanitize=fuzzer -o $@ $< $(FSUP_OBJ) $(FLIB_OBJ) \
	    $(PKG_LIBS) -lm
