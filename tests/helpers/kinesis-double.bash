# kinesis-double.bash: the resharding Kinesis / DynamoDB Streams double
# (tests/fakes/uktv-kinesis-double) for bats suites.  Load after common:
#
#   load helpers/common
#   load helpers/kinesis-double
#   setup()    { kdouble_start; }            # or setup_file, once per file
#   teardown() { kdouble_stop; }
#
# kdouble_start [DOUBLE OPTIONS...] starts the double on a port of its own
# choosing (it writes the port file once it listens), then exports
# KDOUBLE_PORT, KDOUBLE_URL, AWS_ENDPOINT_URL and the service variables
# AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_DYNAMODB_STREAMS (so a suite that
# also runs moto can point AWS_ENDPOINT_URL back at moto and keep Kinesis and
# Streams here), dummy keys, AWS_REGION and AWS_DEFAULT_REGION (CLI v1 reads
# only the latter).  Options go to the double: --iterator-expiry SECONDS,
# --describe-rate N.
#
# kdouble_ctl PATH [JSON]: POST JSON (default {}) to $KDOUBLE_URL/__double/PATH
# and print the answer; fails on a non-2xx status (the answer goes to stderr).
# kdouble_log: the request log (NDJSON: op, shard, status, ...).

kdouble_start() {
	local pf="$BATS_FILE_TMPDIR/kdouble.port"
	rm -f "$pf"
	start_bg kdouble uktv-kinesis-double --port 0 --port-file "$pf" "$@"
	if ! wait_until 10 test -s "$pf"; then
		cat "$BATS_FILE_TMPDIR/kdouble.log" >&2
		return 1
	fi
	KDOUBLE_PORT=$(cat "$pf")
	KDOUBLE_URL="http://127.0.0.1:$KDOUBLE_PORT"
	export KDOUBLE_PORT KDOUBLE_URL
	export AWS_ENDPOINT_URL="$KDOUBLE_URL"
	export AWS_ENDPOINT_URL_KINESIS="$KDOUBLE_URL"
	export AWS_ENDPOINT_URL_DYNAMODB_STREAMS="$KDOUBLE_URL"
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_REGION=eu-west-2 AWS_DEFAULT_REGION=eu-west-2
}

kdouble_stop() {
	stop_bg kdouble
}

kdouble_ctl() {
	local path=${1#/} json=${2:-"{}"} out code
	out=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary "$json" \
	    -w '\n%{http_code}' "$KDOUBLE_URL/__double/$path") || return 1
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	if [ "${code:0:1}" != 2 ]; then
		echo "kdouble_ctl $path: HTTP $code: $out" >&2
		return 1
	fi
	printf '%s\n' "$out"
}

kdouble_log() {
	curl -sS -f "$KDOUBLE_URL/__double/log"
}
