#!/usr/bin/env bats
# uktv-publish against moto, through the fault proxy: one record per line,
# batching at Kinesis's limits, partition keys, rejected lines, partial and
# whole-call failures, order, envelopes, pacing, signals.  Streams are read
# back with the AWS CLI.

load helpers/common
load helpers/faultproxy

bats_require_minimum_version 1.5.0

setup_file() {
	moto_start
	proxy_start --seed 14
	# Tests that check what Kinesis answered (--results, the proxy's log)
	# rather than read the stream back share this one: an AWS CLI call costs
	# most of a second here.
	make_stream shared
}

teardown_file() {
	proxy_stop
	moto_stop
}

setup() {
	proxy_script '[]'
	export AWS_MAX_ATTEMPTS=3
	S="pub$BATS_TEST_NUMBER"
	IN="$BATS_TEST_TMPDIR/in.ndjson"
	DEAD="$BATS_TEST_TMPDIR/dead.ndjson"
}

# events N [FIRST]: N title events in the design's shape, ids FIRST.. (1).
events() {
	jq -nc --argjson n "$1" --argjson f "${2:-1}" 'range($f; $f + $n) |
	    {header: {publishingComponent: "uktv-titles",
	      publishTimestamp: "2025-07-04T16:02:51.855Z",
	      publishCause: "userpref:alice"},
	     payload: {id: ., title: "Title \(.)", year: 2022, imdb_id: "tt\(.)",
	      tmdb_id: ., tmdb_type: "tv", type: "tv_series", source_ids: ["203"],
	      genre_ids: ["4"]}}'
}

# stream: a fresh stream for this test (SHARDS, default 1); the proxy log
# starts empty after it.
stream() {
	make_stream "${1:-$S}" "${2:-1}"
	proxy_reset
}

# shared: this test publishes to the shared stream (S); the proxy log starts
# empty.
shared() {
	S=shared
	proxy_reset
}

# delivered: the input lines --results reports delivered (in $output, where
# stderr's lines are mixed in), sorted.
delivered() {
	grep '^{' <<<"$output" | jq -r 'select(.sequence != null) | .line' | sort -n | tr '\n' ' '
}

# records STREAM [SHARDS]: every record as {"shard","pk","b64","data"}, shard
# by shard in sequence order (data decoded as text).
records() {
	local n=${2:-1} i shard it
	for ((i = 0; i < n; i++)); do
		shard=$(printf 'shardId-%012d' "$i")
		it=$(aws kinesis get-shard-iterator --stream-name "$1" --shard-id "$shard" \
		    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text) || return
		aws kinesis get-records --shard-iterator "$it" --limit 10000 --output json |
		    jq -c --arg s "$shard" '.Records[] | {shard: $s, pk: .PartitionKey,
		        b64: .Data, data: (.Data | @base64d)}' || return
	done
}

# puts: the record count of each PutRecords call the proxy saw, as a JSON list.
puts() {
	proxy_log | jq -sc '[.[] | select(.op == "PutRecords") | .records]'
}

# ids: the payload ids in a records listing ($output), sorted, one line.
ids() {
	jq -r '.data | fromjson | .payload.id' <<<"$output" | sort -n | tr '\n' ' '
}

@test "--help exits 0 and every long option it names is in both completions" {
	run uktv-publish --help
	assert_success
	assert_output --partial "usage: uktv-publish"
	for o in $(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u); do
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$UKTV_ROOT/completions/bash/uktv-publish" ||
		    fail "bash completion lacks $o"
		grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$UKTV_ROOT/completions/zsh/_uktv-publish" ||
		    fail "zsh completion lacks $o"
	done
}

@test "--version prints the name and version" {
	run uktv-publish --version
	assert_success
	assert_output "uktv-publish 0.1.0"
}

@test "usage errors say what is wrong, then the usage, and exit 2" {
	run uktv-publish </dev/null
	assert_failure 2
	assert_line --index 0 "uktv-publish: name the stream with -s or --stream-arn"
	assert_line --index 1 --partial "usage: uktv-publish"
	run uktv-publish -s A --stream-arn arn:aws:kinesis:eu-west-2:123456789012:stream/A </dev/null
	assert_failure 2
	assert_line --index 0 "uktv-publish: -s and --stream-arn cannot be used together"
	run uktv-publish -s A --max-rate 0 </dev/null
	assert_failure 2
	assert_line --index 0 --partial "--max-rate takes records per second"
	run uktv-publish -s A --envelope -k .id </dev/null
	assert_failure 2
	assert_line --index 0 --partial "-k and --envelope cannot be used together"
	run uktv-publish -s A -k payload.id </dev/null
	assert_failure 2
	assert_line --index 0 --partial "-k takes a path"
	run uktv-publish -s A extra </dev/null
	assert_failure 2
	assert_line --index 0 --partial "unexpected argument 'extra'"
}

