#!/usr/bin/env bats
# uktv-consume's storing side (lib/guidestore, lib/lease): title events from
# a Kinesis stream in moto written to the guide table in the original app's
# shapes, only what changed, with Watchmode enrichment from the double, and
# shards shared among workers through a KCL lease table.  Requests go through
# the fault proxy so the tests can see (and disturb) every DynamoDB call.

load helpers/common
load helpers/faultproxy
load helpers/watchmode

setup_file() {
	moto_start
	proxy_start
	watchmode_start
}

teardown_file() {
	watchmode_stop
	proxy_stop
	moto_stop
}

setup() {
	proxy_script '[]'
	proxy_reset
	# One table and stream per test: no moto reset needed between them.
	T="guide$BATS_TEST_NUMBER"
	S="titles$BATS_TEST_NUMBER"
	CK="$BATS_TEST_TMPDIR/ck"
}

teardown() {
	stop_bg w1
	stop_bg w2
}

publish() {
	uktv-publish -s "$1" -k .payload.id >/dev/null
}

# items TABLE: every item, one typed JSON object per line, sorted.
items() {
	aws dynamodb scan --table-name "$1" --output json | jq -c '.Items[]' | sort
}

# record TABLE ID: the title record, typed ("null" when there is none: the
# CLI prints nothing then).
record() {
	{
		aws dynamodb get-item --table-name "$1" --output json \
		    --key "{\"PK\":{\"S\":\"title:$2\"},\"SK\":{\"S\":\"record\"}}"
		echo '{}'
	} | jq -sc '.[0].Item'
}

# snap TABLE: read the table once (aws CLI calls are the slow part of this
# suite); then rec ID, idx ID and count [JQ_FILTER] look at that reading.
snap() {
	items "$1" >"$BATS_TEST_TMPDIR/snap"
}
rec() {
	jq -c --arg pk "title:$1" 'select(.PK.S == $pk and .SK.S == "record")' \
	    "$BATS_TEST_TMPDIR/snap"
}
idx() {
	jq -r --arg sk "title:$1" 'select(.SK.S == $sk) | .PK.S' "$BATS_TEST_TMPDIR/snap" |
	    sort | tr '\n' ' '
}
count() {
	jq -c "select(${1:-true})" "$BATS_TEST_TMPDIR/snap" | wc -l | tr -d ' '
}

# ops: how many logged requests per operation ("BatchGetItem 1").
ops() {
	proxy_log | jq -r '.op' | sort | uniq -c | awk '{print $2, $1}'
}

op_count() {
	proxy_log | jq -r --arg op "$1" 'select(.op == $op) | .op' | wc -l | tr -d ' '
}

@test "stored items and index entries have the original app's shapes, field by field" {
	make_table "$T"
	make_stream "$S" 2
	publish "$S" <"$FIXTURES/consume/seed-titles.ndjson"
	run uktv-consume -s "$S" -t "$T" -e -n
	assert_success
	aws dynamodb scan --table-name "$T" --output json >"$BATS_TEST_TMPDIR/scan.json"
	python3 - "$FIXTURES/seed-data/example_data_titles.json" "$BATS_TEST_TMPDIR/scan.json" <<'PY'
import json, sys
seed = {i["PK"]["S"]: i for i in json.load(open(sys.argv[1]))["Items"][:6]}
got = json.load(open(sys.argv[2]))["Items"]
enrichment = {"plot_overview", "poster", "user_rating"}
records = {i["PK"]["S"]: i for i in got if i["SK"]["S"] == "record"}
assert set(records) == set(seed), (sorted(records), sorted(seed))
for pk, want in seed.items():
    have = records[pk]
    assert set(have) == {"PK", "SK", "data"}, have.keys()
    w = {k: v for k, v in want["data"]["M"].items() if k not in enrichment}
    h = have["data"]["M"]
    assert set(h) == set(w), (pk, sorted(h), sorted(w))
    for field in w:
        # same DynamoDB type, same value (numbers by value)
        (wt, wv), = w[field].items()
        (ht, hv), = h[field].items()
        assert wt == ht, (pk, field, wt, ht)
        if wt == "N":
            assert float(wv) == float(hv), (pk, field)
        else:
            assert wv == hv, (pk, field, wv, hv)
index = [i for i in got if i["SK"]["S"] != "record"]
for pk in seed:
    tid = pk.split(":")[1]
    mine = sorted(i["PK"]["S"] for i in index if i["SK"]["S"] == "title:" + tid)
    assert mine == ["source:203:genre:4", "source:203:genre:6",
                    "source:349:genre:4", "source:349:genre:6"], (tid, mine)
for i in index:
    assert set(i) == {"PK", "SK"}, i
assert len(index) == 24, len(index)
PY
}

