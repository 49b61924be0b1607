#!/usr/bin/env bats
# uktv-consume, the reading side: every shard read once, output and envelope,
# checkpoints and restarts (kill -9), resharding order and trimming on the
# resharding double, KPL aggregates built here from the documented format,
# -e on a busy stream, --until windows, showing and resetting positions,
# throttling and expired iterators through the fault proxy, --stats.
# Storing (-t), enrichment and leases: tests/consume-store.bats.

load helpers/common
load helpers/faultproxy
load helpers/kinesis-double

bats_require_minimum_version 1.5.0

setup_file() {
	moto_start
	proxy_start
	kdouble_start
	# The double's start pointed everything at itself: moto (through the
	# proxy) is the default again; double tests name it with --endpoint-url.
	unset AWS_ENDPOINT_URL_KINESIS AWS_ENDPOINT_URL_DYNAMODB_STREAMS
	export AWS_ENDPOINT_URL="$PROXY_URL"
	cat >"$BATS_FILE_TMPDIR/h.py" <<'PY'
"""Test records: put title-like events, raw data, KPL aggregates."""
import hashlib, json, os, sys, time
import boto3

k = boto3.client("kinesis", endpoint_url=os.environ.get("H_ENDPOINT")
                 or os.environ["AWS_ENDPOINT_URL"])


def ev(i, keys):
    return {"payload": {"id": 1000 + i, "title": "T%d" % i},
            "k": "k%d" % (i % keys), "n": i}


def put_all(stream, recs):
    for j in range(0, len(recs), 500):
        r = k.put_records(StreamName=stream, Records=recs[j:j + 500])
        assert r["FailedRecordCount"] == 0, r


def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7f | 0x80])
        n >>= 7
    return out + bytes([n])


def field(num, wt, payload):
    key = varint(num << 3 | wt)
    return key + (varint(len(payload)) + payload if wt == 2 else payload)


def aggregate(records, bad=False):
    """records: [(partition key, data bytes)] -> a KPL aggregated record."""
    table = []
    for pk, _ in records:
        if pk not in table:
            table.append(pk)
    msg = b"".join(field(1, 2, pk.encode()) for pk in table)
    for pk, data in records:
        rec = field(1, 0, varint(table.index(pk))) + field(3, 2, data)
        msg += field(3, 2, rec)
    digest = hashlib.md5(msg + (b"!" if bad else b"")).digest()
    return b"\xf3\x89\x9a\xc2" + msg + digest


cmd, stream = sys.argv[1], sys.argv[2]
if cmd == "put":            # put STREAM FROM TO [KEYS]
    a, b = int(sys.argv[3]), int(sys.argv[4])
    keys = int(sys.argv[5]) if len(sys.argv) > 5 else 10
    put_all(stream, [{"Data": json.dumps(ev(i, keys)).encode(),
                      "PartitionKey": ev(i, keys)["k"]} for i in range(a, b + 1)])
elif cmd == "raw":          # raw STREAM PK DATA
    k.put_record(StreamName=stream, PartitionKey=sys.argv[3],
                 Data=sys.argv[4].encode())
elif cmd == "kpl":          # kpl STREAM FROM TO [bad]
    a, b = int(sys.argv[3]), int(sys.argv[4])
    recs = [("kpl-%d" % (i % 3), json.dumps(ev(i, 3)).encode()) for i in range(a, b + 1)]
    k.put_record(StreamName=stream, PartitionKey="aggregate",
                 Data=aggregate(recs, bad=len(sys.argv) > 5))
elif cmd == "busy":         # busy STREAM FROM: one record every 5 ms until killed
    i = int(sys.argv[3])
    while True:
        k.put_record(StreamName=stream, PartitionKey="busy",
                     Data=json.dumps(ev(i, 1)).encode())
        i += 1
        time.sleep(0.005)
PY
}

teardown_file() {
	kdouble_stop
	proxy_stop
	moto_stop
}

setup() {
	proxy_script '[]'
	S="consume$BATS_TEST_NUMBER"
	CK="$BATS_TEST_TMPDIR/ck"
}

teardown() {
	stop_bg consumer
	stop_bg busy
}

# h CMD STREAM ARGS...: the python helper against moto (through the proxy).
h() {
	python3 "$BATS_FILE_TMPDIR/h.py" "$@"
}

# hd CMD STREAM ARGS...: the python helper against the double.
hd() {
	H_ENDPOINT="$KDOUBLE_URL" python3 "$BATS_FILE_TMPDIR/h.py" "$@"
}

# kd ARGS...: the AWS CLI against the double.
kd() {
	aws --endpoint-url "$KDOUBLE_URL" "$@"
}

# cd_ ARGS...: uktv-consume against the double.
consume_kd() {
	uktv-consume --endpoint-url "$KDOUBLE_URL" "$@"
}