@test "no region is a configuration error (78) before any input is read" {
	run env -u AWS_REGION -u AWS_DEFAULT_REGION uktv-publish -s A </dev/null
	assert_failure 78
	assert_output --partial "no AWS region"
}

@test "each line becomes one record, byte for byte, keyed by .payload.id; CR and blank lines go" {
	stream
	{
		events 2
		printf '%s\n' '{"payload": {"id": 77, "title": "Café \u00e9"},  "x" : [1, 2.5e3]}'
	} >"$IN"
	# the same lines as CRLF, with blank lines between
	{ sed -n 1p "$IN"; printf '\n\n   \n'; sed -n '2,$p' "$IN"; } |
	    sed 's/$/\r/' >"$BATS_TEST_TMPDIR/crlf"
	run uktv-publish -v -s "$S" <"$BATS_TEST_TMPDIR/crlf"
	assert_success
	assert_output --partial "records 3,"
	assert_output --partial "blank lines 3"
	run records "$S"
	assert_success
	diff <(jq -r .data <<<"$output") "$IN"
	assert_equal "$(jq -r .pk <<<"$output" | tr '\n' ' ')" "1 2 77 "
	assert_equal "$(puts)" "[3]"
}

@test "--stream-arn names the stream by its ARN" {
	shared
	events 2 >"$IN"
	run uktv-publish --stream-arn "arn:aws:kinesis:eu-west-2:123456789012:stream/$S" \
	    --results <"$IN"
	assert_success
	assert_equal "$(delivered)" "1 2 "
	assert_equal "$(proxy_log | jq -r 'select(.op == "PutRecords") | .stream')" "$S"
}

@test "without .payload.id the key is the line's SHA-256; -k and --explicit-hash-key choose key and shard" {
	stream "$S" 2
	line='{"header":{"publishCause":"userpref:bob"},"payload":{"title":"no id"}}'
	printf '%s\n' "$line" >"$IN"
	run uktv-publish -s "$S" <"$IN"
	assert_success
	# 0 and 3 * 2^126: the bottom and the upper half of the hash key space
	# (moto fails a put at 2^128 - 1 itself)
	printf '%s\n' '{"u":"alice","h":"0"}' \
	    '{"u":"bob","h":255211775190703847597530955573826158592}' >"$IN"
	run uktv-publish -s "$S" -k .u --explicit-hash-key .h <"$IN"
	assert_success
	run records "$S" 2
	sha=$(printf '%s' "$line" | sha256sum | cut -d' ' -f1)
	assert_equal "$(jq -r 'select(.data | contains("no id")) | .pk' <<<"$output")" "$sha"
	assert_equal "$(jq -r 'select(.pk == "alice") | .shard' <<<"$output")" shardId-000000000000
	assert_equal "$(jq -r 'select(.pk == "bob") | .shard' <<<"$output")" shardId-000000000001
}

@test "a line without the -k path, or with a bad hash key, is rejected and named" {
	shared
	printf '%s\n' '{"u":"a","h":"1"}' '{"v":"b","h":"1"}' '{"u":"c","h":"01"}' \
	    '{"u":"d","h":"340282366920938463463374607431768211456"}' '{"u":"","h":"2"}' >"$IN"
	run uktv-publish -s "$S" -k .u --explicit-hash-key .h --dead-letter "$DEAD" \
	    --results <"$IN"
	assert_failure 1
	assert_line "uktv-publish: line 2: no string or number at .u for the partition key: not sent"
	assert_line --partial "line 3: explicit hash key is not a decimal from 0 to 2^128-1 at .h"
	assert_line --partial "line 4: explicit hash key is not a decimal"
	assert_line --partial "line 5: partition key at .u is empty"
	assert_equal "$(jq -sc 'map([.line, .error])' "$DEAD")" \
	    '[[2,"no_partition_key"],[3,"bad_hash_key"],[4,"bad_hash_key"],[5,"bad_partition_key"]]'
	assert_equal "$(delivered)" "1 "
	assert_equal "$(puts)" "[1]"
}

