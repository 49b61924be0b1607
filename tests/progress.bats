#!/usr/bin/env bats
# Progress lines: shown on stderr when it is a terminal, never otherwise
# (issue 17).  `script` gives the tool a pseudo-terminal.

load helpers/common
load helpers/watchmode

setup_file() {
	moto_start
	watchmode_start
	make_stream progress-stream 1
	for i in 1 2 3; do
		aws kinesis put-record --stream-name progress-stream --partition-key "$i" \
		    --data "{\"header\":{},\"payload\":{\"id\":$i,\"title\":\"t$i\"}}" >/dev/null
	done
}

teardown_file() {
	watchmode_stop
	moto_stop
}

# on_tty CMD: run CMD with stdin/stdout/stderr on a pseudo-terminal.
on_tty() {
	script -qec "$*" /dev/null
}

@test "uktv-refdata shows progress on a terminal and none on a pipe" {
	run on_tty uktv-refdata genres '>/dev/null'
	assert_success
	assert_output --partial 'fetching genres from Watchmode'
	run bash -c 'uktv-refdata genres 2>&1 >/dev/null'
	assert_success
	refute_output --partial 'fetching'
}

@test "uktv-titles shows which pair it is on, on a terminal only" {
	prefs="$BATS_TEST_TMPDIR/prefs.ndjson"
	echo '{"user":"alice","sources":["203"],"genres":["7"],"favourites":[]}' >"$prefs"
	run on_tty uktv-titles --prefs-from "$prefs" '>/dev/null'
	assert_success
	assert_output --partial 'pair 1/1 (source 203 x genre 7)'
	run bash -c "uktv-titles --prefs-from '$prefs' 2>&1 >/dev/null"
	assert_success
	refute_output --partial 'pair 1/1'
}

@test "a draining uktv-consume shows records and rate on a terminal only" {
	run on_tty uktv-consume -s progress-stream -e '>/dev/null'
	assert_success
	assert_output --regexp '3 records, [0-9]+/s'
	run bash -c 'uktv-consume -s progress-stream -e 2>&1 >/dev/null'
	assert_success
	refute_output --partial 'records,'
}