# lines FILE: its number of lines.
lines() {
	if [ -f "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

# at_least N FILE: FILE has N lines or more.
at_least() {
	[ "$(lines "$2")" -ge "$1" ]
}

# per_key_order FILE: for each key .k the .n values come in increasing order.
per_key_order() {
	jq -se 'group_by(.k) | all(map(.n) as $n | $n == ($n | sort))' "$1" >/dev/null
}

# now_iso: the wall clock, ISO 8601 UTC with milliseconds.
now_iso() {
	date -u +%Y-%m-%dT%H:%M:%S.%3NZ
}

# ms_after MS: the clock is past MS (milliseconds since the epoch).
ms_after() {
	[ "$(date +%s%3N)" -gt "$1" ]
}

# nogrep PATTERN TEXT: fails when TEXT holds PATTERN.
nogrep() {
	if grep -q -- "$1" <<<"$2"; then
		fail "found '$1'"
	fi
}

@test "--help exits 0 and every long option is in both completion files" {
	run uktv-consume --help
	assert_success
	assert_output --partial "usage: uktv-consume -s STREAM"
	opts=$(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -gt 30 ]
	for o in $opts; do
		grep -q -- "$o" "$UKTV_ROOT/completions/bash/uktv-consume" || fail "bash completion lacks $o"
		grep -q -- "$o" "$UKTV_ROOT/completions/zsh/_uktv-consume" || fail "zsh completion lacks $o"
	done
}

@test "--version prints the name and version" {
	run uktv-consume --version
	assert_success
	assert_output "uktv-consume 0.1.0"
}

@test "usage errors say what is wrong and exit 2 before any call" {
	proxy_reset
	run uktv-consume
	assert_failure 2
	assert_line --index 0 "uktv-consume: no stream: -s STREAM is required"
	assert_line --partial "usage: uktv-consume"
	run uktv-consume -s x --from yesterday
	assert_failure 2
	assert_line --index 0 --partial "--from takes trim-horizon, latest, at-timestamp=TIME or at-sequence=SHARD:SEQ, not 'yesterday'"
	run uktv-consume -s x --until soon
	assert_failure 2
	assert_line --index 0 --partial "--until takes an ISO 8601 time"
	run uktv-consume -s x --checkpoint d --lease-table t --worker-id w
	assert_failure 2
	assert_line --index 0 "uktv-consume: --checkpoint and --lease-table cannot be used together"
	run uktv-consume -s x --lease-table t
	assert_failure 2
	assert_line --index 0 "uktv-consume: --lease-table needs --worker-id ID"
	run uktv-consume --show-checkpoints
	assert_failure 2
	assert_line --index 0 --partial "--show-checkpoints needs --checkpoint DIR"
	run uktv-consume -s x --enrich
	assert_failure 2
	assert_line --index 0 "uktv-consume: --enrich needs -t TABLE"
	run uktv-consume -s x -c 0
	assert_failure 2
	run uktv-consume -s x --stats-file f
	assert_failure 2
	run uktv-consume -s x extra
	assert_failure 2
	assert_line --index 0 "uktv-consume: unexpected argument 'extra'"
	[ -z "$(proxy_log)" ]
}

@test "-e reads every record of a 4-shard stream exactly once, each shard in sequence order" {
	make_stream "$S" 4
	h put "$S" 1 400 40
	run --separate-stderr uktv-consume -s "$S" -e
	assert_success
	[ -z "$stderr" ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	assert_equal "$(lines "$BATS_TEST_TMPDIR/out")" 400
	# each record once, exactly as it was put
	assert_equal "$(jq -r .n "$BATS_TEST_TMPDIR/out" | sort -n | uniq | wc -l | tr -d ' ')" 400
	assert_equal "$(jq -c 'select(.n == 7)' "$BATS_TEST_TMPDIR/out")" \
	    '{"payload":{"id":1007,"title":"T7"},"k":"k7","n":7}'
	per_key_order "$BATS_TEST_TMPDIR/out"
	# every shard was read, each GetRecords with a Limit (moto would send
	# the whole shard without one)
	proxy_log | jq -s -e '[.[] | select(.op == "GetShardIterator")] | length == 4' >/dev/null
	proxy_log | jq -s -e '[.[] | select(.op == "GetRecords")]
	    | length >= 4 and all(.limit | type == "number" and . > 0)' >/dev/null
}

@test "--envelope gives shard, sequence, partition key, arrival (ISO 8601 ms) and data or data_base64" {
	make_stream "$S" 1
	t0=$(date +%s%3N)
	h put "$S" 1 2
	h raw "$S" plain "not json at all"
	run --separate-stderr uktv-consume -s "$S" -e --envelope
	assert_success
	[ -z "$stderr" ]
	assert_equal "${#lines[@]}" 3
	first=${lines[0]} third=${lines[2]}
	run jq -c 'keys' <<<"$first"
	assert_output '["arrival","data","partition_key","sequence","shard"]'
	run jq -r '"\(.shard) \(.sequence) \(.partition_key) \(.data.n)"' <<<"$first"
	assert_output "shardId-000000000000 1 k1 1"
	arrival=$(jq -r .arrival <<<"$first")
	[[ $arrival =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$ ]]
	# the arrival is moto's clock (this machine's): after the test began
	a_ms=$(python3 -c "import datetime,sys; print(int(datetime.datetime.strptime(sys.argv[1], '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=datetime.timezone.utc).timestamp()*1000))" "$arrival")
	[ "$a_ms" -ge $((t0 - 1000)) ]
	run jq -r '.data_base64 | @base64d' <<<"$third"
	assert_output "not json at all"
	run jq -c 'has("data")' <<<"$third"
	assert_output false
}

@test "data that is not one JSON object is reported with shard and sequence, skipped, dead-lettered, exit 1" {
	make_stream "$S" 1
	h put "$S" 1 1
	h raw "$S" p1 '[1,2]'
	h raw "$S" p2 '{"broken":'
	h put "$S" 2 2
	h raw "$S" p3 $'{\n  "spread": "over lines"\n}\n'
	run --separate-stderr uktv-consume -s "$S" -e --dead-letter "$BATS_TEST_TMPDIR/dead"
	assert_failure 1
	assert_equal "${#lines[@]}" 3
	assert_equal "${lines[2]}" '{"spread":"over lines"}'
	grep -q 'uktv-consume: shard shardId-000000000000: sequence 2: data is JSON but not an object' <<<"$stderr"
	grep -q 'uktv-consume: shard shardId-000000000000: sequence 3: data is not JSON' <<<"$stderr"
	run jq -c '[.input, .error, .shard, .sequence]' "$BATS_TEST_TMPDIR/dead"
	assert_line --index 0 '["[1,2]","not_object","shardId-000000000000","2"]'
	assert_line --index 1 '["{\"broken\":","invalid_json","shardId-000000000000","3"]'
}

@test "--checkpoint: a second run resumes after the last record, new records only" {
	make_stream "$S" 2
	h put "$S" 1 50
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_success
	assert_equal "${#lines[@]}" 50
	# one file per shard, each after its last sequence
	for f in "$CK"/shardId-00000000000{0,1}.json; do
		jq -e '(.shard | startswith("shardId-")) and (.position | test("^[0-9]+$")) and (.updated | endswith("Z"))' "$f"
	done
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_success
	assert_output ""
	h put "$S" 51 60
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | sort -n | tr '\n' ' ')" "51 52 53 54 55 56 57 58 59 60 "
}

@test "kill -9 mid-run: the restart resumes from the checkpoint with no gap, duplicates only since it" {
	make_stream "$S" 1
	h put "$S" 1 3000
	out1="$BATS_TEST_TMPDIR/out1"
	proxy_reset
	start_bg consumer bash -c "exec uktv-consume -s '$S' --checkpoint '$CK' --limit 100 >'$out1'"
	wait_until 20 at_least 300 "$out1"
	kill -9 "$(cat "$BATS_FILE_TMPDIR/consumer.pid")"
	wait_until 5 bash -c "! kill -0 $(cat "$BATS_FILE_TMPDIR/consumer.pid")"
	rm -f "$BATS_FILE_TMPDIR/consumer.pid"
	ck=$(jq -r .position "$CK/shardId-000000000000.json")
	# at most 5 GetRecords a second on the shard, each with the Limit
	proxy_log | jq -s -e '[.[] | select(.op == "GetRecords") | .t] as $t
	    | ($t | length) >= 3 and ([range(1; $t | length) | $t[.] - $t[. - 1]] | min) >= 0.15' >/dev/null
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_success
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out2"
	# nothing lost: together every record
	assert_equal "$(cat "$out1" "$BATS_TEST_TMPDIR/out2" | jq -r .n | sort -n | uniq | wc -l | tr -d ' ')" 3000
	# the restart began right after the checkpoint (moto's sequences are
	# 1, 2, ...), mid-stream
	[ "$ck" -lt 3000 ]
	assert_equal "$(head -1 "$BATS_TEST_TMPDIR/out2" | jq .n)" "$((ck + 1))"
	# duplicates: at most the batch printed but not yet checkpointed
	dups=$(cat "$out1" "$BATS_TEST_TMPDIR/out2" | jq -r .n | sort -n | uniq -d | wc -l)
	[ "$dups" -le 100 ]
}

@test "resharding on the double: a split and a merge mid-run keep per-key order, each record once" {
	kd kinesis create-stream --stream-name rs --shard-count 2
	hd put rs 0 99 20
	out="$BATS_TEST_TMPDIR/out"
	start_bg consumer bash -c "exec uktv-consume --endpoint-url '$KDOUBLE_URL' -s rs --checkpoint '$CK' --poll-interval 0.2 >'$out'"
	wait_until 15 at_least 100 "$out"
	kids=$(kdouble_ctl kinesis/split '{"stream":"rs","shard":"shardId-000000000000"}' | jq -r '.children | join(" ")')
	hd put rs 100 199 20
	wait_until 15 at_least 200 "$out"
	set -- $kids
	merged=$(kdouble_ctl kinesis/merge "{\"stream\":\"rs\",\"shard\":\"$1\",\"adjacent\":\"$2\"}" | jq -r .child)
	hd put rs 200 299 20
	wait_until 15 at_least 300 "$out"
	stop_bg consumer
	assert_equal "$(jq -r .n "$out" | sort -n | uniq | wc -l | tr -d ' ')" 300
	assert_equal "$(lines "$out")" 300
	per_key_order "$out"
	# the closed shards were read to their end and checkpointed so
	for sid in shardId-000000000000 "$1" "$2"; do
		assert_equal "$(jq -r .position "$CK/$sid.json")" SHARD_END
	done
	# the merged child was read only after both parents ended
	kdouble_log | jq -s -e --arg a "$1" --arg b "$2" --arg m "$merged" '
	    [.[] | select(.op == "GetRecords")] as $g
	    | ([$g | to_entries[] | select(.value.shard == $a or .value.shard == $b) | select(.value.end) | .key] | max) as $pend
	    | ([$g | to_entries[] | select(.value.shard == $m) | .key] | min) as $child
	    | $child > $pend' >/dev/null
}

@test "records that come with a closed shard's null iterator are delivered before its children" {
	kdouble_ctl config '{"end_iterator":"null"}'
	kd kinesis create-stream --stream-name ni --shard-count 1
	hd put ni 1 5 5
	kdouble_ctl kinesis/split '{"stream":"ni","shard":"shardId-000000000000"}'
	hd put ni 6 10 5
	curl -sSf -X DELETE "$KDOUBLE_URL/__double/log" >/dev/null
	run --separate-stderr consume_kd -s ni -e --checkpoint "$CK"
	kdouble_ctl config '{"end_iterator":"absent"}'
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | head -5 | tr '\n' ' ')" "1 2 3 4 5 "
	assert_equal "$(jq -r .n <<<"$output" | sort -n | tr '\n' ' ')" "1 2 3 4 5 6 7 8 9 10 "
	# the parent's one answer held its five records and its end
	kdouble_log | jq -s -e '[.[] | select(.op == "GetRecords" and .shard == "shardId-000000000000")] | .[0] | .records == 5 and .end' >/dev/null
	assert_equal "$(jq -r .position "$CK/shardId-000000000000.json")" SHARD_END
}

@test "-e and --until read on through empty pages while MillisBehindLatest is above 0" {
	kd kinesis create-stream --stream-name lag --shard-count 1
	hd put lag 1 3 1
	# Kinesis answers a reader far behind with empty pages (Developer
	# Guide: keep calling while MillisBehindLatest > 0).
	kdouble_ctl config '{"behind_pages":3}'
	curl -sSf -X DELETE "$KDOUBLE_URL/__double/log" >/dev/null
	run --separate-stderr consume_kd -s lag -e
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "1 2 3 "
	kdouble_log | jq -s -e '[.[] | select(.op == "GetRecords")] | (.[0:3] | all(.behind)) and (.[3].records == 3)' >/dev/null
	kdouble_ctl config '{"behind_pages":3}'
	run --separate-stderr consume_kd -s lag --from at-timestamp=-2h --until now
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "1 2 3 "
}

@test "-e reads a shard closed by a split to its null iterator, then its children" {
	# A closed shard answers a caught-up page (MillisBehindLatest 0, an
	# iterator) before its end, as kinesalite does: that page is not the end.
	kdouble_ctl config '{"shard_end":"lazy"}'
	kd kinesis create-stream --stream-name sp --shard-count 1
	hd put sp 1 5 5
	kdouble_ctl kinesis/split '{"stream":"sp","shard":"shardId-000000000000"}'
	hd put sp 6 10 5
	run --separate-stderr consume_kd -s sp -e --checkpoint "$CK"
	kdouble_ctl config '{"shard_end":"eager"}'
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | sort -n | tr '\n' ' ')" "1 2 3 4 5 6 7 8 9 10 "
	assert_equal "$(jq -r .position "$CK/shardId-000000000000.json")" SHARD_END
	hd put sp 11 12 5
	run --separate-stderr consume_kd -s sp -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | sort -n | tr '\n' ' ')" "11 12 "
}

