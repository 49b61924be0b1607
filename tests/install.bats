#!/usr/bin/env bats
# What a newcomer does first: make install (and uninstall) into a staging
# root, a program written from libuktv(3) built against the installed library
# with pkg-config, plain make without the build dependencies, `make demo`'s
# set-up installing only what the demo needs, and the licence.  No moto.

load helpers/common

# The staging root is shared by the file's tests: one install, many looks.
setup_file() {
	unset MAKEFLAGS MAKELEVEL MFLAGS
	export STAGE="$BATS_FILE_TMPDIR/stage"
	make -C "$UKTV_ROOT" --no-print-directory B="${B:-build}" install \
	    PREFIX=/x DESTDIR="$STAGE" >"$BATS_FILE_TMPDIR/install.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/install.rc"
}

# cc: under make check SANITIZE=1 the installed library is built with ASan
# and UBSan, so a program linked against it is too.
cc() {
	if [ "${SANITIZE:-}" = 1 ]; then
		command cc -fsanitize=address,undefined "$@"
	else
		command cc "$@"
	fi
}

setup() {
	unset MAKEFLAGS MAKELEVEL MFLAGS
	STAGE="$BATS_FILE_TMPDIR/stage"
	# pkg-config finds the staged uktv.pc; --define-prefix (below) takes its
	# prefix from where the file is, as for a relocated install.
	export PKG_CONFIG_PATH="$STAGE/x/lib/pkgconfig"
}

# man_example: the C program in libuktv(3)'s EXAMPLES, as a reader copies it.
man_example() {
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$UKTV_ROOT/man/libuktv.3" |
	    sed -n '/^\.Bd -literal/,/^\.Ed/{/^\.Bd/d;/^\.Ed/d;p}' |
	    sed 's/\\e/\\/g'
}

@test "make install PREFIX=/x installs a uktv.pc for /x that names the headers' folder" {
	[ "$(cat "$BATS_FILE_TMPDIR/install.rc")" = 0 ] || { cat "$BATS_FILE_TMPDIR/install.out"; false; }
	assert_file_exists "$STAGE/x/lib/pkgconfig/uktv.pc"
	run pkg-config --variable=prefix uktv
	assert_output /x
	run pkg-config --variable=includedir uktv
	assert_output /x/include
	assert_file_exists "$STAGE/x/include/uktv/error.h"
	assert_file_exists "$STAGE/x/include/uktv/aws.h"
	assert_file_exists "$STAGE/x/lib/libuktv.a"
	assert_file_exists "$STAGE/x/lib/libuktv.so.0"
	assert_file_exists "$STAGE/x/bin/uktv-prefs"
	assert_file_exists "$STAGE/x/share/man/man3/libuktv.3"
	assert_file_exists "$STAGE/x/share/bash-completion/completions/uktv-prefs"
}

@test "libuktv(3)'s example builds with pkg-config against the installed library and runs" {
	man_example >"$BATS_TEST_TMPDIR/example.c"
	grep -q 'uktv_aws_new' "$BATS_TEST_TMPDIR/example.c"
	# As libuktv(3) says: headers as <uktv/NAME.h>, one pkg-config call.
	grep -q '#include <uktv/aws.h>' "$BATS_TEST_TMPDIR/example.c"
	cd "$BATS_TEST_TMPDIR"
	# shellcheck disable=SC2046
	cc -Wall -Werror -o example example.c $(pkg-config --define-prefix --cflags --libs uktv)
	# The installed headers, not the tree's, and not glibc's <error.h>.
	run cc -E $(pkg-config --define-prefix --cflags uktv) example.c
	assert_output --partial "$STAGE/x/include/uktv/error.h"
	refute_output --partial "$UKTV_ROOT/lib/"
	# No AWS region: the library's configuration error, through the shared
	# library that was installed.
	run env -u AWS_REGION -u AWS_DEFAULT_REGION LD_LIBRARY_PATH="$STAGE/x/lib" ./example
	[ "$status" -eq 78 ]
	assert_output --partial 'example: no AWS region'
	run env LD_LIBRARY_PATH="$STAGE/x/lib" ldd ./example
	assert_output --partial "$STAGE/x/lib/libuktv.so.0"
}

@test "libuktv(3)'s static recipe links libuktv.a and nothing of libuktv.so" {
	man_example >"$BATS_TEST_TMPDIR/example.c"
	# The recipe from the Linking section, with --define-prefix for the
	# staged tree.
	recipe=$(sed -n '/^\.Ss Linking/,/^\.Sh /p' "$UKTV_ROOT/man/libuktv.3" |
	    sed -n '/static one/,/^\.Ed/p' | sed -n '/^cc /,/^\.Ed/p' | sed '/^\.Ed/d' |
	    sed 's/\\e$/\\/' | sed 's/pkg-config /pkg-config --define-prefix /g')
	[ -n "$recipe" ]
	cd "$BATS_TEST_TMPDIR"
	eval "$recipe"
	run readelf -d example
	refute_output --partial libuktv
	run env -u AWS_REGION -u AWS_DEFAULT_REGION ./example
	[ "$status" -eq 78 ]
	assert_output --partial 'example: no AWS region'
}