@test "an unchanged payload writes nothing, and its record is still printed" {
	make_table "$T"
	make_stream "$S" 1
	publish "$S" <"$FIXTURES/consume/seed-titles.ndjson"
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	before=$(items "$T")
	# The same titles again (in another order): nothing new to store.
	tac "$FIXTURES/consume/seed-titles.ndjson" | publish "$S"
	proxy_reset
	run uktv-consume -s "$S" -t "$T" -e --checkpoint "$CK"
	assert_success
	[ "${#lines[@]}" -eq 6 ]
	[ "$(op_count BatchGetItem)" -ge 1 ]
	for op in PutItem UpdateItem DeleteItem BatchWriteItem; do
		[ "$(op_count $op)" -eq 0 ] || { ops; false; }
	done
	[ "$(items "$T")" = "$before" ]
}

@test "a changed payload is updated in place: enrichment kept, index entries follow the title" {
	make_table "$T"
	make_stream "$S" 1
	echo '{"payload":{"id":7,"title":"Seven","year":2020,"source_ids":["203","349"],"genre_ids":["4"]}}' |
	    publish "$S"
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	snap "$T"
	assert_equal "$(idx 7)" "source:203:genre:4 source:349:genre:4 "
	aws dynamodb update-item --table-name "$T" \
	    --key '{"PK":{"S":"title:7"},"SK":{"S":"record"}}' \
	    --update-expression 'SET #d.poster = :p, #d.enriched_at = :e' \
	    --expression-attribute-names '{"#d":"data"}' \
	    --expression-attribute-values '{":p":{"S":"https://cdn/p7.jpg"},":e":{"S":"2025-07-01T00:00:00.000Z"}}'
	# Left source 349, joined genre 6, renamed, lost its year.
	echo '{"payload":{"id":7,"title":"Seven (2)","source_ids":["203"],"genre_ids":[6,4]}}' |
	    publish "$S"
	proxy_reset
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	[ "$(op_count UpdateItem)" -eq 1 ]
	[ "$(op_count PutItem)" -eq 0 ]
	snap "$T"
	rec=$(rec 7)
	assert_equal "$(jq -r '.data.M.title.S' <<<"$rec")" "Seven (2)"
	assert_equal "$(jq -r '.data.M.poster.S' <<<"$rec")" "https://cdn/p7.jpg"
	assert_equal "$(jq -r '.data.M.enriched_at.S' <<<"$rec")" "2025-07-01T00:00:00.000Z"
	assert_equal "$(jq -c '.data.M.source_ids' <<<"$rec")" '{"L":[{"S":"203"}]}'
	assert_equal "$(jq -c '.data.M.genre_ids' <<<"$rec")" '{"L":[{"S":"4"},{"S":"6"}]}'
	assert_equal "$(jq -r '.data.M | has("year")' <<<"$rec")" false
	assert_equal "$(idx 7)" "source:203:genre:4 source:203:genre:6 "
}

@test "a conditional update that lost to another writer is read again and redone" {
	make_table "$T"
	make_stream "$S" 1
	echo '{"payload":{"id":31,"title":"One","source_ids":["203"],"genre_ids":["4"]}}' | publish "$S"
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	echo '{"payload":{"id":31,"title":"Two","source_ids":["349"],"genre_ids":["4"]}}' | publish "$S"
	proxy_script '[{"op":"UpdateItem","calls":[1],"fault":"error","status":400,
	    "code":"ConditionalCheckFailedException","message":"The conditional request failed"}]'
	proxy_reset
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	[ "$(op_count UpdateItem)" -eq 2 ]
	[ "$(op_count GetItem)" -eq 1 ]
	snap "$T"
	assert_equal "$(rec 31 | jq -r '.data.M.title.S')" Two
	assert_equal "$(idx 31)" "source:349:genre:4 "
}