@test "an answer without Records is a service fault, retried, never the shard's end" {
	kd kinesis create-stream --stream-name br --shard-count 1
	hd put br 1 3 1
	kdouble_ctl config '{"broken_pages":2}'
	run --separate-stderr consume_kd -s br -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "1 2 3 "
	ck=$(jq -r .position "$CK/shardId-000000000000.json")
	[[ $ck =~ ^[0-9]+$ ]] || fail "checkpoint $ck is not a sequence number"
	hd put br 4 4 1
	kdouble_ctl config '{"broken_pages":100}'
	run --separate-stderr consume_kd -s br -e --checkpoint "$CK"
	kdouble_ctl config '{"broken_pages":0}'
	assert_equal "$status" 69
	assert_equal "$output" ""
	grep -q 'GetRecords: the answer has no Records (InternalFailure: boom)' <<<"$stderr" ||
	    fail "no InternalFailure in: $stderr"
	assert_equal "$(jq -r .position "$CK/shardId-000000000000.json")" "$ck"
	run --separate-stderr consume_kd -s br -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output")" 4
}

@test "an open shard's answer without NextShardIterator is not SHARD_END: the shard is listed again and read on" {
	kd kinesis create-stream --stream-name nn --shard-count 1
	hd put nn 1 3 1
	kdouble_ctl config '{"no_next_pages":1}'
	run --separate-stderr consume_kd -s nn -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "1 2 3 "
	ck=$(jq -r .position "$CK/shardId-000000000000.json")
	[[ $ck =~ ^[0-9]+$ ]] || fail "checkpoint $ck is not a sequence number"
	hd put nn 4 5 1
	run --separate-stderr consume_kd -s nn -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "4 5 "
}