@test "make install installs the public headers only: no private/ seam, nothing of cmd/common" {
	[ "$(cat "$BATS_FILE_TMPDIR/install.rc")" -eq 0 ]
	cd "$UKTV_ROOT"
	want=$(for h in lib/*/*.h lib/*/*/*.h; do
		case $h in */private/*) continue ;; esac
		[ -f "$h" ] && basename "$h"
	done | sort)
	got=$(ls "$STAGE/x/include/uktv" | sort)
	[ -n "$want" ]
	[ "$got" = "$want" ] || fail "installed: $got; public: $want"
	# A private header shares its module's name: what is installed under
	# that name must be the public one.
	for h in lib/*/private/*.h lib/*/*/private/*.h; do
		[ -f "$h" ] || continue
		installed="$STAGE/x/include/uktv/$(basename "$h")"
		if [ -f "$installed" ] && cmp -s "$h" "$installed"; then
			fail "$h is installed as $installed"
		fi
	done
	for h in cmd/common/*.h; do
		assert_file_not_exists "$STAGE/x/include/uktv/$(basename "$h")"
	done
}

@test "the installed headers include each other from their own folder" {
	# Every header on its own, with only the installed folder on the path.
	cd "$BATS_TEST_TMPDIR"
	for h in "$STAGE"/x/include/uktv/*.h; do
		printf '#include <uktv/%s>\nint main(void) { return 0; }\n' "${h##*/}" >one.c
		# shellcheck disable=SC2046
		cc -Wall -Werror -fsyntax-only $(pkg-config --define-prefix --cflags uktv) one.c ||
		    { echo "$h does not compile on its own"; false; }
	done
}

@test "make uninstall removes every file make install installed" {
	d="$BATS_TEST_TMPDIR/root"
	make -C "$UKTV_ROOT" --no-print-directory B="${B:-build}" install PREFIX=/usr LIBDIR=/usr/lib/multiarch DESTDIR="$d" >/dev/null
	[ -n "$(find "$d" -type f)" ]
	assert_file_exists "$d/usr/lib/multiarch/pkgconfig/uktv.pc"
	grep -qx 'libdir=${prefix}/lib/multiarch' "$d/usr/lib/multiarch/pkgconfig/uktv.pc"
	run make -C "$UKTV_ROOT" --no-print-directory B="${B:-build}" uninstall PREFIX=/usr LIBDIR=/usr/lib/multiarch DESTDIR="$d"
	assert_success
	run find "$d" ! -type d
	assert_output ''
}

@test "make without the build dependencies says in one line what to run" {
	empty="$BATS_TEST_TMPDIR/empty"
	mkdir -p "$empty"
	# pkg-config finds nothing, as on a machine without the -dev packages;
	# the objects go to a scratch folder.
	run env PKG_CONFIG_PATH="$empty" PKG_CONFIG_LIBDIR="$empty" \
	    make -C "$UKTV_ROOT" --no-print-directory B="$BATS_TEST_TMPDIR/b" all
	assert_failure
	refute_output --partial 'fatal error'
	refute_output --partial 'No such file'
	assert_output --partial 'json-c'
	assert_output --partial 'make setup'
	assert_output --partial 'apt-get install'
	assert_output --partial 'libjson-c-dev'
	# Nothing was compiled.
	[ -z "$(find "$BATS_TEST_TMPDIR/b" -name '*.o' 2>/dev/null)" ]
	# One line from uktv, then make's own "Error" line.
	[ "$(grep -c 'make setup' <<<"$output")" = 1 ]
}

@test "make demo's set-up installs none of the test tools; make check's does" {
	run "$UKTV_ROOT/scripts/setup" --dry-run demo
	assert_success
	assert_line libjson-c-dev
	assert_line jq
	assert_line curl
	for p in chromium clang valgrind tidy bats; do
		refute_line --regexp "^$p"
	done
	refute_output --partial libclang-rt
	demo=$output
	run "$UKTV_ROOT/scripts/setup" --dry-run check
	assert_success
	# check installs what the demo needs and the test tools.
	for p in $demo; do assert_line "$p"; done
	for p in bats valgrind clang tidy chromium lintian debhelper; do assert_line "$p"; done
	run "$UKTV_ROOT/scripts/setup" --dry-run frobnicate
	[ "$status" -eq 2 ]
}

@test "the project says its licence, and the README's fixture licences exist" {
	assert_file_exists "$UKTV_ROOT/LICENSE"
	grep -q 'ISC' "$UKTV_ROOT/LICENSE" || grep -q 'Permission to use, copy, modify, and/or distribute' "$UKTV_ROOT/LICENSE"
	grep -q 'Copyright (c) 2026 the uktv authors' "$UKTV_ROOT/LICENSE"
	grep -q 'ISC' "$UKTV_ROOT/README.md"
	# Every LICENSE/NOTICE path the README names is there, and every such
	# file under tests/fixtures is named.
	paths=$(grep -o 'tests/fixtures/[A-Za-z0-9_./-]*\(LICENSE\|NOTICE\)' "$UKTV_ROOT/README.md" | sort -u)
	[ -n "$paths" ]
	for p in $paths; do assert_file_exists "$UKTV_ROOT/$p"; done
	cd "$UKTV_ROOT"
	for f in $(find tests/fixtures -name 'LICENSE*' -o -name 'NOTICE*' | sort); do
		grep -qF "$f" README.md || { echo "README does not name $f"; false; }
	done
}
