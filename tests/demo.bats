#!/usr/bin/env bats
# make demo's script: the whole pipeline on the local default ends with a
# guide for both users and at least one notification, and stops what it
# started, also when interrupted.

load helpers/common

setup() {
	export DEMO_OUT="$BATS_TEST_TMPDIR/demo-out"
}

@test "the demo runs the whole pipeline: both users get a guide and alice a notification" {
	run "$UKTV_ROOT/scripts/demo"
	assert_success
	assert_output --regexp "alice's guide: [1-9][0-9]* titles?"
	assert_output --regexp "bob's guide: [1-9][0-9]* titles?"
	# Each guide as a short list: a title line, then "and N more".
	assert_line --regexp '^  .+ \((19|20)[0-9][0-9]\) +[A-Z].*$'
	assert_line --regexp '^  and [1-9][0-9]* more$'
	# alice's favourite_changed, as a person reads it; the rename is a
	# realistic one (the hostile title stays in the tests that need it).
	assert_line --regexp '^  alice +your favourite ".+" is now "Return to the Wild Moor"$'
	refute_output --partial '<script>'
	refute_output --partial '"kind":'
	assert_output --partial '1 title event published (only the change)'
	assert_file_exists "$DEMO_OUT/site/index.html"
	# The per-user pages (uktv-guide --users).
	assert_output --partial 'users/alice.html'
	assert_file_exists "$DEMO_OUT/site/users/alice.html"
	assert_file_exists "$DEMO_OUT/site/users/bob.html"
	# Readable in 80 columns, and it ends with the address to open.
	# (characters, not bytes: a title may have accents)
	long=$(LC_ALL=C.UTF-8
	    while IFS= read -r l; do [ "${#l}" -le 80 ] || echo "${#l}: $l"; done <<<"$output")
	[ -z "$long" ] || { echo "lines over 80 columns:"; echo "$long"; false; }
	last=${lines[${#lines[@]} - 1]}
	assert_equal "$last" "file://$DEMO_OUT/site/index.html"
	assert_file_exists "${last#file://}"
	# nothing it started is left running
	port=$(sed -n 's/^starting moto_server *on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' <<<"$output")
	[ -n "$port" ]
	run curl -sf "http://127.0.0.1:$port/moto-api/"
	assert_failure
}

@test "an interrupted demo stops moto and the Watchmode double" {
	# Job control on: without it bash starts background jobs with SIGINT
	# ignored, and an ignored signal cannot be trapped.
	set -m
	"$UKTV_ROOT/scripts/demo" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	pid=$!
	set +m
	wait_until 60 grep -q 'uktv-refdata' "$BATS_TEST_TMPDIR/out"
	port=$(sed -n 's/^starting moto_server *on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$BATS_TEST_TMPDIR/out")
	kill -INT "$pid"
	wait "$pid" || rc=$?
	assert_equal "${rc:-0}" 130
	run curl -sf "http://127.0.0.1:$port/moto-api/"
	assert_failure
	wport=$(cat "$DEMO_OUT/watchmode.port")
	run curl -sf "http://127.0.0.1:$wport/__double/state"
	assert_failure
}