@test "a checkpoint file of another shard, or SHARD_END for an open shard, is refused with exit 1" {
	kd kinesis create-stream --stream-name ck --shard-count 1
	hd put ck 1 3 1
	mkdir -p "$CK"
	printf '{"shard":"shardId-000000000001","position":"12"}\n' >"$CK/shardId-000000000000.json"
	run --separate-stderr consume_kd -s ck -e --checkpoint "$CK"
	assert_equal "$status" 1
	assert_equal "$output" ""
	grep -q 'shardId-000000000000.json: the checkpoint of another shard ("shard": "shardId-000000000001")' <<<"$stderr" ||
	    fail "unexpected: $stderr"
	printf '{"shard":"shardId-000000000000","position":"SHARD_END"}\n' >"$CK/shardId-000000000000.json"
	run --separate-stderr consume_kd -s ck -e --checkpoint "$CK"
	assert_equal "$status" 1
	assert_equal "$output" ""
	grep -q 'shardId-000000000000: its checkpoint says SHARD_END, but the stream lists the shard as open' <<<"$stderr" ||
	    fail "unexpected: $stderr"
	# the file is left as it was, for the operator to look at
	assert_equal "$(jq -r .position "$CK/shardId-000000000000.json")" SHARD_END
}

@test "a checkpoint behind the trim horizon is reported with the gap and reset to trim-horizon" {
	kd kinesis create-stream --stream-name tr --shard-count 1
	hd put tr 1 10 1
	run consume_kd -s tr -e --checkpoint "$CK"
	assert_success
	ck=$(jq -r .position "$CK/shardId-000000000000.json")
	hd put tr 11 20 1
	seq15=$(consume_kd -s tr -e --envelope | jq -r 'select(.data.n == 15) | .sequence')
	kdouble_ctl trim "{\"stream\":\"tr\",\"through\":\"$seq15\"}"
	run --separate-stderr consume_kd -s tr -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "16 17 18 19 20 "
	grep -q "uktv-consume: shard shardId-000000000000: position after $ck was trimmed from the stream: reading on from TRIM_HORIZON" <<<"$stderr"
	seq16=$(consume_kd -s tr -e --envelope | jq -r 'select(.data.n == 16) | .sequence')
	grep -q "first record $seq16" <<<"$stderr"
}