@test "a title whose write keeps failing is dead-lettered; the others are stored" {
	make_table "$T"
	make_stream "$S" 1
	printf '%s\n' '{"payload":{"id":41,"title":"A"}}' '{"payload":{"id":42,"title":"B"}}' | publish "$S"
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	printf '%s\n' '{"payload":{"id":41,"title":"A2"}}' '{"payload":{"id":43,"title":"C"}}' | publish "$S"
	proxy_script '[{"op":"UpdateItem","every":true,"fault":"error","status":400,
	    "code":"ValidationException","message":"Item size has exceeded the maximum allowed size"}]'
	# Without a dead-letter file: stop before the checkpoint, exit 1.
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_failure 1
	assert_output --partial "ValidationException"
	assert_equal "$(record "$T" 41 | jq -r '.data.M.title.S')" A
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK" \
	    --dead-letter "$BATS_TEST_TMPDIR/dead.ndjson"
	assert_failure 1
	[ "$(wc -l <"$BATS_TEST_TMPDIR/dead.ndjson")" -eq 1 ]
	assert_equal "$(jq -r '.input | fromjson | .payload.title' "$BATS_TEST_TMPDIR/dead.ndjson")" A2
	assert_equal "$(jq -r '.error' "$BATS_TEST_TMPDIR/dead.ndjson")" ValidationException
	snap "$T"
	assert_equal "$(rec 43 | jq -r '.data.M.title.S')" C
	assert_equal "$(rec 41 | jq -r '.data.M.title.S')" A
	# Checkpointed past it: the next run has nothing left to do.
	proxy_script '[]'
	run uktv-consume -s "$S" -t "$T" -e --checkpoint "$CK"
	assert_success
	assert_output ""
}

@test "a remove event deletes the record and every index entry of the title" {
	make_table "$T"
	make_stream "$S" 1
	{
		echo '{"payload":{"id":8,"title":"Eight","source_ids":["203","349"],"genre_ids":["4","6"]}}'
		echo '{"payload":{"id":9,"title":"Nine","source_ids":["203"],"genre_ids":["4"]}}'
	} | publish "$S"
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	snap "$T"
	[ "$(count)" -eq 7 ]
	printf '%s\n' '{"header":{"eventType":"remove"},"payload":{"id":8}}' \
	    '{"header":{"eventType":"remove"},"payload":{"id":12345}}' | publish "$S"
	run uktv-consume -s "$S" -t "$T" -e -n --checkpoint "$CK"
	assert_success
	snap "$T"
	[ -z "$(rec 8)" ]
	[ -z "$(idx 8)" ]
	# The other title is untouched.
	assert_equal "$(idx 9)" "source:203:genre:4 "
	[ "$(count)" -eq 2 ]
}

@test "a record that is not a valid title event is reported, dead-lettered, and -e exits 1" {
	make_table "$T"
	make_stream "$S" 1
	{
		echo '{"payload":{"id":21,"title":"Ok"}}'
		echo '{"payload":{"id":0,"title":"zero"}}'
		echo '{"payload":{"id":22}}'
		echo '{"payload":{"id":23,"title":"Also ok"}}'
	} | publish "$S"
	run uktv-consume -s "$S" -t "$T" -e -n --dead-letter "$BATS_TEST_TMPDIR/dead.ndjson"
	assert_failure 1
	assert_output --partial "payload.id is not a positive integer"
	assert_output --partial "payload.title is not a string"
	assert_output --regexp "shard shardId-[0-9]+: sequence [0-9]+: "
	[ "$(wc -l <"$BATS_TEST_TMPDIR/dead.ndjson")" -eq 2 ]
	run jq -e -s 'all(.[]; (.input | fromjson | .payload) and .error and .message and .shard and .sequence)' \
	    "$BATS_TEST_TMPDIR/dead.ndjson"
	assert_success
	# The valid ones around them were stored.
	snap "$T"
	[ "$(rec 21 | jq -r '.data.M.title.S')" = Ok ]
	[ "$(rec 23 | jq -r '.data.M.title.S')" = "Also ok" ]
	[ "$(count)" -eq 2 ]
}

