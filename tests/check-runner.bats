#!/usr/bin/env bats
# scripts/check, the runner behind make check, fails when a test did not run
# and pass: skips, suites killed half-way, failing setup_file, unknown names,
# unit binaries not built, a SigV4 run that failed.  Each test builds small
# fake suites (bats files, TAP-printing scripts) in its own folder and points
# the runner at them (UKTV_CHECK_TESTS_DIR, B, UKTV_CHECK_BATS); no moto.
# And the bats suites themselves: no `! cmd` line that set -e ignores.

load helpers/common
bats_require_minimum_version 1.5.0

setup() {
	F="$BATS_TEST_TMPDIR/tests"
	FB="$BATS_TEST_TMPDIR/build"
	mkdir -p "$F/unit" "$FB/tests/tools"
}

# check [VAR=VALUE ...] [--] ARGS...: scripts/check on the fake tests folder
# and build, with those variables set.
check() {
	local vars=()
	while [ $# -gt 0 ] && [[ $1 == *=* ]]; do
		vars+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	run --separate-stderr env B="$FB" UKTV_CHECK_TESTS_DIR="$F" "${vars[@]}" \
	    "$UKTV_ROOT/scripts/check" "$@"
}

# suite NAME: a bats file NAME.bats from stdin, its tests written `TEST`
# (bats would take an @test line of this file's heredocs as one of its own).
suite() {
	sed 's/^\([[:space:]]*\)TEST /\1@test /' >"$F/$1.bats"
}

# unit NAME: a unit test NAME (its .c, and as its binary a script printing
# the TAP of stdin and exiting ${RC:-0}).
unit() {
	: >"$F/unit/$1.c"
	{
		echo '#!/bin/sh'
		echo "cat <<'TAP'"
		cat
		echo 'TAP'
		echo "exit ${RC:-0}"
	} >"$FB/tests/$1"
	chmod +x "$FB/tests/$1"
}

# sigv4 RC LINE: a SigV4 runner printing LINE and exiting RC, and its folders.
sigv4() {
	mkdir -p "$F/fixtures/sigv4/aws-c-auth/v4" "$F/fixtures/sigv4/smithy-rs-aws-sigv4/v4"
	printf '#!/bin/sh\necho "%s"\nexit %s\n' "$2" "$1" >"$FB/tests/tools/sigv4-suite"
	chmod +x "$FB/tests/tools/sigv4-suite"
}

@test "a passing suite is green: N passed, 0 failed, exit 0" {
	suite good <<-'EOF'
	TEST "one" { true; }
	TEST "two" { true; }
	EOF
	check -- good.bats
	assert_success
	assert_output "2 passed, 0 failed"
}

@test "a skip is not a pass: listed, and a failure unless its reason is not-here:" {
	suite skips <<-'EOF'
	TEST "passes" { true; }
	TEST "skips for no reason that holds here" { skip "python3 is missing"; }
	TEST "skips for a reason that cannot hold here" { skip "not-here: needs a real AWS account"; }
	TEST "skips with no reason" { skip; }
	EOF
	check -- skips.bats
	assert_failure
	assert_output "1 passed, 2 failed, 1 skipped"
	[[ $stderr == *"ok 2 skips for no reason that holds here # skip python3 is missing"* ]]
	[[ $stderr == *"skipped: skips: ok 3 "*"not-here: needs a real AWS account"* ]]
	[[ $stderr == *"ok 4 skips with no reason # skip"* ]]
}

@test "a unit test that skips everything (a 1..0 SKIP plan) fails" {
	unit test_double <<-'EOF'
	1..0 # SKIP the Kinesis double did not start
	EOF
	check -- units
	assert_failure
	assert_output "0 passed, 1 failed"
	[[ $stderr == *"the Kinesis double did not start"* ]]
}

@test "a suite killed after 2 of its 4 tests gives 2 failures and a non-zero exit" {
	suite killed <<-'EOF'
	TEST "one" { true; }
	TEST "two" { true; }
	TEST "three" { true; }
	TEST "four" { true; }
	EOF
	# bats killed with SIGKILL after two results: the plan, two oks.
	printf '#!/bin/sh\nprintf "1..4\\nok 1 one\\nok 2 two\\n"\nkill -9 $$\n' >"$F/killed-bats"
	chmod +x "$F/killed-bats"
	check UKTV_CHECK_BATS="$F/killed-bats" -- killed.bats
	assert_failure
	assert_output "2 passed, 2 failed"
	[[ $stderr == *"killed: 2 of 4 planned tests reported, 2 never ran (exit 137)"* ]]
}

@test "a unit test killed part-way, or printing no plan, fails" {
	RC=139 unit test_crash <<-'EOF'
	ok 1 - first
	EOF
	check -- units
	assert_failure
	assert_output "1 passed, 1 failed"
	[[ $stderr == *"test_crash: printed no TAP plan (exit 139)"* ]]
}

@test "bats exiting non-zero fails the suite even when every line it printed was ok" {
	suite exits <<-'EOF'
	TEST "one" { true; }
	EOF
	printf '#!/bin/sh\nprintf "1..1\\nok 1 one\\n"\nexit 1\n' >"$F/bad-bats"
	chmod +x "$F/bad-bats"
	check UKTV_CHECK_BATS="$F/bad-bats" -- exits.bats
	assert_failure
	assert_output "1 passed, 1 failed"
	[[ $stderr == *"exits: exited 1"* ]]
}

@test "a failing setup_file fails every test of its file" {
	suite setupfails <<-'EOF'
	setup_file() { false; }
	TEST "one" { true; }
	TEST "two" { true; }
	TEST "three" { true; }
	EOF
	check -- setupfails.bats
	assert_failure
	assert_output "0 passed, 3 failed"
}

@test "a failing setup_file without a plan fails as many tests as the file has" {
	suite noplan <<-'EOF'
	TEST "one" { true; }
	TEST "two" { true; }
	  TEST "three" { true; }
	EOF
	printf '#!/bin/sh\nprintf "not ok 1 setup_file failed\\n"\nexit 1\n' >"$F/noplan-bats"
	chmod +x "$F/noplan-bats"
	check UKTV_CHECK_BATS="$F/noplan-bats" -- noplan.bats
	assert_failure
	assert_output "0 passed, 3 failed"
}

@test "an unknown name fails instead of running nothing" {
	suite good <<-'EOF'
	TEST "one" { true; }
	EOF
	check -- tests/no-such.bats
	assert_failure 2
	[[ $stderr == *"no test named 'tests/no-such.bats'"* ]]
	[ -z "$output" ]
	# and with nothing to run at all
	rm "$F/good.bats"
	check -- no-such
	assert_failure 2
}

@test "an empty selection fails" {
	rm -rf "$F"
	mkdir -p "$F"
	check -- units
	assert_failure 2
	[[ $stderr == *"nothing to run"* ]]
}

@test "naming suites says what was not run, and what ran" {
	suite a <<-'EOF'
	TEST "one" { true; }
	EOF
	suite b <<-'EOF'
	TEST "one" { true; }
	EOF
	unit test_x <<-'EOF'
	ok 1 - x
	1..1
	EOF
	check -- a
	assert_success
	assert_output "1 passed, 0 failed"
	[[ $stderr == *"not run (not named): units (1) sigv4 lint-man 1 other bats suites"* ]]
	[[ $stderr == *"== ran: a"* ]]
	check -- test_x a.bats
	assert_success
	assert_output "2 passed, 0 failed"
	[[ $stderr == *"== ran: 1 unit tests a"* ]]
}

@test "a unit test with a tests/unit/test_X.c but no binary fails" {
	unit test_built <<-'EOF'
	ok 1 - built
	1..1
	EOF
	: >"$F/unit/test_forgotten.c"
	check -- units
	assert_failure
	assert_output "1 passed, 1 failed"
	[[ $stderr == *"test_forgotten: expected ($F/unit/test_forgotten.c) but $FB/tests/test_forgotten is not built"* ]]
}

@test "a SigV4 run that exits non-zero fails even when it says 0 passed, 0 failed" {
	sigv4 1 "0 passed, 0 failed"
	check -- sigv4
	assert_failure
	assert_output "0 passed, 2 failed"
	[[ $stderr == *"exited 1 after '0 passed, 0 failed'"* ]]
	# the same runner exiting 0 after real results is green
	sigv4 0 "5 passed, 0 failed"
	check -- sigv4
	assert_success
	assert_output "10 passed, 0 failed"
}

@test "SigV4: missing fixture folders or a runner not built fail" {
	sigv4 0 "5 passed, 0 failed"
	rm -r "$F/fixtures/sigv4/smithy-rs-aws-sigv4"
	check -- sigv4
	assert_failure
	assert_output "5 passed, 1 failed"
	[[ $stderr == *"smithy-rs-aws-sigv4/v4 is missing"* ]]
	rm "$FB/tests/tools/sigv4-suite"
	check -- sigv4
	assert_failure
	assert_output "0 passed, 2 failed"
}

@test "the unit tests that need the Kinesis double fail, not skip, when it does not start" {
	# Run from a folder without tests/fakes: the double cannot start.
	cd "$BATS_TEST_TMPDIR"
	run "$UKTV_BUILD/tests/test_kinesis"
	assert_failure
	assert_line "not ok 4 - test_against_double"
	refute_output --regexp '# *[Ss][Kk][Ii][Pp]'
	run "$UKTV_BUILD/tests/test_streamreader"
	assert_failure
	assert_line --regexp '^not ok 1 '
	refute_output --regexp '# *[Ss][Kk][Ii][Pp]'
}

@test "no bats suite has a bare '! cmd' line, which set -e never fails on" {
	# `! cmd` is exempt from set -e, so in the middle of a test it checks
	# nothing; use `run ! cmd` or an explicit `if ... then fail`.  A line
	# starting with `!` is only a check when `|| ...` follows it.
	run grep -nE '^[[:space:]]*![[:space:]]' "$UKTV_ROOT"/tests/*.bats "$UKTV_ROOT"/tests/helpers/*.bash
	bare=$(grep -v '||' <<<"$output" || true)
	[ -z "$bare" ] || fail "bare '! cmd' lines: $bare"
}