@test "a parent trimmed away does not hold its children back" {
	kd kinesis create-stream --stream-name pt --shard-count 1
	hd put pt 1 5 5
	run consume_kd -s pt -e --checkpoint "$CK" -c 2
	assert_success
	assert_equal "${#lines[@]}" 2
	kdouble_ctl kinesis/split '{"stream":"pt","shard":"shardId-000000000000"}'
	hd put pt 6 10 5
	kdouble_ctl trim '{"stream":"pt","shard":"shardId-000000000000","all":true}'
	run --separate-stderr consume_kd -s pt -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | sort -n | tr '\n' ' ')" "6 7 8 9 10 "
}

@test "an iterator that expires while caught up is renewed after the last record, nothing read twice" {
	kdouble_ctl config '{"iterator_expiry":1}'
	kd kinesis create-stream --stream-name ex --shard-count 1
	hd put ex 1 5 5
	out="$BATS_TEST_TMPDIR/out"
	start_bg consumer bash -c "exec uktv-consume --endpoint-url '$KDOUBLE_URL' -s ex --poll-interval 1.5 -v >'$out' 2>'$BATS_TEST_TMPDIR/err'"
	wait_until 10 at_least 5 "$out"
	wait_until 10 grep -q "iterator expired" "$BATS_TEST_TMPDIR/err"
	hd put ex 6 8 5
	wait_until 10 at_least 8 "$out"
	stop_bg consumer
	kdouble_ctl config '{"iterator_expiry":300}'
	assert_equal "$(jq -r .n "$out" | tr '\n' ' ')" "1 2 3 4 5 6 7 8 "
	grep -q "shard shardId-000000000000: shard iterator expired: renewed after" "$BATS_TEST_TMPDIR/err"
}

