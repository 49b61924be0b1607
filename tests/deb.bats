#!/usr/bin/env bats
# Debian packaging: `dpkg-buildpackage -us -uc -b` on a copy of the tree
# (the build's products stay out of the work tree) builds uktv and
# libuktv-dev, lintian finds no error in them, and what they hold runs
# from a scratch root (dpkg -x, no chroot, nothing installed on the machine).
# The build takes a minute or two: it is done once, in setup_file.

load helpers/common

setup_file() {
	# A package is a plain build, whatever build this run's make check made
	# (SANITIZE=1 and its B would reach dh's make through the environment).
	unset MAKEFLAGS MAKELEVEL MFLAGS SANITIZE B
	local top="$BATS_FILE_TMPDIR/pkg" src
	src="$top/uktv-$(sed -n 's/^VERSION *= *//p' "$UKTV_ROOT/Makefile")"
	mkdir -p "$src"
	# The tree as it is, without its build folders or git.
	tar -C "$UKTV_ROOT" --exclude=./.git --exclude=./build --exclude='./build-*' \
	    --exclude=./demo-out --exclude=./tests/artifacts --exclude=./tests/fuzz/artifacts \
	    -cf - . | tar -C "$src" -xf -
	local rc=0
	(cd "$src" && dpkg-buildpackage -us -uc -b) >"$top/build.log" 2>&1 || rc=$?
	echo "$rc" >"$top/build.rc"
	if command -v lintian >/dev/null; then
		lintian "$top"/*.changes >"$top/lintian.out" 2>&1 || true
	else
		echo "E: lintian is not installed (scripts/setup check)" >"$top/lintian.out"
	fi
}

setup() {
	TOP="$BATS_FILE_TMPDIR/pkg"
}

@test "dpkg-buildpackage -b builds uktv and libuktv-dev without running make check" {
	[ "$(cat "$TOP/build.rc")" = 0 ] || { tail -40 "$TOP/build.log"; false; }
	assert_file_exists "$TOP"/uktv_*_*.deb
	assert_file_exists "$TOP"/libuktv-dev_*_*.deb
	# override_dh_auto_test: the package build does not start the test suite
	# (which needs moto and the network doubles).
	if grep -q 'scripts/check' "$TOP/build.log"; then fail "the package build ran scripts/check"; fi
	if grep -q 'dh_auto_test.*make.*check' "$TOP/build.log"; then fail "dh_auto_test ran make check"; fi
}

@test "lintian finds no error in the packages" {
	[ "$(cat "$TOP/build.rc")" = 0 ]
	ls "$TOP"/*.changes >/dev/null
	# Warnings are reported here (and in the suite's output), errors fail.
	grep '^W: ' "$TOP/lintian.out" >&3 || true
	run grep '^E: ' "$TOP/lintian.out"
	[ "$status" -ne 0 ] || { echo "$output"; false; }
}

@test "the packages hold what they should, and uktv-prefs runs from a scratch root" {
	root="$BATS_TEST_TMPDIR/root"
	dpkg -x "$TOP"/uktv_*_*.deb "$root"
	dpkg -x "$TOP"/libuktv-dev_*_*.deb "$root"
	run "$root/usr/bin/uktv-prefs" --version
	assert_success
	assert_output --partial "$(sed -n 's/^VERSION *= *//p' "$UKTV_ROOT/Makefile")"
	ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	# uktv: the tools, sections 1 and 7, completions, examples.
	run dpkg -c "$TOP"/uktv_*_*.deb
	for f in usr/bin/uktv-consume usr/bin/uktv-titles usr/share/man/man1/uktv-prefs.1.gz \
	    usr/share/man/man7/uktv.7.gz usr/share/bash-completion/completions/uktv-prefs \
	    usr/share/zsh/vendor-completions/_uktv-prefs usr/share/doc/uktv/examples/crontab \
	    usr/share/doc/uktv/examples/cloudformation/uktv.yaml usr/share/doc/uktv/copyright; do
		assert_output --partial "./$f"
	done
	refute_output --partial 'include/uktv'
	refute_output --partial 'man3'
	# libuktv-dev: headers, the static library, uktv.pc, libuktv(3); not the
	# shared library (debian/not-installed).
	run dpkg -c "$TOP"/libuktv-dev_*_*.deb
	for f in usr/include/uktv/aws.h usr/include/uktv/error.h "usr/lib/$ma/libuktv.a" \
	    "usr/lib/$ma/pkgconfig/uktv.pc" usr/share/man/man3/libuktv.3.gz; do
		assert_output --partial "./$f"
	done
	refute_output --partial 'libuktv.so'
	refute_output --partial 'usr/bin'
}

@test "a program builds against the unpacked libuktv-dev (static library only) with pkg-config" {
	root="$BATS_TEST_TMPDIR/root"
	dpkg -x "$TOP"/libuktv-dev_*_*.deb "$root"
	ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	cat >"$BATS_TEST_TMPDIR/p.c" <<'EOF2'
#include <stdio.h>

#include <uktv/aws.h>
#include <uktv/dynamodb.h>

int
main(void)
{
	struct json_object *typed = json_tokener_parse("{\"PK\":{\"S\":\"userpref:alice\"}}");
	struct json_object *plain = uktv_ddb_item_to_plain(typed);

	puts(json_object_to_json_string_ext(plain, JSON_C_TO_STRING_PLAIN));
	json_object_put(plain);
	json_object_put(typed);
	return 0;
}
EOF2
	# The .pc says /usr; the sysroot puts the unpacked tree in front.
	export PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_PATH="$root/usr/lib/$ma/pkgconfig"
	run pkg-config --variable=libdir uktv
	assert_output "$root/usr/lib/$ma"
	cd "$BATS_TEST_TMPDIR"
	# shellcheck disable=SC2046
	cc -Wall -Werror -o p p.c $(pkg-config --cflags --libs uktv)
	run readelf -d p
	refute_output --partial libuktv
	run ./p
	assert_success
	assert_output '{"PK":"userpref:alice"}'
}