@test "UnprocessedKeys and UnprocessedItems from DynamoDB are retried until written" {
	make_table "$T"
	make_stream "$S" 1
	publish "$S" <"$FIXTURES/consume/seed-titles.ndjson"
	proxy_script '[{"op":"BatchGetItem","calls":[1],"fault":"unprocessed","count":4},
	    {"op":"BatchWriteItem","calls":[1,2],"fault":"unprocessed","count":5}]'
	proxy_reset
	run uktv-consume -s "$S" -t "$T" -e -n
	assert_success
	# 6 records + 24 index entries, every one of them written.
	[ "$(items "$T" | wc -l)" -eq 30 ]
	[ "$(op_count BatchGetItem)" -eq 2 ]
	# 30 requests need 2 calls without faults; 10 held back need more.
	[ "$(op_count BatchWriteItem)" -ge 3 ]
}

@test "--enrich stores plot, poster, ratings, the GB offers and enriched_at from Watchmode" {
	make_table "$T"
	make_stream "$S" 1
	watchmode_reset
	publish "$S" <"$FIXTURES/consume/catalogue-titles.ndjson"
	run uktv-consume -s "$S" -t "$T" -e -n --enrich
	assert_success
	[ "$(watchmode_calls /details/)" -eq 4 ]
	[ "$(watchmode_log | jq -r '.query | tostring' | grep -c 'append_to_response.*sources')" -eq 4 ]
	snap "$T"
	rec=$(rec 323403)
	want=$(jq -c '.titles[] | select(.id == 323403)' "$FIXTURES/watchmode/catalogue.json")
	assert_equal "$(jq -r '.data.M.plot_overview.S' <<<"$rec")" "$(jq -r .plot_overview <<<"$want")"
	assert_equal "$(jq -r '.data.M.poster.S' <<<"$rec")" "$(jq -r .poster <<<"$want")"
	assert_equal "$(jq -r '.data.M.user_rating.N' <<<"$rec")" "4.2"
	# critic_score is null for this title: left out.
	assert_equal "$(jq -r '.data.M | has("critic_score")' <<<"$rec")" false
	assert_equal "$(rec 349971 | jq -r '.data.M.critic_score.N')" 75
	# Only the GB offers, each with the seven design fields.
	assert_equal "$(jq -c '[.data.M.sources.L[].M.region.S]' <<<"$rec")" '["GB","GB"]'
	assert_equal "$(jq -c '[.data.M.sources.L[].M.source_id.N]' <<<"$rec")" '["203","376"]'
	assert_equal "$(jq -c '[.data.M.sources.L[0].M | keys[]]' <<<"$rec")" \
	    '["format","name","price","region","source_id","type","web_url"]'
	assert_equal "$(jq -r '.data.M.sources.L[0].M.web_url.S' <<<"$rec")" \
	    "$(jq -r '[.sources[] | select(.region == "GB")][0].web_url' <<<"$want")"
	assert_regex "$(jq -r '.data.M.enriched_at.S' <<<"$rec")" \
	    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{3})?Z$'
	# One write per new title: the record is put whole, enrichment included.
	[ "$(op_count UpdateItem)" -eq 0 ]
	# Enrichment never changes the title's own ids or index entries.
	assert_equal "$(jq -c '.data.M.source_ids' <<<"$rec")" '{"L":[{"S":"203"}]}'
	assert_equal "$(idx 323403)" "source:203:genre:6 "
}