@test "KPL aggregates are de-aggregated with their own partition keys and sub-sequences; a bad MD5 is passed whole" {
	make_stream "$S" 1
	h kpl "$S" 1 5
	h put "$S" 6 6
	h kpl "$S" 7 8 bad
	run --separate-stderr uktv-consume -s "$S" -e --envelope
	assert_success
	assert_equal "${#lines[@]}" 7
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	err=$stderr
	run jq -r 'select(.data) | "\(.sequence) \(.sub_sequence) \(.partition_key) \(.data.n)"' "$BATS_TEST_TMPDIR/out"
	assert_line --index 0 "1 0 kpl-1 1"
	assert_line --index 1 "1 1 kpl-2 2"
	assert_line --index 2 "1 2 kpl-0 3"
	assert_line --index 4 "1 4 kpl-2 5"
	assert_line --index 5 "2 null k6 6"
	# the bad one: whole, as it was put, and reported
	run jq -r 'select(.data_base64) | "\(.sequence) \(.partition_key) \(has("sub_sequence"))"' "$BATS_TEST_TMPDIR/out"
	assert_output "3 aggregate false"
	run bash -c "jq -r 'select(.data_base64) | .data_base64' '$BATS_TEST_TMPDIR/out' | base64 -d | head -c 4 | od -An -tx1 | tr -d ' '"
	assert_output "f3899ac2"
	grep -q "uktv-consume: shard shardId-000000000000: sequence 3: KPL aggregate with a bad MD5 digest: delivered whole" <<<"$err"
}

@test "a restart inside an aggregate resumes after the last user record done" {
	make_stream "$S" 1
	h kpl "$S" 1 6
	h put "$S" 7 7
	run uktv-consume -s "$S" -e --checkpoint "$CK" -c 4
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "1 2 3 4 "
	run jq -c '[.position, .sub_sequence]' "$CK/shardId-000000000000.json"
	assert_output '["1",3]'
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "5 6 7 "
}

@test "-e ends on a stream that keeps receiving records, with every record put before the run" {
	make_stream "$S" 2
	h put "$S" 1 100
	start_bg busy python3 "$BATS_FILE_TMPDIR/h.py" busy "$S" 100000
	wait_until 10 bash -c "uktv-consume -s '$S' -e | jq -e 'select(.n >= 100000)' >/dev/null"
	run timeout 30 uktv-consume -s "$S" -e
	assert_success
	assert_equal "$(jq -r 'select(.n <= 100) | .n' <<<"$output" | sort -n | uniq | wc -l | tr -d ' ')" 100
	stop_bg busy
}

@test "--until stops each shard at the first record after TIME; --from at-timestamp= replays a window" {
	make_stream "$S" 2
	h put "$S" 1 20
	t1=$(date +%s%3N)
	wait_until 5 ms_after $((t1 + 20))
	mid=$(now_iso)
	t2=$(date +%s%3N)
	wait_until 5 ms_after $((t2 + 20))
	h put "$S" 21 40
	run uktv-consume -s "$S" --until "$mid"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | sort -n | uniq | wc -l | tr -d ' ')" 20
	assert_equal "$(jq -r .n <<<"$output" | sort -n | tail -1)" 20
	run uktv-consume -s "$S" --from "at-timestamp=$mid" --until now
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | sort -n | head -1)" 21
	assert_equal "${#lines[@]}" 20
	# relative times: an hour back covers everything; until an hour ago, nothing
	run uktv-consume -s "$S" --from at-timestamp=-1h -e
	assert_success
	assert_equal "${#lines[@]}" 40
	run uktv-consume -s "$S" --until -1h
	assert_success
	assert_output ""
}

@test "--from latest reads only what comes after; at-sequence= starts at that record; a checkpoint wins" {
	make_stream "$S" 1
	h put "$S" 1 5
	run uktv-consume -s "$S" --from latest -e
	assert_success
	assert_output ""
	run uktv-consume -s "$S" --from at-sequence=shardId-000000000000:3 -e --checkpoint "$CK"
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "3 4 5 "
	h put "$S" 6 6
	run uktv-consume -s "$S" --from at-sequence=shardId-000000000000:1 -e --checkpoint "$CK"
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "6 "
}

