#!/usr/bin/env bats
# libuktv's AWS core against moto and the fault proxy: signing with moto's
# checking on, standard-mode retries, errors, keep-alive, TLS, config errors.
# The vehicle is tests/tools/uktv-awscall, a thin program over awsjson.

load helpers/common
load helpers/faultproxy

bats_require_minimum_version 1.5.0

setup_file() {
	moto_start
	make_stream core-stream 1
	make_table core-table
	proxy_start
	export AWS_ENDPOINT_URL="$MOTO_URL"
}

teardown_file() {
	proxy_stop
	moto_stop
}

setup() {
	proxy_reset
	proxy_script '[]'
	export AWS_ENDPOINT_URL="$MOTO_URL"
}

teardown() {
	stop_bg trickle
}

@test "Kinesis and DynamoDB calls through libuktv reach moto" {
	run uktv-awscall kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_success
	assert_output --partial '"StreamStatus":"ACTIVE"'
	run uktv-awscall dynamodb PutItem '{"TableName":"core-table","Item":{"PK":{"S":"title:1"},"SK":{"S":"record"}}}'
	assert_success
	run aws dynamodb get-item --table-name core-table --key '{"PK":{"S":"title:1"},"SK":{"S":"record"}}' --output json
	assert_output --partial '"title:1"'
}

@test "a validation error is returned at once, not retried" {
	export AWS_ENDPOINT_URL="$PROXY_URL"
	run uktv-awscall -v dynamodb PutItem '{"TableName":"no-such-table","Item":{"PK":{"S":"x"},"SK":{"S":"y"}}}'
	assert_equal "$status" 78
	assert_line 'uktv-awscall: no DynamoDB table no-such-table in eu-west-2 (PutItem)'
	assert_output --partial 'requests=1 retries=0'
}

@test "a missing table, stream or secret is named with its region, not as ResourceNotFoundException; a missing shard is not" {
	run --separate-stderr uktv-awscall kinesis DescribeStreamSummary '{"StreamName":"no-such-stream"}'
	assert_equal "$status" 78
	assert_equal "$stderr" 'uktv-awscall: no Kinesis stream no-such-stream in eu-west-2 (DescribeStreamSummary)'
	run --separate-stderr uktv-awscall secretsmanager GetSecretValue '{"SecretId":"no/such/secret"}'
	assert_equal "$status" 78
	assert_equal "$stderr" 'uktv-awscall: no Secrets Manager secret no/such/secret in eu-west-2 (GetSecretValue)'
	# a shard gone is the stream reader's business: the service's words
	run --separate-stderr uktv-awscall kinesis GetShardIterator '{"StreamName":"core-stream","ShardId":"shardId-000000000009","ShardIteratorType":"TRIM_HORIZON"}'
	assert_equal "$status" 1
	[[ $stderr == "uktv-awscall: Kinesis GetShardIterator: ResourceNotFoundException: "* ]]
}

@test "an endpoint that answers a bare 404 is named and questioned, not 'HTTP404 (HTTP 404)'" {
	run --separate-stderr uktv-awscall --endpoint-url "$MOTO_URL/not/here" dynamodb ListTables
	assert_equal "$status" 78
	assert_equal "$stderr" "uktv-awscall: DynamoDB ListTables: POST $MOTO_URL/not/here/: HTTP 404 (nothing there): is the endpoint URL right?"
}

@test "throttling is retried with backoff and then succeeds" {
	export AWS_ENDPOINT_URL="$PROXY_URL"
	proxy_script '[{"op":"DescribeStreamSummary","calls":[1,2],"fault":"throttle"}]'
	run uktv-awscall -v kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_success
	assert_output --partial 'requests=3 retries=2 throttles=2'
	[ "$(proxy_log | grep -c '"op": *"DescribeStreamSummary"')" -eq 3 ]
}

@test "500, 503 and a connection reset are retried" {
	export AWS_ENDPOINT_URL="$PROXY_URL"
	# The reset comes first, on a fresh connection: on a reused one libcurl
	# itself would resend the request once, unseen by the retry policy.
	proxy_script '[{"op":"DescribeStreamSummary","calls":[1],"fault":"reset"},{"op":"DescribeStreamSummary","calls":[2],"fault":"500"}]'
	run uktv-awscall -v kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_success
	assert_output --partial 'requests=3 retries=2'
	proxy_reset
	proxy_script '[{"op":"DescribeStreamSummary","calls":[1],"fault":"503"}]'
	run uktv-awscall -v kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_success
	assert_output --partial 'requests=2 retries=1'
}

@test "a stall longer than the read timeout is cut and retried" {
	export AWS_ENDPOINT_URL="$PROXY_URL"
	proxy_script '[{"op":"DescribeStreamSummary","calls":[1],"fault":"stall","seconds":8}]'
	# 2 s, not 1: the retry must be answered within it on a loaded machine
	run uktv-awscall -v --read-timeout 2 kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_success
	assert_output --partial 'requests=2 retries=1'
}

