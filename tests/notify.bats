#!/usr/bin/env bats
# uktv-notify: what is a notification and for whom (stdin records and the
# table's stream in moto, changes made with the AWS CLI and uktv-consume),
# restarts from the checkpoint after kill -9, the signed webhook with retries
# and a dead letter (tests/fakes/uktv-webhook-receiver), digests across
# restarts, and on the resharding double's DynamoDB Streams side: parents
# before children, and a trimmed checkpoint reset.  Expected lines are stated
# in each test (fixtures: tests/fixtures/notify/README.md).

load helpers/common
load helpers/kinesis-double

bats_require_minimum_version 1.5.0

NF="$BATS_TEST_DIRNAME/fixtures/notify"
SEED_EVENT="$BATS_TEST_DIRNAME/fixtures/seed-data/events_title_enrichment_event.json"

setup_file() {
	moto_start
	kdouble_start
	# kdouble_start pointed everything at the double: moto is the default
	# again; double tests name the double with --endpoint-url.
	unset AWS_ENDPOINT_URL_KINESIS AWS_ENDPOINT_URL_DYNAMODB_STREAMS
	export AWS_ENDPOINT_URL="$MOTO_URL"
}

teardown_file() {
	kdouble_stop
	moto_stop
}

teardown() {
	stop_bg receiver
	if [ -n "${NOTIFY_PID:-}" ]; then
		kill -9 "$NOTIFY_PID" 2>/dev/null || true
	fi
}

# ---- helpers ----

# receiver_start [RECEIVER OPTIONS...]: the webhook receiver with the secret
# in $SECRET_FILE; RECEIVER_URL is where to post.
receiver_start() {
	local pf="$BATS_TEST_TMPDIR/receiver.port"
	SECRET_FILE="$BATS_TEST_TMPDIR/secret"
	printf 'test-secret-%s\n' "$BATS_TEST_NUMBER" >"$SECRET_FILE"
	start_bg receiver uktv-webhook-receiver --port 0 --port-file "$pf" \
	    --secret-file "$SECRET_FILE" "$@"
	wait_until 10 test -s "$pf"
	RECEIVER_URL="http://127.0.0.1:$(cat "$pf")/hook"
	RECEIVER_BASE="http://127.0.0.1:$(cat "$pf")"
}

receiver_log() {
	curl -sSf "$RECEIVER_BASE/__receiver/log"
}

receiver_fault() {
	curl -sSf -X POST -d "{\"mode\":\"$1\",\"count\":$2}" \
	    "$RECEIVER_BASE/__receiver/fault" >/dev/null
}

# A table of the design with the fixture users' preferences in it.
table_with_prefs() {
	make_table "$1"
	uktv-prefs -t "$1" import --no-validate <"$NF/prefs.ndjson" >/dev/null
}

# title_item ID TITLE SOURCE GENRE [EXTRA data members, typed]
title_item() {
	printf '{"PK":{"S":"title:%s"},"SK":{"S":"record"},"data":{"M":{"id":{"N":"%s"},"title":{"S":"%s"},"source_ids":{"L":[{"S":"%s"}]},"genre_ids":{"L":[{"S":"%s"}]}%s}}}' \
	    "$1" "$1" "$2" "$3" "$4" "${5:-}"
}

put_title() {
	aws dynamodb put-item --table-name "$1" --item "$(title_item "${@:2}")"
}

# put_titles TABLE N...: titles 900000N "Title N" on 26 x 7, one call.
put_titles() {
	local t=$1 req="" i
	shift
	for i in "$@"; do
		req="$req${req:+,}{\"PutRequest\":{\"Item\":$(title_item "900000$i" "Title $i" 26 7)}}"
	done
	aws dynamodb batch-write-item --request-items "{\"$t\":[$req]}" >/dev/null
}

# The lines of a file without what differs from run to run.
shape() {
	jq -c '[.user, .kind, .title_id, .title, .changes]' "$@"
}

lines_in() {
	[ -f "$1" ] && [ "$(grep -c . "$1")" -ge "$2" ]
}

# ---- the tool's interface ----

@test "--help exits 0 and lists every long option, each in both completion files" {
	run -0 uktv-notify --help
	opts=$(printf '%s\n' "$output" | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ "$(printf '%s\n' "$opts" | wc -l)" -ge 20 ]
	for o in $opts; do
		grep -q -- "$o" "$UKTV_ROOT/completions/bash/uktv-notify" ||
		    { echo "bash completion lacks $o"; return 1; }
		grep -q -- "$o" "$UKTV_ROOT/completions/zsh/_uktv-notify" ||
		    { echo "zsh completion lacks $o"; return 1; }
	done
	grep -q 'complete -F _uktv_notify uktv-notify' "$UKTV_ROOT/completions/bash/uktv-notify"
	head -1 "$UKTV_ROOT/completions/zsh/_uktv-notify" | grep -qx '#compdef uktv-notify'
}

@test "--version prints uktv-notify 0.1.0" {
	run -0 uktv-notify --version
	[ "$output" = "uktv-notify 0.1.0" ]
}

@test "a usage error says what is wrong, prints the usage and exits 2" {
	run -2 --separate-stderr uktv-notify --digest 1w --checkpoint "$BATS_TEST_TMPDIR"
	[ "${stderr_lines[0]}" = "uktv-notify: --digest takes a period of 1s to 31d (30s, 15m, 1h, 1d), not '1w'" ]
	[[ "${stderr_lines[1]}" == "usage: uktv-notify "* ]]
	[ -z "$output" ]
	run -2 --separate-stderr uktv-notify --digest 1h
	[ "${stderr_lines[0]}" = "uktv-notify: --digest needs --checkpoint DIR (the spool is kept there)" ]
	run -2 --separate-stderr uktv-notify --webhook-secret-file x
	[ "${stderr_lines[0]}" = "uktv-notify: --webhook-secret-file and --webhook-attempts need --webhook URL" ]
	run -2 --separate-stderr uktv-notify --records-from - --prefs-from -
	[ "${stderr_lines[0]}" = "uktv-notify: --records-from and --prefs-from cannot both be stdin" ]
	run -2 --separate-stderr uktv-notify stray
	[ "${stderr_lines[0]}" = "uktv-notify: unexpected argument 'stray'" ]
}