@test "calls hold at most 500 records: 1201 lines go in calls of 500, 500 and 201" {
	shared
	events 1201 >"$IN"
	run uktv-publish -s "$S" --results <"$IN"
	assert_success
	assert_equal "$(puts)" "[500,500,201]"
	assert_equal "$(delivered)" "$(seq 1 1201 | tr '\n' ' ')"
}

@test "calls hold at most 5 MiB: six records of 900 kB go in calls of 5 and 1" {
	shared
	python3 -c '
import json
for i in range(1, 7):
    print(json.dumps({"payload": {"id": i}, "pad": "x" * 900000}, separators=(",", ":")))
' >"$IN"
	# moto enforces the 5 MiB limit too: a call over it would fail
	run uktv-publish -s "$S" --results <"$IN"
	assert_success
	assert_equal "$(puts)" "[5,1]"
	assert_equal "$(delivered)" "1 2 3 4 5 6 "
}

@test "oversized and invalid lines are named and dead-lettered, the rest delivered, exit 1" {
	shared
	python3 - "$IN" <<'PY'
import json, sys
def ev(i, pad=None):
    d = {"payload": {"id": i}}
    if pad is not None:
        d["pad"] = "x" * pad
    return json.dumps(d, separators=(",", ":")).encode()
base = len(ev(7, 0))
with open(sys.argv[1], "wb") as f:
    f.write(ev(1) + b"\n")
    f.write(b'{"payload":\n')                           # 2 invalid JSON
    f.write(ev(3) + b"\n")
    f.write(ev(8, 1048576 - base) + b"\n")              # 4 one byte over 1 MiB with its key
    f.write(b"[1,2]\n")                                 # 5 not an object
    f.write(ev(7, 1048576 - 1 - base) + b"\n")          # 6 exactly 1 MiB with its key "7"
    f.write(b'{"payload":{"id":9},"t":"\xff"}\n')       # 7 invalid UTF-8
    f.write(ev(11, 2200000) + b"\n")                    # 8 longer than a line may be held
    f.write(ev(10) + b"\n")
PY
	run uktv-publish -s "$S" --dead-letter "$DEAD" --results <"$IN"
	assert_failure 1
	assert_line --partial "line 2: invalid JSON"
	assert_line --partial "line 4: record of 1048577 bytes with its partition key is over Kinesis's limit of 1048576"
	assert_line --partial "line 5: not a JSON object"
	assert_line --partial "line 7: invalid UTF-8"
	len8=$(LC_ALL=C awk 'NR == 8 { print length($0) }' "$IN")
	assert_line --partial "line 8: line of $len8 bytes is longer than the limit of 2097152"
	assert_equal "$(jq -sc 'map([.line, .error])' "$DEAD")" \
	    '[[2,"invalid_json"],[4,"record_too_large"],[5,"not_object"],[7,"invalid_utf8"],[8,"line_too_long"]]'
	assert_equal "$(jq -r 'select(.line == 2) | .input' "$DEAD")" '{"payload":'
	assert_equal "$(jq -r 'select(.line == 4) | .input | length' "$DEAD")" 1048576
	assert_equal "$(jq -r 'select(.line == 7) | .input_base64 | @base64d | .[0:17]' "$DEAD")" '{"payload":{"id":'
	assert_equal "$(jq -r 'select(.line == 8) | .length' "$DEAD")" "$len8"
	# line 6 is exactly at the limit, which moto enforces too
	assert_equal "$(delivered)" "1 3 6 9 "
}

@test "a partial failure resends only the failed records, and --results reports every line once" {
	stream
	events 5 >"$IN"
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"fail_records","records":[1,3]}]'
	run uktv-publish -s "$S" --results <"$IN"
	assert_success
	assert_equal "$(puts)" "[5,2]"
	assert_equal "$(jq -sc 'map(.line) | sort' <<<"$output")" "[1,2,3,4,5]"
	assert_equal "$(jq -sc 'map(select(.shard == "shardId-000000000000" and (.sequence | test("^[0-9]+$")))) | length' <<<"$output")" 5
	run records "$S"
	assert_equal "$(ids)" "1 2 3 4 5 "
}