@test "a failed enrichment never blocks storing, and --enrich-missing fills it in later" {
	make_table "$T"
	make_stream "$S" 1
	watchmode_reset
	watchmode_fault '{"path":"/v1/title/","status":500,"count":-1}'
	publish "$S" <"$FIXTURES/consume/catalogue-titles.ndjson"
	run uktv-consume -s "$S" -t "$T" -e -n --enrich
	assert_success
	snap "$T"
	[ "$(count '.SK.S == "record"')" -eq 4 ]
	[ "$(count '.data.M.enriched_at')" -eq 0 ]
	[ "$(rec 345101 | jq -r '.data.M.title.S')" = GLOW ]

	watchmode_fault '{"clear":true}'
	watchmode_reset
	run uktv-consume --enrich-missing -t "$T"
	assert_success
	[ "$(watchmode_calls /details/)" -eq 4 ]
	snap "$T"
	[ "$(count '.data.M.enriched_at and .data.M.plot_overview')" -eq 4 ]
	# Index entries are not records: nothing else was touched.
	[ "$(count)" -eq 8 ]

	# Nothing missing now: no Watchmode call at all.
	run uktv-consume --enrich-missing -t "$T"
	assert_success
	[ "$(watchmode_calls /details/)" -eq 4 ]
}

@test "--enrich-missing --enrich-older-than DAYS refreshes only enrichment older than that" {
	make_table "$T"
	make_stream "$S" 1
	watchmode_reset
	publish "$S" <"$FIXTURES/consume/catalogue-titles.ndjson"
	run uktv-consume -s "$S" -t "$T" -e -n --enrich
	assert_success
	aws dynamodb update-item --table-name "$T" \
	    --key '{"PK":{"S":"title:350006"},"SK":{"S":"record"}}' \
	    --update-expression 'SET #d.enriched_at = :e' \
	    --expression-attribute-names '{"#d":"data"}' \
	    --expression-attribute-values '{":e":{"S":"2020-01-01T00:00:00.000Z"}}'
	watchmode_reset
	run uktv-consume --enrich-missing -t "$T"
	assert_success
	[ "$(watchmode_calls /details/)" -eq 0 ]
	run uktv-consume --enrich-missing --enrich-older-than 30 -t "$T"
	assert_success
	[ "$(watchmode_calls /details/)" -eq 1 ]
	[ "$(watchmode_calls /title/350006/details/)" -eq 1 ]
	when=$(record "$T" 350006 | jq -r '.data.M.enriched_at.S')
	assert_regex "$when" '^20[2-9][0-9]-'
	[ "$when" != "2020-01-01T00:00:00.000Z" ]
}

# owners TABLE: "owner count" lines of the lease table, sorted.
owners() {
	aws dynamodb scan --table-name "$1" --output json |
	    jq -r '.Items[] | .leaseOwner.S // "-"' | sort | uniq -c | awk '{print $2, $1}' |
	    tr '\n' ' '
}

lease_split_is() {
	[ "$(owners "$1")" = "$2" ]
}

@test "two workers share a 4-shard stream two and two; after kill -9 the other takes all four" {
	make_table "$T"
	make_stream "$S" 4
	for i in $(seq 1 20); do echo "{\"payload\":{\"id\":$i,\"title\":\"t$i\"}}"; done | publish "$S"
	opts=(-s "$S" -t "$T" -n --lease-table "L$T" --lease-duration 1 --lease-renew 0.2
	    --poll-interval 0.2)
	start_bg w1 uktv-consume "${opts[@]}" --worker-id w1
	wait_until 20 lease_split_is "L$T" "w1 4 "
	start_bg w2 uktv-consume "${opts[@]}" --worker-id w2
	wait_until 20 lease_split_is "L$T" "w1 2 w2 2 "
	wait_until 20 bash -c "[ \$(aws dynamodb scan --table-name $T --select COUNT --query Count) -eq 20 ]"

	kill -9 "$(cat "$BATS_FILE_TMPDIR/w1.pid")"
	wait_until 20 lease_split_is "L$T" "w2 4 "
	# Records that arrive after the takeover are read from the taken
	# shards' checkpoints and stored.
	for i in $(seq 101 120); do echo "{\"payload\":{\"id\":$i,\"title\":\"t$i\"}}"; done | publish "$S"
	wait_until 20 bash -c "[ \$(aws dynamodb scan --table-name $T --select COUNT --query Count) -eq 40 ]"
	# A clean stop releases the leases (no owner left).
	stop_bg w2
	wait_until 10 lease_split_is "L$T" "- 4 "
}