@test "--show-checkpoints and --reset-checkpoints: one line per shard; latest, trim-horizon; refused while a reader runs" {
	make_stream "$S" 2
	h put "$S" 1 30
	run uktv-consume -s "$S" -e --checkpoint "$CK" -n
	assert_success
	assert_output ""
	run uktv-consume --show-checkpoints --checkpoint "$CK"
	assert_success
	assert_equal "${#lines[@]}" 2
	run jq -r '"\(.shard) \(.position | test("^[0-9]+$"))"' <<<"$output"
	assert_line --index 0 "shardId-000000000000 true"
	assert_line --index 1 "shardId-000000000001 true"
	# with the stream named: every shard, and how far behind it is
	h put "$S" 31 31
	run uktv-consume --show-checkpoints --checkpoint "$CK" -s "$S"
	assert_success
	assert_equal "$(jq -s 'map(.lag_ms | type == "number") | all' <<<"$output")" true
	run uktv-consume --reset-checkpoints latest --checkpoint "$CK"
	assert_success
	run uktv-consume --show-checkpoints --checkpoint "$CK" -s "$S"
	assert_equal "$(jq -r .position <<<"$output" | sort -u)" LATEST
	h put "$S" 32 32
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_success
	assert_output ""
	run uktv-consume --reset-checkpoints trim-horizon --checkpoint "$CK"
	assert_success
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_equal "${#lines[@]}" 32
	# a running reader holds the directory: refused, unless --force
	run uktv-consume --reset-checkpoints latest --checkpoint "$CK"
	assert_success
	start_bg consumer uktv-consume -s "$S" --checkpoint "$CK" -n
	# Held, as /proc/locks shows: probing with flock(1) would take the lock
	# for an instant, and a reader starting in that instant gives up (69).
	wait_until 30 bash -c "i=\$(stat -c %i '$CK/.lock' 2>/dev/null) && grep -q \"FLOCK.*:\$i \" /proc/locks" ||
	    { cat "$BATS_FILE_TMPDIR/consumer.log"; false; }
	run uktv-consume --reset-checkpoints latest --checkpoint "$CK"
	assert_failure 1
	assert_output --partial "is in use by another reader"
	run uktv-consume --reset-checkpoints at-timestamp=-1h --checkpoint "$CK" --force
	assert_success
	run jq -r '.position + " " + (.timestamp | test("Z$") | tostring)' "$CK/shardId-000000000000.json"
	assert_output "AT_TIMESTAMP true"
	# and a second reader on the same directory is refused
	run uktv-consume -s "$S" -e --checkpoint "$CK"
	assert_failure 69
}

@test "a checkpoint directory the reader cannot write is 73 and says why, not 'in use by another reader' (69)" {
	# Root writes anywhere: the reader runs as nobody then, in a folder
	# nobody can reach (the test's own folder is private).
	d=$(mktemp -d /tmp/uktv-ro.XXXXXX)
	chmod 755 "$d"
	mkdir "$d/ck"
	chmod 555 "$d/ck"
	as=()
	[ "$(id -u)" != 0 ] || as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	run --separate-stderr "${as[@]}" env AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
	    "$UKTV_BUILD/bin/uktv-consume" -s "$S" -e --checkpoint "$d/ck"
	chmod 755 "$d/ck"
	rm -rf "$d"
	assert_failure 73
	assert_equal "$stderr" "uktv-consume: cannot create $d/ck/.lock: Permission denied"
}

@test "-t with a table that is not there is named before a record is read, exit 78" {
	make_stream "$S" 1
	h put "$S" 1 3
	proxy_reset
	run --separate-stderr uktv-consume -s "$S" -e -t NoSuchTable
	assert_failure 78
	assert_output ""
	assert_equal "$stderr" "uktv-consume: no table NoSuchTable in eu-west-2 (the name is from -t): create it, or name the table with -t or UKTV_TABLE"
	[ "$(proxy_log | jq -s '[.[] | select(.op == "GetRecords" or .op == "ListShards")] | length')" -eq 0 ]
}

@test "throttled GetRecords and an expired iterator (fault proxy) are survived: every record once" {
	make_stream "$S" 1
	h put "$S" 1 60
	proxy_script '[{"op":"GetRecords","calls":[1,2,3,4],"fault":"throttle"},
	               {"op":"GetRecords","calls":[7],"fault":"expired_iterator"},
	               {"op":"GetRecords","calls":[9],"fault":"503"}]'
	proxy_reset
	run --separate-stderr uktv-consume -s "$S" -e --limit 10 -v
	assert_success
	assert_equal "$(jq -r .n <<<"$output" | tr '\n' ' ')" "$(seq 1 60 | tr '\n' ' ')"
	grep -q "shard shardId-000000000000: throttled (ProvisionedThroughputExceededException)" <<<"$stderr"
	grep -q "shard shardId-000000000000: shard iterator expired: renewed after 20" <<<"$stderr"
	# the iterator was fetched again once, after the expiry
	assert_equal "$(proxy_log | jq -s '[.[] | select(.op == "GetShardIterator")] | length')" 2
}

@test "--stats writes JSON lines of running figures; --stats-file puts them in a file" {
	make_stream "$S" 2
	h put "$S" 1 20
	run --separate-stderr uktv-consume -s "$S" -e --stats 0.05 --checkpoint "$CK"
	assert_success
	last=$(grep '^{' <<<"$stderr" | tail -1)
	jq -e '.records == 20 and .checkpoints >= 2 and (.records_per_s | type == "number")
	    and (.bytes_per_s | type == "number") and .throttles == 0 and (.retries | type == "number")
	    and (.shards | length == 2) and (.shards[0] | has("lag_ms"))' <<<"$last"
	run --separate-stderr uktv-consume -s "$S" -e --from trim-horizon --stats 0.05 --stats-file "$BATS_TEST_TMPDIR/stats"
	assert_success
	[ -z "$stderr" ]
	tail -1 "$BATS_TEST_TMPDIR/stats" | jq -e '.records == 20'
}