@test "a record still failing after its attempts is dead-lettered, exit 1, and the dead letters replay" {
	stream
	events 3 >"$IN"
	proxy_script '[{"op":"PutRecords","fault":"fail_records","records":[0]}]'
	run uktv-publish -s "$S" --record-attempts 3 --dead-letter "$DEAD" <"$IN"
	assert_failure 1
	assert_output --partial "line 1: not delivered after 3 attempts: ProvisionedThroughputExceededException"
	assert_equal "$(puts)" "[3,1,1]"
	assert_equal "$(jq -sc 'map([.line, .error])' "$DEAD")" '[[1,"ProvisionedThroughputExceededException"]]'
	assert_equal "$(jq -r .input "$DEAD")" "$(head -1 "$IN")"
	proxy_script '[]'
	jq -r .input "$DEAD" | uktv-publish -s "$S"
	run records "$S"
	assert_equal "$(ids)" "1 2 3 "
}

@test "whole-call throttling, 500, 503, a reset and a stall are retried: nothing lost or doubled" {
	stream
	events 20 >"$IN"
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"throttle"},
	    {"op":"PutRecords","calls":[2],"fault":"500"},
	    {"op":"PutRecords","calls":[3],"fault":"503"},
	    {"op":"PutRecords","calls":[4],"fault":"reset"},
	    {"op":"PutRecords","calls":[5],"fault":"stall","seconds":6}]'
	# 2 s, not 1: the last call must be answered within it on a loaded machine
	AWS_MAX_ATTEMPTS=6 run uktv-publish -v -s "$S" --read-timeout 2 <"$IN"
	assert_success
	assert_output --partial "records 20, bytes 5635, calls 1, retries"
	assert_equal "$(proxy_log | jq -sc '[.[] | select(.op == "PutRecords") | [.fault, .status]]')" \
	    '[["throttle",400],["500",500],["503",503],["reset",null],["stall",null],[null,200]]'
	run records "$S"
	assert_equal "$(ids)" "$(seq 1 20 | tr '\n' ' ')"
}

@test "a lost answer duplicates only that call's records" {
	stream
	events 520 >"$IN"
	# The second call is written, then its connection reset: it is resent.
	proxy_script '[{"op":"PutRecords","calls":[2],"fault":"reset","after_forward":true}]'
	run uktv-publish -s "$S" <"$IN"
	assert_success
	assert_equal "$(puts)" "[500,20,20]"
	run records "$S"
	assert_equal "$(jq -r '.data | fromjson | .payload.id' <<<"$output" | sort -n | uniq -d | tr '\n' ' ')" \
	    "$(seq 501 520 | tr '\n' ' ')"
	assert_equal "$(jq -r '.data | fromjson | .payload.id' <<<"$output" | sort -nu | wc -l)" 520
}

@test "a call failing after its retries stops the run (69): its records dead-lettered, the rest not read" {
	shared
	events 600 >"$IN"
	proxy_script '[{"op":"PutRecords","fault":"503"}]'
	AWS_MAX_ATTEMPTS=2 run uktv-publish -s "$S" --dead-letter "$DEAD" <"$IN"
	assert_failure 69
	assert_output --partial "ServiceUnavailable"
	assert_output --partial "stopped after line 500: the input after it was not read"
	assert_equal "$(jq -s 'length' "$DEAD")" 500
	assert_equal "$(jq -sc '[.[0].error, .[0].line, .[-1].line]' "$DEAD")" '["ServiceUnavailable",1,500]'
	assert_equal "$(puts)" "[500,500]"
}

@test "a PutRecords answer without Records shows its __type and message, is sent again, and is 69 once the attempts are spent" {
	shared
	events 2 >"$IN"
	proxy_script '[{"op":"PutRecords","fault":"error","status":200,"code":"InternalFailure","message":"the shard map is being rebuilt","calls":[1]}]'
	run --separate-stderr uktv-publish -s "$S" --results <"$IN"
	assert_success
	assert_equal "$(puts)" "[2,2]"
	proxy_reset
	proxy_script '[{"op":"PutRecords","fault":"error","status":200,"code":"InternalFailure","message":"the shard map is being rebuilt"}]'
	run --separate-stderr uktv-publish -s "$S" --record-attempts 3 --dead-letter "$DEAD" <"$IN"
	assert_failure 69
	msg="Kinesis PutRecords: HTTP 200 with no Records: InternalFailure: the shard map is being rebuilt (gave up after 3 attempts)"
	assert_equal "${stderr_lines[0]}" "uktv-publish: line 1: not delivered: $msg"
	assert_equal "$(jq -sc 'map([.error, .message])' "$DEAD")" "[[\"InvalidResponse\",\"$msg\"],[\"InvalidResponse\",\"$msg\"]]"
	assert_equal "$(puts)" "[2,2,2]"
}