# ---- records from a file: no AWS ----

@test "the seed's Lambda event tells nobody and exits 0, with no AWS at all" {
	# No region, no credentials, and an endpoint where nothing listens:
	# any AWS call would fail.
	run -0 --separate-stderr env -u AWS_REGION -u AWS_DEFAULT_REGION \
	    -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	    AWS_ENDPOINT_URL=http://127.0.0.1:9 \
	    uktv-notify --records-from "$SEED_EVENT" --prefs-from "$NF/prefs.ndjson"
	[ -z "$output" ]
	[ -z "$stderr" ]
	# The same event to a user following everything there is: still
	# nobody (the record has no source or genre ids to meet).
	run -0 --separate-stderr env -u AWS_REGION -u AWS_DEFAULT_REGION \
	    uktv-notify --records-from - --prefs-from <(echo '{"user":"all","sources":["203","349","26"],"genres":["1","4","6","7"],"favourites":[]}') \
	    <"$SEED_EVENT"
	[ -z "$output" ]
}

@test "stdin records give each kind to the right users, line by line" {
	run -0 --separate-stderr uktv-notify --records-from - --prefs-from "$NF/prefs.ndjson" \
	    <"$NF/records.ndjson"
	diff <(printf '%s\n' "$output") "$NF/records.expected.ndjson"
	# Stated: bob is told of the new title; alice and dave (favourites) of
	# the new BBC iPlayer offer and the rating; alice, bob and dave of the
	# removal; carol (26 x 6) never; the index entry, the first enrichment
	# and the write that changed nothing tell nobody.
	[ "$(shape <<<"$output")" = '["bob","new_title","9000001","Prime Drama",{}]
["alice","favourite_changed","9000001","Prime Drama",{"sources_added":["409"],"user_rating":[7.4,8.1]}]
["dave","favourite_changed","9000001","Prime Drama",{"sources_added":["409"],"user_rating":[7.4,8.1]}]
["alice","title_removed","9000001","Prime Drama",{}]
["bob","title_removed","9000001","Prime Drama",{}]
["dave","title_removed","9000001","Prime Drama",{}]' ]
	[ "${lines[0]}" = '{"user":"bob","kind":"new_title","title_id":"9000001","title":"Prime Drama","changes":{},"sources":[{"source_id":"26"}],"event_id":"e1","at":"2025-07-04T16:02:51.855Z"}' ]
	[ "${lines[5]}" = '{"user":"dave","kind":"title_removed","title_id":"9000001","title":"Prime Drama","changes":{},"sources":[{"source_id":"26","name":"Prime Video","web_url":"https://watch.amazon.co.uk/detail?gti=9000001"},{"source_id":"409","name":"BBC iPlayer","web_url":"https://www.bbc.co.uk/iplayer/episode/9000001"}],"event_id":"e6","at":"2025-07-04T16:02:55Z"}' ]
}

@test "a pretty-printed Lambda event gives the same lines as NDJSON records" {
	run -0 uktv-notify --records-from "$NF/lambda-event.json" --prefs-from "$NF/prefs.ndjson"
	diff <(printf '%s\n' "$output") "$NF/records.expected.ndjson"
	# Events and records mixed, one after another.
	{ cat "$SEED_EVENT"; echo; cat "$NF/lambda-event.json" "$NF/records.ndjson"; } >"$BATS_TEST_TMPDIR/mixed"
	run -0 uktv-notify --records-from "$BATS_TEST_TMPDIR/mixed" --prefs-from "$NF/prefs.ndjson"
	diff <(printf '%s\n' "$output") <(cat "$NF/records.expected.ndjson" "$NF/records.expected.ndjson")
}

@test "bad input lines are named with their line numbers; the good ones still count; exit 1" {
	{
		head -1 "$NF/records.ndjson"
		echo 'not json'
		echo '{"payload":{"id":1}}'
		echo '{"eventID":"x","eventName":"UPSERT","dynamodb":{}}'
		echo
		sed -n 6p "$NF/records.ndjson"
	} >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr uktv-notify --records-from "$BATS_TEST_TMPDIR/in" \
	    --prefs-from "$NF/prefs.ndjson" --dead-letter "$BATS_TEST_TMPDIR/dead"
	[ "$(shape <<<"$output")" = '["bob","new_title","9000001","Prime Drama",{}]
["alice","title_removed","9000001","Prime Drama",{}]
["bob","title_removed","9000001","Prime Drama",{}]
["dave","title_removed","9000001","Prime Drama",{}]' ]
	[[ "$stderr" == *"uktv-notify: line 2: invalid JSON"* ]]
	[[ "$stderr" == *'uktv-notify: line 3: neither a Lambda event ("Records") nor a stream record ("dynamodb")'* ]]
	[[ "$stderr" == *'uktv-notify: line 4: eventName "UPSERT" is not INSERT, MODIFY or REMOVE'* ]]
	[ "$(jq -c '[.error, .line, (.input | fromjson | .eventID)]' "$BATS_TEST_TMPDIR/dead")" = '["bad_record",4,"x"]' ]
}

@test "a missing records file exits 66; a webhook without a secret exits 78" {
	run -66 --separate-stderr uktv-notify --records-from "$BATS_TEST_TMPDIR/nope" --prefs-from "$NF/prefs.ndjson"
	[[ "$stderr" == *"$BATS_TEST_TMPDIR/nope"* ]]
	run -78 --separate-stderr env -u UKTV_WEBHOOK_SECRET uktv-notify --records-from "$NF/records.ndjson" \
	    --prefs-from "$NF/prefs.ndjson" --webhook http://127.0.0.1:9/
	[[ "$stderr" == *"--webhook needs a secret"* ]]
	[ -z "$output" ]
}

# ---- the webhook ----

@test "a missing table is named before any work, exit 78" {
	run --separate-stderr uktv-notify -t NoSuchTable -e --from trim-horizon
	assert_failure 78
	assert_output ""
	assert_equal "$stderr" "uktv-notify: no table NoSuchTable in eu-west-2 (the name is from -t): create it, or name the table with -t or UKTV_TABLE"
}

@test "--dead-letter: made on the first record written, not empty on every run; a folder that will not take it fails first (73)" {
	dead="$BATS_TEST_TMPDIR/dead"
	run -0 --separate-stderr uktv-notify --records-from "$NF/records.ndjson" \
	    --prefs-from "$NF/prefs.ndjson" --dead-letter "$dead"
	[ -n "$output" ]
	assert_file_not_exists "$dead"
	run --separate-stderr uktv-notify --records-from "$NF/records.ndjson" \
	    --prefs-from "$NF/prefs.ndjson" --dead-letter "$BATS_TEST_TMPDIR/nope/dead"
	assert_failure 73
	assert_output ""
	assert_equal "$stderr" "uktv-notify: $BATS_TEST_TMPDIR/nope/dead: No such file or directory"
	# a record that is reported makes it
	run -1 --separate-stderr uktv-notify --records-from <(echo '{"eventID":"x","eventName":"UPSERT","dynamodb":{}}') \
	    --prefs-from "$NF/prefs.ndjson" --dead-letter "$dead"
	[ "$(jq -r .error "$dead")" = bad_record ]
}

@test "webhook: every notification is POSTed with a signature the receiver verifies" {
	receiver_start
	run -0 --separate-stderr uktv-notify --records-from "$NF/records.ndjson" \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE"
	diff <(printf '%s\n' "$output") "$NF/records.expected.ndjson"
	receiver_log >"$BATS_TEST_TMPDIR/log"
	[ "$(jq -c '[.signature_ok, .status, .event_id, .content_type, .path]' "$BATS_TEST_TMPDIR/log")" = '[true,204,"e1","application/json","/hook"]
[true,204,"e5","application/json","/hook"]
[true,204,"e5","application/json","/hook"]
[true,204,"e6","application/json","/hook"]
[true,204,"e6","application/json","/hook"]
[true,204,"e6","application/json","/hook"]' ]
	# The bodies are the lines printed, byte for byte (the receiver
	# verified the HMAC over the exact body).
	diff <(jq -c .body "$BATS_TEST_TMPDIR/log") "$NF/records.expected.ndjson"
	# The secret from the environment signs the same; never from argv.
	curl -sSf -X DELETE "$RECEIVER_BASE/__receiver/log" >/dev/null
	secret=$(head -1 "$SECRET_FILE")
	# The records come through a FIFO held open here, so that the run is
	# still there to look at: its argv is what ps shows every user.
	fifo="$BATS_TEST_TMPDIR/records.fifo"
	mkfifo "$fifo"
	exec {w}<>"$fifo"
	UKTV_WEBHOOK_SECRET="$secret" uktv-notify --records-from "$fifo" \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" \
	    >"$BATS_TEST_TMPDIR/env.out" 2>"$BATS_TEST_TMPDIR/env.err" {w}>&- &
	pid=$!
	# It opened the FIFO, so it has read the secret (the webhook is set
	# up before the records are opened) and waits for records.
	wait_until 60 bash -c "ls -l /proc/$pid/fd | grep -qF '$fifo'"
	tr '\0' ' ' </proc/"$pid"/cmdline >"$BATS_TEST_TMPDIR/argv"
	grep -q -- --records-from "$BATS_TEST_TMPDIR/argv"
	if grep -qF -- "$secret" "$BATS_TEST_TMPDIR/argv"; then fail "the secret is in argv: $(cat "$BATS_TEST_TMPDIR/argv")"; fi
	cat "$NF/records.ndjson" >&"$w"
	exec {w}>&-
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || fail "uktv-notify exited $rc: $(cat "$BATS_TEST_TMPDIR/env.err")"
	[ "$(receiver_log | jq -s 'map(.signature_ok) | all and length == 6')" = true ]
}

@test "webhook: a wrong secret is refused by the receiver and stops the run (exit 77)" {
	receiver_start
	printf 'not-the-secret\n' >"$BATS_TEST_TMPDIR/wrong"
	run -77 --separate-stderr uktv-notify --records-from "$NF/records.ndjson" \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" \
	    --webhook-secret-file "$BATS_TEST_TMPDIR/wrong" --dead-letter "$BATS_TEST_TMPDIR/dead"
	[[ "$stderr" == *"HTTP 401"* ]]
	[ "$(receiver_log | jq -s -c 'map([.signature_ok, .status])')" = '[[false,401]]' ]
	[ ! -s "$BATS_TEST_TMPDIR/dead" ]
}

@test "webhook: 500s, resets and a stall are retried until delivered" {
	receiver_start --fail 2 --fail-mode 500
	run -0 uktv-notify --records-from <(head -1 "$NF/records.ndjson") \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE"
	[ "$(receiver_log | jq -s -c 'map([.event_id, .status])')" = '[["e1",500],["e1",500],["e1",204]]' ]

	curl -sSf -X DELETE "$RECEIVER_BASE/__receiver/log" >/dev/null
	receiver_fault reset 2
	run -0 uktv-notify --records-from <(head -1 "$NF/records.ndjson") \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE"
	[ "$(receiver_log | jq -s -c 'map([.fault, .status])')" = '[["reset",null],["reset",null],[null,204]]' ]

	curl -sSf -X DELETE "$RECEIVER_BASE/__receiver/log" >/dev/null
	# No answer at all: given up after --read-timeout (or when the
	# receiver drops the connection), and posted again.
	curl -sSf -X POST -d '{"mode":"stall","count":1,"stall":2}' "$RECEIVER_BASE/__receiver/fault" >/dev/null
	run -0 uktv-notify --records-from <(head -1 "$NF/records.ndjson") --read-timeout 0.5 \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE"
	[ "$(receiver_log | jq -s -c 'map([.fault, .status])')" = '[["stall",null],[null,204]]' ]
}

@test "webhook: what still fails after the attempts goes to the dead letter, exit 1" {
	receiver_start --fail 100 --fail-mode 503
	run -1 --separate-stderr uktv-notify --records-from "$NF/records.ndjson" \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE" \
	    --webhook-attempts 2 --dead-letter "$BATS_TEST_TMPDIR/dead"
	# Printed all the same, each tried twice, each dead-lettered with the
	# notification as its input (so `jq -r .input` replays it).
	diff <(printf '%s\n' "$output") "$NF/records.expected.ndjson"
	[ "$(receiver_log | grep -c .)" -eq 12 ]
	diff <(jq -r .input "$BATS_TEST_TMPDIR/dead") "$NF/records.expected.ndjson"
	[ "$(jq -c '[.error, .line]' "$BATS_TEST_TMPDIR/dead" | sort -u)" = '["webhook_unavailable",1]
["webhook_unavailable",5]
["webhook_unavailable",6]' ]
	# One line per kind of failure, with its count: the details are in
	# the dead-letter file (a dead webhook once made 5,086 lines).
	assert_equal "$(grep -c 'not delivered\|dead-lettered' <<<"$stderr")" 2
	[[ "$stderr" == *"uktv-notify: 6 notifications not delivered (webhook_unavailable: webhook answered HTTP 503 (2 attempts)): dead-lettered to $BATS_TEST_TMPDIR/dead"* ]]
	[[ "$stderr" != *"event e1"* ]]
	# A 4xx is final at once: dead-lettered after one try.
	curl -sSf -X DELETE "$RECEIVER_BASE/__receiver/log" >/dev/null
	receiver_fault 422 100
	run -1 uktv-notify --records-from <(head -1 "$NF/records.ndjson") \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE" \
	    --dead-letter "$BATS_TEST_TMPDIR/dead2"
	[ "$(receiver_log | grep -c .)" -eq 1 ]
	[ "$(jq -r .error "$BATS_TEST_TMPDIR/dead2")" = webhook_refused ]
}

# ---- digests ----

@test "digest: a user's notifications wait in the spool until the hour ends, across restarts" {
	d="$BATS_TEST_TMPDIR/state"
	# 16:10 UTC: spooled, nothing printed.
	run -0 --separate-stderr env TZ=UTC faketime '2025-07-04 16:10:00' uktv-notify \
	    --records-from "$NF/records.ndjson" --prefs-from "$NF/prefs.ndjson" --digest 1h --checkpoint "$d"
	[ -z "$output" ]
	[ "$(grep -c . "$d/digest.spool")" -eq 6 ]
	[ "$(stat -c %a "$d/digest.spool")" = 600 ]
	# A second run in the same hour, with the first two records again (a
	# replay after a restart): still nothing.
	run -0 env TZ=UTC faketime '2025-07-04 16:59:58' uktv-notify \
	    --records-from <(head -1 "$NF/records.ndjson") --prefs-from "$NF/prefs.ndjson" --digest 1h --checkpoint "$d"
	[ -z "$output" ]
	# After 17:00, the next run prints one digest per user, the replayed
	# record once, and empties the spool.
	run -0 env TZ=UTC faketime '2025-07-04 17:00:02' uktv-notify \
	    --records-from /dev/null --prefs-from "$NF/prefs.ndjson" --digest 1h --checkpoint "$d"
	[ "$(jq -c '[.user, .kind, .period_start, .period_end, .event_ids, [.items[].kind]]' <<<"$output")" = '["alice","digest","2025-07-04T16:00:00Z","2025-07-04T17:00:00Z",["e5","e6"],["favourite_changed","title_removed"]]
["bob","digest","2025-07-04T16:00:00Z","2025-07-04T17:00:00Z",["e1","e6"],["new_title","title_removed"]]
["dave","digest","2025-07-04T16:00:00Z","2025-07-04T17:00:00Z",["e5","e6"],["favourite_changed","title_removed"]]' ]
	# The items are the notifications themselves.
	diff <(jq -c '.items[]' <<<"$output" | sort) <(sort "$NF/records.expected.ndjson")
	[ ! -s "$d/digest.spool" ]
	run -0 env TZ=UTC faketime '2025-07-04 17:00:05' uktv-notify \
	    --records-from /dev/null --prefs-from "$NF/prefs.ndjson" --digest 1h --checkpoint "$d"
	[ -z "$output" ]
}

@test "digest: --flush-digests prints a period that has not ended; a daily digest runs midnight to midnight UTC" {
	d="$BATS_TEST_TMPDIR/state"
	run -0 env TZ=UTC faketime '2025-07-04 09:30:00' uktv-notify \
	    --records-from <(head -1 "$NF/records.ndjson") --prefs-from "$NF/prefs.ndjson" --digest 1d --checkpoint "$d"
	[ -z "$output" ]
	run -0 env TZ=UTC faketime '2025-07-04 09:31:00' uktv-notify \
	    --records-from /dev/null --prefs-from "$NF/prefs.ndjson" --digest 1d --checkpoint "$d" --flush-digests
	[ "$(jq -c '[.user, .period_start, .period_end, .event_ids]' <<<"$output")" = '["bob","2025-07-04T00:00:00Z","2025-07-05T00:00:00Z",["e1"]]' ]
	[ ! -s "$d/digest.spool" ]
}

@test "digest: a digest is posted to the webhook with its own event id" {
	receiver_start
	d="$BATS_TEST_TMPDIR/state"
	run -0 env TZ=UTC faketime '2025-07-04 16:10:00' uktv-notify \
	    --records-from "$NF/records.ndjson" --prefs-from "$NF/prefs.ndjson" --digest 15m --checkpoint "$d" \
	    --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE"
	[ -z "$(receiver_log)" ]
	run -0 env TZ=UTC faketime '2025-07-04 16:15:00' uktv-notify \
	    --records-from /dev/null --prefs-from "$NF/prefs.ndjson" --digest 15m --checkpoint "$d" \
	    --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE"
	[ "$(receiver_log | jq -c '[.signature_ok, .event_id, .body.kind]')" = '[true,"digest:2025-07-04T16:00:00Z:alice","digest"]
[true,"digest:2025-07-04T16:00:00Z:bob","digest"]
[true,"digest:2025-07-04T16:00:00Z:dave","digest"]' ]
}

# ---- the table's stream (moto) ----

@test "stream: with no checkpoint it starts at the latest record: nobody hears about yesterday" {
	table_with_prefs NotifyLatest
	put_title NotifyLatest 9000001 "Prime Drama" 26 7
	run -0 --separate-stderr uktv-notify -t NotifyLatest -e --poll-interval 0.1 --checkpoint "$BATS_TEST_TMPDIR/ck"
	[ -z "$output" ]
	# From the trim horizon the same record is news to bob.
	run -0 --separate-stderr uktv-notify -t NotifyLatest -e --poll-interval 0.1 --from trim-horizon
	[ "$(shape <<<"$output")" = '["bob","new_title","9000001","Prime Drama",{}]' ]
}

@test "stream: inserts, modifies and removes made with the AWS CLI reach the right users" {
	table_with_prefs NotifyCli
	put_title NotifyCli 9000001 "Prime Drama" 26 7
	put_title NotifyCli 5 "Five" 203 6
	aws dynamodb update-item --table-name NotifyCli \
	    --key '{"PK":{"S":"title:9000001"},"SK":{"S":"record"}}' \
	    --update-expression 'SET #d.#t = :t' \
	    --expression-attribute-names '{"#d":"data","#t":"title"}' \
	    --expression-attribute-values '{":t":{"S":"Prime Drama: Series 2"}}'
	aws dynamodb delete-item --table-name NotifyCli --key '{"PK":{"S":"title:9000001"},"SK":{"S":"record"}}'
	run -0 --separate-stderr uktv-notify -t NotifyCli -e --poll-interval 0.1 --from trim-horizon
	# 5 is on 203 x 6: nobody follows that pair (alice's 203 goes with 4).
	[ "$(shape <<<"$output")" = '["bob","new_title","9000001","Prime Drama",{}]
["alice","favourite_changed","9000001","Prime Drama: Series 2",{"title":["Prime Drama","Prime Drama: Series 2"]}]
["dave","favourite_changed","9000001","Prime Drama: Series 2",{"title":["Prime Drama","Prime Drama: Series 2"]}]
["alice","title_removed","9000001","Prime Drama: Series 2",{}]
["bob","title_removed","9000001","Prime Drama: Series 2",{}]
["dave","title_removed","9000001","Prime Drama: Series 2",{}]' ]
	# "at": the record's creation time (moto gives milliseconds).
	jq -r .at <<<"$output" | grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z'
}

@test "stream: writes made by uktv-consume reach the right users; no-change writes and first enrichment reach nobody" {
	table_with_prefs NotifyConsume
	make_stream NotifyTitles
	ev() { printf '{"header":{"publishingComponent":"test","eventType":"%s"},"payload":%s}\n' "$1" "$2"; }
	c="$BATS_TEST_TMPDIR/consume"
	ev upsert '{"id":9000001,"title":"Prime Drama","source_ids":["26"],"genre_ids":["7"]}' | uktv-publish -s NotifyTitles
	uktv-consume -s NotifyTitles -t NotifyConsume -e -n --poll-interval 0.2 --checkpoint "$c"
	# The same event again: uktv-consume writes nothing.
	ev upsert '{"id":9000001,"title":"Prime Drama","source_ids":["26"],"genre_ids":["7"]}' | uktv-publish -s NotifyTitles
	uktv-consume -s NotifyTitles -t NotifyConsume -e -n --poll-interval 0.2 --checkpoint "$c"
	ev upsert '{"id":9000001,"title":"Prime Drama (2025)","source_ids":["26"],"genre_ids":["7"]}' | uktv-publish -s NotifyTitles
	uktv-consume -s NotifyTitles -t NotifyConsume -e -n --poll-interval 0.2 --checkpoint "$c"
	# Made with the AWS CLI: a write of the same item (moto puts a MODIFY
	# on the stream) and the first enrichment, then a rating move.
	rec='{"PK":{"S":"title:9000001"},"SK":{"S":"record"},"data":{"M":{"id":{"N":"9000001"},"title":{"S":"Prime Drama (2025)"},"source_ids":{"L":[{"S":"26"}]},"genre_ids":{"L":[{"S":"7"}]}'
	enr=',"user_rating":{"N":"%s"},"enriched_at":{"S":"2025-07-04T16:02:51Z"},"sources":{"L":[{"M":{"source_id":{"N":"26"},"name":{"S":"Prime Video"},"region":{"S":"GB"},"web_url":{"S":"https://p.uk/1"}}}]}'
	aws dynamodb put-item --table-name NotifyConsume --item "$rec}}}"
	aws dynamodb put-item --table-name NotifyConsume --item "$rec$(printf "$enr" 7.4)}}}"
	aws dynamodb put-item --table-name NotifyConsume --item "$rec$(printf "$enr" 7.9)}}}"
	ev remove '{"id":9000001}' | uktv-publish -s NotifyTitles
	uktv-consume -s NotifyTitles -t NotifyConsume -e -n --poll-interval 0.2 --checkpoint "$c"
	run -0 --separate-stderr uktv-notify -t NotifyConsume -e --poll-interval 0.1 --from trim-horizon
	[ "$(shape <<<"$output")" = '["bob","new_title","9000001","Prime Drama",{}]
["alice","favourite_changed","9000001","Prime Drama (2025)",{"title":["Prime Drama","Prime Drama (2025)"]}]
["dave","favourite_changed","9000001","Prime Drama (2025)",{"title":["Prime Drama","Prime Drama (2025)"]}]
["alice","favourite_changed","9000001","Prime Drama (2025)",{"user_rating":[7.4,7.9]}]
["dave","favourite_changed","9000001","Prime Drama (2025)",{"user_rating":[7.4,7.9]}]
["alice","title_removed","9000001","Prime Drama (2025)",{}]
["bob","title_removed","9000001","Prime Drama (2025)",{}]
["dave","title_removed","9000001","Prime Drama (2025)",{}]' ]
	[ "$(jq -c .sources <<<"${lines[3]}")" = '[{"source_id":"26","name":"Prime Video","web_url":"https://p.uk/1"}]' ]
}

@test "stream: a restart from the checkpoint after kill -9 loses nothing" {
	table_with_prefs NotifyKill
	ck="$BATS_TEST_TMPDIR/ck"
	uktv-notify -t NotifyKill --from trim-horizon --checkpoint "$ck" --poll-interval 0.1 \
	    >"$BATS_TEST_TMPDIR/out1" 2>"$BATS_TEST_TMPDIR/err1" &
	NOTIFY_PID=$!
	put_titles NotifyKill 1 2 3
	wait_until 20 lines_in "$BATS_TEST_TMPDIR/out1" 3
	wait_until 10 bash -c "grep -q . '$ck'/*.json"
	kill -9 "$NOTIFY_PID"
	wait "$NOTIFY_PID" 2>/dev/null || true
	NOTIFY_PID=
	put_titles NotifyKill 4 5
	run -0 --separate-stderr uktv-notify -t NotifyKill --checkpoint "$ck" -e --poll-interval 0.1
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out2"
	# Every title told to bob at least once, the ones after the kill by the
	# second run; a notification twice at most (at least once delivery).
	[ "$(cat "$BATS_TEST_TMPDIR/out1" "$BATS_TEST_TMPDIR/out2" | jq -r '.user + " " + .title_id' | sort -u)" = 'bob 9000001
bob 9000002
bob 9000003
bob 9000004
bob 9000005' ]
	[ "$(jq -r .title_id "$BATS_TEST_TMPDIR/out2" | tail -2)" = '9000004
9000005' ]
}

@test "stream: a webhook that keeps failing without a dead letter stops before the record; the next run delivers it" {
	table_with_prefs NotifyHook
	receiver_start --fail 100 --fail-mode 500
	ck="$BATS_TEST_TMPDIR/ck"
	put_title NotifyHook 9000001 "Prime Drama" 26 7
	put_title NotifyHook 9000002 "Second" 26 7
	run -69 --separate-stderr uktv-notify -t NotifyHook -e --poll-interval 0.1 --from trim-horizon --checkpoint "$ck" \
	    --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE" --webhook-attempts 2
	[[ "$stderr" == *"not delivered (no --dead-letter): stopping before it"* ]]
	# Nothing was checkpointed past the first title record.
	if ls "$ck"/*.json >/dev/null 2>&1; then
		seq=$(jq -r .position "$ck"/*.json)
		[ "$seq" != SHARD_END ]
	fi
	receiver_fault 500 0
	curl -sSf -X DELETE "$RECEIVER_BASE/__receiver/log" >/dev/null
	run -0 --separate-stderr uktv-notify -t NotifyHook -e --poll-interval 0.1 --checkpoint "$ck" \
	    --webhook "$RECEIVER_URL" --webhook-secret-file "$SECRET_FILE"
	[ "$(receiver_log | jq -c '[.signature_ok, .status, .body.user, .body.title_id]')" = '[true,204,"bob","9000001"]
[true,204,"bob","9000002"]' ]
}

@test "stream: the preferences are read from the table again every --prefs-refresh" {
	table_with_prefs NotifyRefresh
	uktv-notify -t NotifyRefresh --from trim-horizon --poll-interval 0.1 --prefs-refresh 0.3 -vv \
	    >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	NOTIFY_PID=$!
	put_title NotifyRefresh 9000001 "Prime Drama" 26 7
	wait_until 20 lines_in "$BATS_TEST_TMPDIR/out" 1
	uktv-prefs -t NotifyRefresh --no-validate put erin --sources 26 --genres 7 >/dev/null
	# Once a refresh has read erin (five users), she hears of the next title.
	wait_until 20 grep -q "preferences of 5 users read" "$BATS_TEST_TMPDIR/err"
	put_title NotifyRefresh 9000002 "Second" 26 7
	wait_until 20 lines_in "$BATS_TEST_TMPDIR/out" 3
	kill "$NOTIFY_PID"
	wait "$NOTIFY_PID" || [ $? -eq 143 ]
	NOTIFY_PID=
	[ "$(jq -c '[.user, .title_id]' "$BATS_TEST_TMPDIR/out")" = '["bob","9000001"]
["bob","9000002"]
["erin","9000002"]' ]
}

@test "stream: digests are spooled before the checkpoint and printed by the first run after their day" {
	table_with_prefs NotifyDigest
	d="$BATS_TEST_TMPDIR/state"
	put_titles NotifyDigest 1 2
	run -0 --separate-stderr uktv-notify -t NotifyDigest -e --from trim-horizon --poll-interval 0.1 \
	    --checkpoint "$d" --digest 1d
	[ -z "$output" ]
	[ "$(grep -c . "$d/digest.spool")" -eq 2 ]
	ls "$d"/shardId-*.json >/dev/null
	# The same day: nothing more; the next day: bob's digest of both,
	# read from the spool (the checkpoint keeps the stream from giving
	# them again).
	run -0 uktv-notify -t NotifyDigest -e --poll-interval 0.1 --checkpoint "$d" --digest 1d
	[ -z "$output" ]
	run -0 --separate-stderr faketime -f '+1d' uktv-notify -t NotifyDigest -e --poll-interval 0.1 \
	    --checkpoint "$d" --digest 1d
	[ "$(jq -c '[.user, .kind, [.items[].title_id], (.event_ids | length)]' <<<"$output")" = '["bob","digest",["9000001","9000002"],2]' ]
	jq -r .period_start <<<"$output" | grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T00:00:00Z'
	[ ! -s "$d/digest.spool" ]
}

# ---- DynamoDB Streams resharding (the double) ----

# ddb_records TABLE JSON-RECORDS: put records on the double's stream.
ddb_records() {
	kdouble_ctl ddb/records "{\"stream\":\"$1\",\"records\":$2}" >/dev/null
}

ddb_title() {
	printf '{"NewImage":%s}' "$(title_item "$@")"
}

@test "double: parents are read to their end before their children" {
	kdouble_ctl ddb/table '{"table":"NotifyLineage"}' >/dev/null
	curl -sSf -X DELETE "$KDOUBLE_URL/__double/log" >/dev/null
	ddb_records NotifyLineage "[$(ddb_title 1 One 26 7)]"
	kdouble_ctl ddb/rotate '{"stream":"NotifyLineage","children":2}' >/dev/null
	ddb_records NotifyLineage "[$(ddb_title 2 Two 26 7)]"
	kdouble_ctl ddb/rotate '{"stream":"NotifyLineage"}' >/dev/null
	ddb_records NotifyLineage "[$(ddb_title 3 Three 26 7)]"
	run -0 --separate-stderr uktv-notify --endpoint-url "$KDOUBLE_URL" -t NotifyLineage -e --poll-interval 0.1 \
	    --from trim-horizon --prefs-from "$NF/prefs.ndjson"
	[ "$(shape <<<"$output")" = '["bob","new_title","1","One",{}]
["bob","new_title","2","Two",{}]
["bob","new_title","3","Three",{}]' ]
	# In the double's log: no child is touched before its parent's
	# GetRecords came back with the end of the shard.
	kdouble_log >"$BATS_TEST_TMPDIR/log"
	state=$(curl -sSf "$KDOUBLE_URL/__double/state")
	python3 - "$BATS_TEST_TMPDIR/log" "$state" <<'PY'
import json, sys
log = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
state = json.loads(sys.argv[2])
parent = {}
def walk(o):
    if isinstance(o, dict):
        sid = o.get("ShardId") or o.get("id") or o.get("shard")
        par = o.get("ParentShardId") or o.get("parent")
        if isinstance(sid, str) and sid.startswith("shardId-") and par:
            parent[sid] = par
        for v in o.values():
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
walk(state)
assert len(parent) >= 3, parent
ended = {}
for i, e in enumerate(log):
    if e.get("op") == "GetRecords" and e.get("end"):
        ended.setdefault(e.get("shard"), i)
for i, e in enumerate(log):
    s = e.get("shard")
    if e.get("op") in ("GetShardIterator", "GetRecords") and s in parent:
        p = parent[s]
        assert p in ended and ended[p] < i, (s, p, i, ended)
PY
}

@test "double: a child of a shard read from LATEST starts at its trim horizon" {
	kdouble_ctl ddb/table '{"table":"NotifyChild"}' >/dev/null
	curl -sSf -X DELETE "$KDOUBLE_URL/__double/log" >/dev/null
	ddb_records NotifyChild "[$(ddb_title 20 Yesterday 26 7)]"
	uktv-notify --endpoint-url "$KDOUBLE_URL" -t NotifyChild --poll-interval 0.1 \
	    --prefs-from "$NF/prefs.ndjson" >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	NOTIFY_PID=$!
	wait_until 20 bash -c "curl -sSf '$KDOUBLE_URL/__double/log' | grep -q '\"LATEST\"'"
	ddb_records NotifyChild "[$(ddb_title 21 Parent 26 7)]"
	kdouble_ctl ddb/rotate '{"stream":"NotifyChild"}' >/dev/null
	ddb_records NotifyChild "[$(ddb_title 22 Child 26 7)]"
	wait_until 20 lines_in "$BATS_TEST_TMPDIR/out" 2
	kill "$NOTIFY_PID"
	wait "$NOTIFY_PID" || true
	NOTIFY_PID=
	[ "$(shape "$BATS_TEST_TMPDIR/out")" = '["bob","new_title","21","Parent",{}]
["bob","new_title","22","Child",{}]' ]
}

@test "double: a checkpoint behind the trim horizon is reset to it and the gap reported" {
	kdouble_ctl ddb/table '{"table":"NotifyTrim"}' >/dev/null
	ck="$BATS_TEST_TMPDIR/ck"
	ddb_records NotifyTrim "[$(ddb_title 11 Eleven 26 7),$(ddb_title 12 Twelve 26 7)]"
	run -0 --separate-stderr uktv-notify --endpoint-url "$KDOUBLE_URL" -t NotifyTrim -e --poll-interval 0.1 \
	    --from trim-horizon --checkpoint "$ck" --prefs-from "$NF/prefs.ndjson"
	[ "$(jq -r .title_id <<<"$output")" = '11
12' ]
	out=$(kdouble_ctl ddb/records "{\"stream\":\"NotifyTrim\",\"records\":[$(ddb_title 13 Thirteen 26 7),$(ddb_title 14 Fourteen 26 7)]}")
	seq13=$(jq -r '.records[0].SequenceNumber' <<<"$out")
	# Everything up to 13 leaves the stream (as after 24 hours): the
	# checkpoint (after 12) is behind the trim horizon.
	kdouble_ctl trim "{\"table\":\"NotifyTrim\",\"through\":\"$seq13\"}" >/dev/null
	run -0 --separate-stderr uktv-notify --endpoint-url "$KDOUBLE_URL" -t NotifyTrim -e --poll-interval 0.1 \
	    --checkpoint "$ck" --prefs-from "$NF/prefs.ndjson"
	[ "$(shape <<<"$output")" = '["bob","new_title","14","Fourteen",{}]' ]
	# event_id is the stream record's eventID; "at" its creation time.
	[ "$(jq -r .event_id <<<"$output")" = "$(jq -r '.records[1].eventID' <<<"$out")" ]
	jq -r .at <<<"$output" | grep -Eqx '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'
	[[ "$stderr" == *"trimmed"* ]]
	[ "$(jq -r .position "$ck"/*.json)" = "$(jq -r '.records[1].SequenceNumber' <<<"$out")" ]
}

@test "SIGTERM while stdout is blocked: whole lines only, nothing skipped, exit 143" {
	in="$BATS_TEST_TMPDIR/in" fifo="$BATS_TEST_TMPDIR/fifo" out="$BATS_TEST_TMPDIR/out"
	# about 800 KB of notifications: far more than a pipe holds
	for i in $(seq 400); do cat "$NF/records.ndjson"; done >"$in"
	for i in $(seq 400); do cat "$NF/records.expected.ndjson"; done >"$BATS_TEST_TMPDIR/all"
	mkfifo "$fifo"
	uktv-notify --records-from "$in" --prefs-from "$NF/prefs.ndjson" \
	    >"$fifo" 2>"$BATS_TEST_TMPDIR/err" &
	NOTIFY_PID=$!
	# a reader that reads nothing until told
	exec {rd}<"$fifo"
	wait_until 30 pipe_blocked "$NOTIFY_PID" "$fifo"
	kill -TERM "$NOTIFY_PID"
	wait_until 10 term_taken "$NOTIFY_PID"
	timeout 60 cat <&"$rd" >"$out"
	exec {rd}<&-
	st=0
	wait "$NOTIFY_PID" || st=$?
	NOTIFY_PID=
	assert_equal "$st" 143
	run cat "$BATS_TEST_TMPDIR/err"
	refute_output --partial "Interrupted"
	# it stopped early, and what it wrote is the start of the whole
	# output, line for line: nothing cut, nothing skipped
	n=$(wc -l <"$out")
	[ "$n" -gt 0 ] && [ "$n" -lt "$(wc -l <"$BATS_TEST_TMPDIR/all")" ]
	[ "$(tail -c 1 "$out" | od -An -c | tr -d ' ')" = '\n' ]
	diff "$out" <(head -n "$n" "$BATS_TEST_TMPDIR/all")
}

@test "stream | head -1: exit 141 without a word; the checkpoint claims only records whose lines were all written" {
	make_table NotifyHead
	# 50 users on 26 x 7, 20 titles there: 1,000 lines, far more than a
	# pipe and head take
	for i in $(seq 50); do
		printf '{"user":"u%02d","sources":["26"],"genres":["7"],"favourites":[]}\n' "$i"
	done | uktv-prefs -t NotifyHead import --no-validate >/dev/null
	put_titles NotifyHead $(seq 20)
	ck="$BATS_TEST_TMPDIR/ck"
	uktv-notify -t NotifyHead -e --poll-interval 0.1 --from trim-horizon >"$BATS_TEST_TMPDIR/all"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/all")" 1000
	head1 uktv-notify -t NotifyHead -e --poll-interval 0.1 --from trim-horizon --checkpoint "$ck"
	pipe_closed_ok
	assert_equal "$head1_first" "$(head -1 "$BATS_TEST_TMPDIR/all")"
	# the next run starts with the first record not wholly written: what it
	# prints is the rest of the whole output from a record's first line
	run -0 --separate-stderr uktv-notify -t NotifyHead -e --poll-interval 0.1 --checkpoint "$ck"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rest"
	done_lines=$((1000 - $(wc -l <"$BATS_TEST_TMPDIR/rest")))
	assert_equal $((done_lines % 50)) 0
	diff "$BATS_TEST_TMPDIR/rest" <(tail -n +$((done_lines + 1)) "$BATS_TEST_TMPDIR/all")
	# and what it claims fits in what the pipe and head could take
	cap=$(python3 -c 'import fcntl, os; r, w = os.pipe(); print(fcntl.fcntl(w, 1032))')
	[ "$(head -n "$done_lines" "$BATS_TEST_TMPDIR/all" | wc -c)" -le $((2 * cap)) ]
}

@test "stream: a caught-up follower piped into head -1 exits 141 once head has gone" {
	table_with_prefs NotifyFollow
	put_title NotifyFollow 9000001 "Prime Drama" 26 7
	# no -e: it follows; SIGPIPE as a shell leaves it
	run -0 timeout 60 bash -c 'uktv-notify -t NotifyFollow --from trim-horizon --poll-interval 0.2 --checkpoint "$1" 2>"$2" | head -1; echo "status ${PIPESTATUS[0]}"' \
	    _ "$BATS_TEST_TMPDIR/ck" "$BATS_TEST_TMPDIR/err"
	assert_equal "$(head -1 <<<"$output" | shape)" '["bob","new_title","9000001","Prime Drama",{}]'
	assert_line "status 141"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/err")" ""
}