@test "SIGTERM stops a following reader after its batch, checkpointed, exit 143" {
	make_stream "$S" 1
	h put "$S" 1 10
	out="$BATS_TEST_TMPDIR/out"
	start_bg consumer bash -c "exec uktv-consume -s '$S' --checkpoint '$CK' >'$out'"
	wait_until 10 at_least 10 "$out"
	wait_until 10 test -f "$CK/shardId-000000000000.json"
	pid=$(cat "$BATS_FILE_TMPDIR/consumer.pid")
	kill -TERM "$pid"
	st=0
	wait "$pid" || st=$?
	rm -f "$BATS_FILE_TMPDIR/consumer.pid"
	assert_equal "$st" 143
	assert_equal "$(jq -r .position "$CK/shardId-000000000000.json")" 10
	assert_equal "$(lines "$out")" 10
}

@test "SIGTERM while stdout is blocked: the batch is written whole after the reader drains, checkpointed, exit 143" {
	make_stream "$S" 1
	# about 150 KB of lines in one GetRecords answer: more than a pipe holds
	h put "$S" 1 3000
	fifo="$BATS_TEST_TMPDIR/fifo"
	out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	start_bg consumer bash -c "exec uktv-consume -s '$S' --checkpoint '$CK' >'$fifo'"
	pid=$(cat "$BATS_FILE_TMPDIR/consumer.pid")
	# a reader that reads nothing until told
	exec {rd}<"$fifo"
	wait_until 30 pipe_blocked "$pid" "$fifo"
	kill -TERM "$pid"
	wait_until 10 term_taken "$pid"
	timeout 60 cat <&"$rd" >"$out"
	exec {rd}<&-
	st=0
	wait "$pid" || st=$?
	rm -f "$BATS_FILE_TMPDIR/consumer.pid"
	assert_equal "$st" 143
	# whole lines only, each one JSON object
	[ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ]
	jq -e -c 'type == "object"' "$out" >/dev/null
	# the batch in hand was finished, and the checkpoint is its last record
	assert_equal "$(lines "$out")" 3000
	assert_equal "$(tail -1 "$out" | jq .n)" 3000
	assert_equal "$(jq -r .position "$CK/shardId-000000000000.json")" 3000
	run cat "$BATS_FILE_TMPDIR/consumer.log"
	refute_output --partial "Interrupted"
}

@test "| head -1: exit 141 without a word, the checkpoint at the last record written whole, not beyond" {
	make_stream "$S" 1
	# about 250 KB of lines in one answer: more than a pipe and head take
	h put "$S" 1 4000
	head1 uktv-consume -s "$S" -e --checkpoint "$CK"
	pipe_closed_ok
	assert_equal "$(jq .n <<<"$head1_first")" 1
	ck=$(jq -r .position "$CK/shardId-000000000000.json")
	# every line up to the checkpoint fits in what the pipe and head took
	# (a pipe's capacity, and head's read of at most as much)
	uktv-consume -s "$S" -e >"$BATS_TEST_TMPDIR/all"
	cap=$(python3 -c 'import fcntl, os; r, w = os.pipe(); print(fcntl.fcntl(w, 1032))')
	[ "$ck" -ge 1 ]
	[ "$(head -n "$ck" "$BATS_TEST_TMPDIR/all" | wc -c)" -le $((2 * cap)) ]
	# and the next run reads on from there: nothing lost, nothing twice
	uktv-consume -s "$S" -e --checkpoint "$CK" >"$BATS_TEST_TMPDIR/rest"
	assert_equal "$(head -1 "$BATS_TEST_TMPDIR/rest" | jq .n)" $((ck + 1))
	assert_equal "$(tail -1 "$BATS_TEST_TMPDIR/rest" | jq .n)" 4000
	assert_equal "$(lines "$BATS_TEST_TMPDIR/rest")" $((4000 - ck))
}

@test "a caught-up follower piped into head -1 exits 141 once head has gone, checkpointed" {
	make_stream "$S" 1
	h put "$S" 1 3
	# no -e: it follows; SIGPIPE as a shell leaves it
	run -0 timeout 60 bash -c 'uktv-consume -s "$1" --checkpoint "$2" --poll-interval 0.2 2>"$3" | head -1; echo "status ${PIPESTATUS[0]}"' \
	    _ "$S" "$CK" "$BATS_TEST_TMPDIR/err"
	assert_equal "$(head -1 <<<"$output" | jq .n)" 1
	assert_line "status 141"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
	assert_equal "$(jq -r .position "$CK/shardId-000000000000.json")" 3
}