@test "--dead-letter is made on the first record written, not on every run; a folder that will not take it fails before any input (73)" {
	shared
	events 2 >"$IN"
	run --separate-stderr uktv-publish -s "$S" --dead-letter "$DEAD" <"$IN"
	assert_success
	assert_file_not_exists "$DEAD"
	run --separate-stderr uktv-publish -s "$S" --dead-letter "$BATS_TEST_TMPDIR/no/dead" <"$IN"
	assert_failure 73
	assert_equal "$stderr" "uktv-publish: $BATS_TEST_TMPDIR/no/dead: No such file or directory"
	assert_equal "$(puts)" "[2]"
}

@test "a stream that does not exist is named, its records dead-lettered, exit 1" {
	events 2 >"$IN"
	run uktv-publish -s nosuch --dead-letter "$DEAD" <"$IN"
	assert_failure 1
	assert_output --partial "ResourceNotFoundException"
	assert_equal "$(jq -sc 'map(.error)' "$DEAD")" '["ResourceNotFoundException","ResourceNotFoundException"]'
}

@test "without --strict-order a partial failure can reorder a key; with it each key keeps its order" {
	stream
	# keys a a a b b a (A ... with --strict-order); the first record of
	# calls 1, 3 and 5 fails once
	printf '%s\n' '{"k":"a","n":1}' '{"k":"a","n":2}' '{"k":"a","n":3}' \
	    '{"k":"b","n":1}' '{"k":"b","n":2}' '{"k":"a","n":4}' >"$IN"
	script='[{"op":"PutRecords","calls":[1,3,5],"fault":"fail_records","records":[0]}]'
	proxy_script "$script"
	run uktv-publish -s "$S" -k .k <"$IN"
	assert_success

	proxy_reset
	proxy_script "$script"
	run uktv-publish -s "$S" -k .k --strict-order < <(tr ab AB <"$IN")
	assert_success
	# no call held one key twice: A1 (failed, resent), A2 (failed, resent),
	# A3 B1 (A3 failed, resent), B2 A4
	assert_equal "$(puts)" "[1,1,1,1,2,1,2]"

	run records "$S"
	for k in a A b B; do
		printf '%s:%s ' "$k" "$(jq -r --arg k "$k" 'select(.pk == $k) | .data | fromjson | .n' <<<"$output" | tr -d '\n')"
	done >"$BATS_TEST_TMPDIR/order"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/order")" "a:2341 A:1234 b:12 B:12 "
}

@test "--envelope copies records: JSON data compact, binary data byte for byte, keys kept" {
	stream
	printf '%s\n' '{"payload":{"id":1,"title":"One"}}' '{"payload":{"id":2,"title":"Twö"}}' >"$IN"
	uktv-publish -s "$S" <"$IN"
	printf '\x00\xff\xfe\x01binary\n\x80' >"$BATS_TEST_TMPDIR/bin"
	aws kinesis put-record --stream-name "$S" --partition-key bin \
	    --data "fileb://$BATS_TEST_TMPDIR/bin" >/dev/null
	run records "$S"
	src=$output
	# what uktv-consume --envelope prints: data as JSON, or data_base64
	jq -c '{shard, sequence: "1", partition_key: .pk, arrival: "2025-07-04T16:02:52.001Z"} +
	    (if .pk == "bin" then {data_base64: .b64} else {data: (.data | fromjson)} end)' \
	    <<<"$src" >"$BATS_TEST_TMPDIR/env"
	# and a spaced-out envelope: only the whitespace goes
	printf '%s\n' '{"partition_key": "k9", "data": { "a" : [ 1, "x y" ] , "b":{} } }' \
	    >>"$BATS_TEST_TMPDIR/env"
	# copied into the same stream, after the originals
	run uktv-publish -s "$S" --envelope <"$BATS_TEST_TMPDIR/env"
	assert_success
	run records "$S"
	assert_equal "$(jq -c '[.pk, .b64]' <<<"$output" | sed -n 4,6p)" "$(jq -c '[.pk, .b64]' <<<"$src")"
	assert_equal "$(jq -r 'select(.pk == "k9") | .data' <<<"$output")" '{"a":[1,"x y"],"b":{}}'
}

