#!/usr/bin/env bats
# tests/fakes/uktv-aws-forkserver and its client tests/tools/aws.c: the AWS
# CLI started once and forked for each call must behave, to the byte, as the
# CLI started afresh: output, errors, exit codes, the caller's environment,
# working folder and standard input, and signals.

load helpers/common

REAL_AWS=

setup_file() {
	moto_start
	start_bg awsfs uktv-aws-forkserver --socket "$BATS_FILE_TMPDIR/aws.sock" \
	    --pid-file "$BATS_FILE_TMPDIR/awsfs.ready"
	wait_until 60 test -s "$BATS_FILE_TMPDIR/awsfs.ready"
}

teardown_file() {
	stop_bg awsfs
	moto_stop
}

setup() {
	export UKTV_AWS_SERVER="$BATS_FILE_TMPDIR/aws.sock"
	cd "$BATS_TEST_TMPDIR"
}

# fresh ARGS...: the CLI started afresh (the client with no server).
fresh() {
	UKTV_AWS_SERVER= aws "$@"
}

# same ARGS...: stdout, stderr and exit code agree between the two.
same() {
	local a b
	a=$(aws "$@" 2>"$BATS_TEST_TMPDIR/e1"; echo "rc=$?")
	b=$(fresh "$@" 2>"$BATS_TEST_TMPDIR/e2"; echo "rc=$?")
	assert_equal "$a" "$b"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/e1")" "$(cat "$BATS_TEST_TMPDIR/e2")"
}

@test "the client is on PATH and the server forks the CLI: output, errors and codes as the CLI's own" {
	run command -v aws
	assert_output "$UKTV_BUILD/tests/tools/aws"
	before=$(pgrep -c -P "$(cat "$BATS_FILE_TMPDIR/awsfs.pid")" || true)
	same --version
	same dynamodb describe-table
	same dynamodb describe-table --table-name nothing-here
	same kinesis list-streams --output text
	same configure get region
	assert_equal "$(pgrep -c -P "$(cat "$BATS_FILE_TMPDIR/awsfs.pid")" || true)" "$before"
}

@test "the caller's environment, working folder and standard input reach the CLI" {
	make_table fs1
	printf '[profile other]\nregion = eu-west-1\n' >config
	run env AWS_CONFIG_FILE="$PWD/config" aws configure get region --profile other
	assert_output eu-west-1
	echo '{"PK":{"S":"a"},"SK":{"S":"1"}}' >item.json
	aws dynamodb put-item --table-name fs1 --item file://item.json
	echo '{"PK":{"S":"b"},"SK":{"S":"2"}}' | aws dynamodb put-item --table-name fs1 --item file:///dev/stdin
	same dynamodb scan --table-name fs1 --output json
	run aws dynamodb scan --table-name fs1 --query 'Items[].PK.S' --output text
	assert_output "$(printf 'a\tb')"
	AWS_DEFAULT_REGION=eu-west-1 run aws dynamodb describe-table --table-name fs1
	assert_failure 255
}

@test "SIGTERM to the client ends the CLI it runs, and the client ends as it did" {
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
time.sleep(60)
' >port &
	hold=$!
	wait_until 10 test -s port
	aws --endpoint-url "http://127.0.0.1:$(cat port)" kinesis list-streams \
	    --cli-read-timeout 60 >/dev/null 2>&1 &
	client=$!
	server=$(cat "$BATS_FILE_TMPDIR/awsfs.pid")
	wait_until 20 pgrep -P "$server"
	kill -TERM "$client"
	rc=0
	wait "$client" || rc=$?
	kill "$hold" 2>/dev/null || true
	assert_equal "$rc" 143
	wait_until 10 bash -c "! pgrep -P $server"
}
