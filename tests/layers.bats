#!/usr/bin/env bats
# The house's shape (ARCHITECTURE.md, "Layout"): includes point down the
# floors, lib/ has no include cycle, the tools stay a page of options and
# one function per mode, and make install ships no private header.  Reads
# the source only; nothing is run against AWS.

load helpers/common

# fake_tree DIR: a tiny tree in the repository's shape, in order.
fake_tree() {
	local d=$1
	mkdir -p "$d"/lib/util "$d"/lib/net "$d"/lib/aws/auth "$d"/lib/stream \
	    "$d"/lib/guide "$d"/cmd/common
	printf '/* e */\n' >"$d"/lib/util/error.h
	printf '#include "error.h"\n' >"$d"/lib/net/http.h
	printf '#include "http.h"\n' >"$d"/lib/aws/sigv4.h
	printf '#include "http.h"\n' >"$d"/lib/aws/aws.h
	printf '#include "sigv4.h"\n' >"$d"/lib/aws/auth/creds.h
	printf '#include "aws.h"\n' >"$d"/lib/stream/reader.h
	printf '#include "aws.h"\n' >"$d"/lib/guide/prefs.h
	printf '#include "reader.h"\n#include "prefs.h"\n' >"$d"/cmd/common/opt.h
	printf '#include "opt.h"\nint main(void) { return 0; }\n' >"$d"/cmd/uktv-x.c
}

@test "every include in lib/ and cmd/ points down the floors, with no cycle" {
	run "$UKTV_ROOT/scripts/layers" "$UKTV_ROOT"
	assert_success
	assert_output ''
}

@test "scripts/layers passes a tree in order" {
	fake_tree "$BATS_TEST_TMPDIR/t"
	run "$UKTV_ROOT/scripts/layers" "$BATS_TEST_TMPDIR/t"
	assert_success
	assert_output ''
}

@test "scripts/layers refuses an include that points up a floor" {
	fake_tree "$BATS_TEST_TMPDIR/t"
	printf '#include "aws.h"\n' >>"$BATS_TEST_TMPDIR/t/lib/net/http.h"
	run "$UKTV_ROOT/scripts/layers" "$BATS_TEST_TMPDIR/t"
	assert_failure 1
	assert_output --partial 'lib/net/http.h:2: includes aws.h (lib/aws) from lib/net: a higher floor'
}

@test "scripts/layers keeps stream and guide apart, and lib/ out of cmd/common" {
	fake_tree "$BATS_TEST_TMPDIR/t"
	printf '#include "prefs.h"\n' >>"$BATS_TEST_TMPDIR/t/lib/stream/reader.h"
	printf '#include "opt.h"\n' >"$BATS_TEST_TMPDIR/t/lib/guide/prefs.c"
	run "$UKTV_ROOT/scripts/layers" "$BATS_TEST_TMPDIR/t"
	assert_failure 1
	assert_output --partial 'stream and guide never include each other'
	assert_output --partial 'lib/guide/prefs.c:1: includes opt.h (cmd/common) from lib/guide'
}

@test "scripts/layers keeps aws/auth below the AWS client and finds a cycle" {
	fake_tree "$BATS_TEST_TMPDIR/t"
	printf '#include "aws.h"\n' >>"$BATS_TEST_TMPDIR/t/lib/aws/auth/creds.h"
	printf '#include "creds.h"\n' >>"$BATS_TEST_TMPDIR/t/lib/aws/sigv4.h"
	run "$UKTV_ROOT/scripts/layers" "$BATS_TEST_TMPDIR/t"
	assert_failure 1
	assert_output --partial 'aws/auth uses only the signer and the service table'
	assert_output --partial 'include cycle: creds -> sigv4 -> creds'
}

@test "no function in cmd/ is over 80 lines" {
	cd "$UKTV_ROOT"
	run scripts/funclen cmd/*.c cmd/common/*.c
	assert_success
	# scripts/funclen must see the tools at all for the bound to mean
	# anything: every tool has a main.
	for f in cmd/uktv-*.c; do
		grep -q "^[0-9]* $f:[0-9]* main\$" <<<"$output" ||
		    fail "scripts/funclen finds no main in $f"
	done
	long=$(awk '$1 > 80' <<<"$output")
	[ -z "$long" ] || fail "functions over 80 lines: $long"
}

@test "no file in cmd/ is over 400 lines" {
	cd "$UKTV_ROOT"
	long=$(wc -l cmd/*.c cmd/common/*.c cmd/common/*.h | awk '$2 != "total" && $1 > 400')
	[ -z "$long" ] || fail "files over 400 lines: $long"
}

@test "the tools print through the log, never err(3) or warn(3)" {
	cd "$UKTV_ROOT"
	run grep -nE '\<(errx?|warnx?|verrx?|vwarnx?)\(' cmd/*.c cmd/common/*.c
	assert_failure 1
	run grep -n '#include <err.h>' cmd/*.c cmd/common/*.c lib/*/*.c lib/*/*/*.c
	assert_failure 1
}

@test "the library reads the environment only in its configuration layer" {
	cd "$UKTV_ROOT"
	run grep -n 'getenv(' lib/util lib/net lib/aws/*.c lib/stream lib/guide -r
	assert_failure 1
}