@test "--envelope rejects lines without a key or with both or neither data form" {
	shared
	printf '%s\n' '{"data":{"a":1}}' '{"partition_key":"k","data":{},"data_base64":"AA=="}' \
	    '{"partition_key":"k"}' '{"partition_key":"k","data_base64":"A==="}' \
	    '{"partition_key":"k","data_base64":"AA=="}' >"$IN"
	run uktv-publish -s "$S" --envelope --dead-letter "$DEAD" --results <"$IN"
	assert_failure 1
	assert_equal "$(jq -sc 'map([.line, .error])' "$DEAD")" \
	    '[[1,"bad_envelope"],[2,"bad_envelope"],[3,"bad_envelope"],[4,"bad_envelope"]]'
	assert_equal "$(jq -r 'select(.line == 1) | .input' "$DEAD")" '{"data":{"a":1}}'
	assert_equal "$(delivered)" "5 "
}

@test "--max-rate paces the calls: 60 records at 20/s take three calls a second apart" {
	shared
	events 60 >"$IN"
	start=$(date +%s%N)
	run uktv-publish -s "$S" --max-rate 20 <"$IN"
	end=$(date +%s%N)
	assert_success
	assert_equal "$(puts)" "[20,20,20]"
	[ $(((end - start) / 1000000)) -ge 1900 ] || fail "took only $(((end - start) / 1000000)) ms"
	# The gap between the second and third calls: the first call's own
	# start-up (a new connection; valgrind on a busy machine) can shorten
	# the gap after it, not this one.  An unpaced sender makes all three at
	# once.
	t=$(proxy_log | jq -s '[.[] | select(.op == "PutRecords") | .t] | .[2] - .[1]')
	jq -e --argjson t "$t" -n '$t >= 0.8' >/dev/null || fail "calls $t s apart"
}

@test "a live pipe is sent as it comes; SIGTERM stops reading, reports, exits 143" {
	shared
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	uktv-publish -s "$S" --results <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" \
	    2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec 8>"$BATS_TEST_TMPDIR/fifo"
	events 3 >&8
	# three records, far from a full call, go out while the pipe stays open
	wait_until 10 bash -c "[ \$(wc -l <'$BATS_TEST_TMPDIR/out') -ge 3 ]"
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	exec 8>&-
	assert_equal "$rc" 143
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial "stopped by SIGTERM after line 3: 3 records delivered, 0 not"
	run cat "$BATS_TEST_TMPDIR/out"
	assert_equal "$(delivered)" "1 2 3 "
}

@test "SIGTERM during a stalled call: the call is finished, a cut line dead-lettered, nothing lost" {
	shared
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"stall","seconds":2}]'
	uktv-publish -s "$S" --read-timeout 10 --dead-letter "$DEAD" --results \
	    <"$BATS_TEST_TMPDIR/fifo" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	exec 8>"$BATS_TEST_TMPDIR/fifo"
	# three lines and the start of a fourth, in one write (cat of a small
	# file is one write(2); bash's printf may split it under load)
	printf '%s\n%s' "$(events 3)" '{"payload":{"id":4' >"$BATS_TEST_TMPDIR/chunk"
	cat "$BATS_TEST_TMPDIR/chunk" >&8
	wait_until 10 bash -c "curl -sf '$PROXY_URL/__proxy/log' | grep -q '\"fault\": *\"stall\"'"
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	exec 8>&-
	assert_equal "$rc" 143
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial "stopped by SIGTERM after line 4"
	assert_equal "$(jq -c '[.line, .error, .input]' "$DEAD")" '[4,"invalid_json","{\"payload\":{\"id\":4"]'
	run cat "$BATS_TEST_TMPDIR/out"
	assert_equal "$(delivered)" "1 2 3 "
	# the stalled call never reached moto; its retry did, once
	assert_equal "$(puts)" "[3,3]"
}

@test "--results | head -1: exit 141 without a word; the input stops being read, what was read is sent once, in order" {
	stream
	# 3,000 results: far more than a pipe and head take
	events 3000 >"$IN"
	head1 bash -c 'cat "$1" 2>/dev/null | exec uktv-publish -s "$2" --results' _ "$IN" "$S"
	pipe_closed_ok
	jq -e '.line == 1 and (.sequence | type == "string")' <<<"$head1_first"
	# the stream holds the first k lines, each once, in order; the rest of
	# the input was not read
	run records "$S"
	jq -r '.data | fromjson | .payload.id' <<<"$output" >"$BATS_TEST_TMPDIR/ids"
	k=$(wc -l <"$BATS_TEST_TMPDIR/ids")
	[ "$k" -ge 1 ] && [ "$k" -lt 3000 ]
	diff "$BATS_TEST_TMPDIR/ids" <(seq "$k")
}