@test "the lease table has the KCL's schema and names, and a KCL-written checkpoint is resumed" {
	make_table "$T"
	make_stream "$S" 1
	for i in 1 2 3 4 5; do echo "{\"payload\":{\"id\":$i,\"title\":\"t$i\"}}"; done | publish "$S"
	run uktv-consume -s "$S" -t "$T" -e -n --lease-table "L$T" --worker-id w1
	assert_success
	desc=$(aws dynamodb describe-table --table-name "L$T" --output json)
	assert_equal "$(jq -c '.Table.KeySchema' <<<"$desc")" '[{"AttributeName":"leaseKey","KeyType":"HASH"}]'
	assert_equal "$(jq -c '.Table.AttributeDefinitions' <<<"$desc")" '[{"AttributeName":"leaseKey","AttributeType":"S"}]'
	assert_equal "$(jq -r '.Table.BillingModeSummary.BillingMode' <<<"$desc")" PAY_PER_REQUEST
	lease=$(aws dynamodb scan --table-name "L$T" --output json | jq -c '.Items[0]')
	assert_equal "$(jq -r '.leaseKey.S' <<<"$lease")" shardId-000000000000
	assert_equal "$(jq -r '[.leaseCounter.N, .checkpointSubSequenceNumber.N, .ownerSwitchesSinceCheckpoint.N] | map(test("^[0-9]+$")) | all' <<<"$lease")" true
	last=$(aws kinesis get-records --shard-iterator "$(aws kinesis get-shard-iterator \
	    --stream-name "$S" --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON \
	    --query ShardIterator --output text)" --output json | jq -r '.Records[-1].SequenceNumber')
	assert_equal "$(jq -r '.checkpoint.S' <<<"$lease")" "$last"
	# Released at the end: a KCL worker could take it at once.
	assert_equal "$(jq -r 'has("leaseOwner")' <<<"$lease")" false

	# A lease as a KCL 2.x worker leaves it: owned by a dead worker,
	# checkpoint after the second record.
	second=$(aws kinesis get-records --shard-iterator "$(aws kinesis get-shard-iterator \
	    --stream-name "$S" --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON \
	    --query ShardIterator --output text)" --output json | jq -r '.Records[1].SequenceNumber')
	aws dynamodb put-item --table-name "L$T" --item "{
	    \"leaseKey\":{\"S\":\"shardId-000000000000\"},\"leaseOwner\":{\"S\":\"kcl-worker-1\"},
	    \"leaseCounter\":{\"N\":\"41\"},\"checkpoint\":{\"S\":\"$second\"},
	    \"checkpointSubSequenceNumber\":{\"N\":\"0\"},\"ownerSwitchesSinceCheckpoint\":{\"N\":\"0\"}}"
	run uktv-consume --show-checkpoints --lease-table "L$T"
	assert_success
	assert_equal "$(jq -r '.shard' <<<"$output")" shardId-000000000000
	assert_equal "$(jq -r '.owner' <<<"$output")" kcl-worker-1
	assert_equal "$(jq -r '.lease_counter' <<<"$output")" 41
	assert_equal "$(jq -r '.position' <<<"$output")" "$second"

	# Its owner stopped renewing: after the lease duration it is taken and
	# read from after the KCL's checkpoint (records 3 to 5).  (-c: -e
	# would end before the lease is free.)
	run timeout 30 uktv-consume -s "$S" -c 3 --lease-table "L$T" --worker-id w2 --lease-duration 0.3 \
	    --lease-renew 0.1 --poll-interval 0.2
	assert_success
	assert_equal "$(jq -r '.payload.id' <<<"$output" | tr '\n' ' ')" "3 4 5 "
	lease=$(aws dynamodb scan --table-name "L$T" --output json | jq -c '.Items[0]')
	assert_equal "$(jq -r '.checkpoint.S' <<<"$lease")" "$last"
	assert_equal "$(jq -r '.leaseCounter.N | tonumber > 41' <<<"$lease")" true
	assert_equal "$(jq -r '.ownerSwitchesSinceCheckpoint.N' <<<"$lease")" 0
}