@test "an answer that trickles in a byte every half second is cut at --attempt-timeout and retried as a timeout" {
	# A server that is never silent long enough for --read-timeout: each
	# answer's 1000 bytes come one every 0.5 s (over 8 minutes).
	cat >"$BATS_TEST_TMPDIR/trickle.py" <<'PY'
import os, socket, sys, threading, time
port_file, log_file = sys.argv[1], sys.argv[2]
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(8)
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
os.rename(port_file + ".tmp", port_file)
lock = threading.Lock()

def serve(conn):
    with conn:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(65536)
            if not data:
                return
            head += data
        with lock, open(log_file, "a") as log:
            log.write(head.split(b"\r\n")[0].decode() + "\n")
        body = b'{"StreamDescriptionSummary":{"StreamName":"core-stream"}}'.ljust(1000)
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body))
            for i in range(len(body)):
                conn.sendall(body[i:i + 1])
                time.sleep(0.5)
        except OSError:
            return

while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
	start_bg trickle python3 "$BATS_TEST_TMPDIR/trickle.py" "$BATS_TEST_TMPDIR/trickle.port" "$BATS_TEST_TMPDIR/trickle.log"
	wait_until 10 test -s "$BATS_TEST_TMPDIR/trickle.port"
	export AWS_ENDPOINT_URL="http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/trickle.port")" AWS_MAX_ATTEMPTS=2
	run timeout 60 uktv-awscall -v --attempt-timeout 2 kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_equal "$status" 69
	assert_output --partial '(timed out)'
	assert_output --partial 'gave up after 2 attempts'
	assert_output --partial 'requests=2 retries=1'
	assert_equal "$(grep -c '^POST / HTTP/1.1$' "$BATS_TEST_TMPDIR/trickle.log")" 2
	run uktv-awscall --attempt-timeout 0 kinesis ListStreams
	assert_equal "$status" 2
	assert_output --partial "--attempt-timeout takes seconds between 0.001 and 86400, not '0'"
}

@test "still throttled after max_attempts: exit 69 naming the code" {
	export AWS_ENDPOINT_URL="$PROXY_URL" AWS_MAX_ATTEMPTS=4
	proxy_script '[{"op":"DescribeStreamSummary","every":true,"fault":"throttle"}]'
	run uktv-awscall -v kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_equal "$status" 69
	# Kinesis answers a throttled control-plane call with LimitExceededException
	assert_output --partial 'LimitExceededException'
	assert_output --partial 'gave up after 4 attempts'
	assert_output --partial 'requests=4 retries=3'
}

@test "AWS_MAX_ATTEMPTS=1 turns retries off" {
	export AWS_ENDPOINT_URL="$PROXY_URL" AWS_MAX_ATTEMPTS=1
	proxy_script '[{"op":"DescribeStreamSummary","calls":[1],"fault":"500"}]'
	run uktv-awscall -v kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_equal "$status" 69
	assert_output --partial 'requests=1 retries=0'
}

@test "one client reuses one connection (keep-alive)" {
	export AWS_ENDPOINT_URL="$PROXY_URL"
	run uktv-awscall -v -n 5 kinesis DescribeStreamSummary '{"StreamName":"core-stream"}'
	assert_success
	assert_output --partial 'connections=1'
	conns=$(proxy_log | python3 -c 'import sys,json; print(len({json.loads(l)["conn"] for l in sys.stdin if l.strip()}))')
	assert_equal "$conns" 1
}

@test "no region: one clear line, exit 78" {
	unset AWS_REGION AWS_DEFAULT_REGION
	run uktv-awscall kinesis ListStreams
	assert_equal "$status" 78
	assert_output --partial 'no AWS region'
	assert_equal "${#lines[@]}" 1
}

@test "no credentials: one clear line, exit 78" {
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	run uktv-awscall kinesis ListStreams
	assert_equal "$status" 78
	assert_output --partial 'credentials'
	assert_equal "${#lines[@]}" 1
}

@test "TLS: a self-signed server is refused, and accepted with its CA bundle" {
	dir="$BATS_TEST_TMPDIR"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$dir/key.pem" -out "$dir/cert.pem" \
	    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	port=$(free_port)
	start_bg tls python3 "$UKTV_ROOT/tests/fakes/uktv-tls-echo" "$port" "$dir/cert.pem" "$dir/key.pem"
	wait_until 10 bash -c "echo > /dev/tcp/127.0.0.1/$port"
	run uktv-awscall --endpoint-url "https://127.0.0.1:$port" kinesis ListStreams
	assert_equal "$status" 69
	assert_output --partial 'certificate'
	run uktv-awscall --endpoint-url "https://127.0.0.1:$port" --ca-bundle "$dir/cert.pem" kinesis ListStreams
	assert_success
	assert_output '{"StreamNames":[]}'
	AWS_CA_BUNDLE="$dir/cert.pem" run uktv-awscall --endpoint-url "https://127.0.0.1:$port" kinesis ListStreams
	assert_success
	stop_bg tls
}

