#!/usr/bin/env bats
# The hourly chain end to end: preferences in the table (moto), titles from
# the Watchmode double, `uktv-titles -t TABLE --state FILE | uktv-publish -s
# STREAM`, through the AWS fault proxy, and what landed on the stream read
# back with the AWS CLI.

load helpers/common
load helpers/faultproxy
load helpers/watchmode

PAIRS="203:4 349:4 349:7"

setup_file() {
	moto_start
	proxy_start --seed 14
	watchmode_start --rate-limit 100000
}

teardown_file() {
	watchmode_stop
	proxy_stop
	moto_stop
}

setup() {
	watchmode_reset
	proxy_script '[]'
	export AWS_MAX_ATTEMPTS=4
	T="pipe$BATS_TEST_NUMBER"
	ST="titles$BATS_TEST_NUMBER"
	S="$BATS_TEST_TMPDIR/titles.state"
	DEAD="$BATS_TEST_TMPDIR/dead.ndjson"
	make_table "$T"
	make_stream "$ST"
	# The original app's preference items: alice and carol share 203:4,
	# dave follows a source and no genre.
	prefs_items '
	    alice source:203 source:349 genre:4
	    bob source:349 genre:7
	    carol source:203 genre:4
	    dave source:409'
	proxy_reset
}

# prefs_items 'USER SK... (one user a line)': the userpref: items, written
# with one batch-write-item (each AWS CLI run costs about a second).
prefs_items() {
	awk 'NF > 1 { for (i = 2; i <= NF; i++) print $1, $i }' <<<"$1" |
	    jq -R -s --arg t "$T" '{($t): [split("\n")[] | select(length > 0) |
	        split(" ") | {PutRequest: {Item: {PK: {S: ("userpref:" + .[0])},
	        SK: {S: .[1]}}}}]}' >"$BATS_TEST_TMPDIR/prefs.json"
	aws dynamodb batch-write-item --request-items "file://$BATS_TEST_TMPDIR/prefs.json" >/dev/null
}

# chain [TITLES ARGS...]: the hourly pipeline, its two exit codes in
# TITLES_RC and PUBLISH_RC.
chain() {
	local rcs
	uktv-titles -t "$T" --state "$S" "$@" 2>"$BATS_TEST_TMPDIR/titles.err" |
	    uktv-publish -s "$ST" --dead-letter "$DEAD" 2>"$BATS_TEST_TMPDIR/publish.err"
	rcs=("${PIPESTATUS[@]}")
	TITLES_RC=${rcs[0]}
	PUBLISH_RC=${rcs[1]}
}

# landed: every record of the stream (one shard) as {"pk", "event"}, in
# sequence order.
landed() {
	local it
	it=$(aws kinesis get-shard-iterator --stream-name "$ST" --shard-id shardId-000000000000 \
	    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text) || return
	aws kinesis get-records --shard-iterator "$it" --limit 10000 --output json |
	    jq -c '.Records[] | {pk: .PartitionKey, event: (.Data | @base64d | fromjson)}'
}

catalogue() {
	curl -sf "$WATCHMODE_ENDPOINT_URL/__double/catalogue"
}

# expected PAIRS: {id, source_ids, genre_ids} of each title of the double's
# catalogue in one of PAIRS (GB offers), by id.
expected() {
	catalogue | jq -c --arg pairs "$1" '
	    ($pairs | split(" ") | map(split(":") | map(tonumber))) as $p
	    | [.titles[] | . as $t
	       | [$p[] | select(. as [$s, $g]
	            | ($t.sources | any(.source_id == $s and .region == "GB"))
	              and ($t.genres | index($g)) != null)] as $in
	       | select($in | length > 0)
	       | {id, source_ids: ([$in[][0]] | unique | map(tostring)),
	          genre_ids: ([$in[][1]] | unique | map(tostring))}]
	    | sort_by(.id)[]'
}

# members: the upserts of landed records in the same shape, by id.
members() {
	jq -c 'select(.event.header.eventType != "remove") | .event.payload |
	    {id, source_ids, genre_ids}'
}

ids_in() {
	catalogue | jq -r --argjson s "$1" --argjson g "$2" '.titles[] |
	    select((.sources | any(.source_id == $s and .region == "GB")) and
	      (.genres | index($g)) != null) | .id' | sort
}

@test "the chain lands exactly the followed titles, each with its own source and genre ids" {
	chain
	[ "$TITLES_RC" = 0 ] || { cat "$BATS_TEST_TMPDIR/titles.err"; false; }
	[ "$PUBLISH_RC" = 0 ] || { cat "$BATS_TEST_TMPDIR/publish.err"; false; }
	landed >"$BATS_TEST_TMPDIR/landed"
	diff <(members <"$BATS_TEST_TMPDIR/landed" | jq -sc 'sort_by(.id)[]') <(expected "$PAIRS")
	# Exactly once each, keyed by the title id (uktv-publish's default).
	[ "$(jq -r .event.payload.id "$BATS_TEST_TMPDIR/landed" | sort | uniq -d | wc -l)" = 0 ]
	[ "$(jq -c 'select(.pk != (.event.payload.id | tostring))' "$BATS_TEST_TMPDIR/landed" | wc -l)" = 0 ]
	# A title on Netflix alone is never stamped with AppleTV.
	only=$(watchmode_fact .netflix_only_ids)
	[ "$(jq -c --argjson o "$only" 'select(.event.payload.id as $i | $o | index($i)) |
	    .event.payload.source_ids' "$BATS_TEST_TMPDIR/landed" | sort -u)" = '["203"]' ]
	# The first follower (byte order) of a title's pairs caused it: carol
	# shares 203:4 with alice, 349:7 is bob's alone.
	[ "$(jq -r 'select(.event.payload.genre_ids == ["4"]) | .event.header.publishCause' \
	    "$BATS_TEST_TMPDIR/landed" | sort -u)" = "userpref:alice" ]
	[ "$(jq -r 'select(.event.payload.genre_ids == ["7"]) | .event.header.publishCause' \
	    "$BATS_TEST_TMPDIR/landed" | sort -u)" = "userpref:bob" ]
	# One list-titles query per distinct pair (alice and carol share one).
	[ "$(watchmode_calls /v1/list-titles/)" = 3 ]
	[ "$(proxy_log | jq -s '[.[] | select(.op == "Scan")] | length')" -ge 1 ]
}

@test "a second run with --state puts nothing on the stream" {
	chain
	n=$(landed | wc -l)
	[ "$n" -gt 0 ]
	proxy_reset
	chain
	[ "$TITLES_RC" = 0 ]
	[ "$PUBLISH_RC" = 0 ]
	[ "$(proxy_log | jq -s '[.[] | select(.op == "PutRecords")] | length')" = 0 ]
	[ "$(landed | wc -l)" = "$n" ]
	[ "$(watchmode_calls /v1/list-titles/)" = 6 ]
}

@test "a title changed upstream lands once more, a title gone upstream lands as one remove event" {
	chain
	n=$(landed | wc -l)
	changed=$(ids_in 203 4 | head -1)
	gone=$(comm -23 <(ids_in 349 7) <(ids_in 203 4 | cat - <(ids_in 349 4) | sort -u) | head -1)
	watchmode_change "{\"upsert\":[{\"id\":$changed,\"title\":\"Renamed Upstream\"}],\"remove\":[$gone]}" >/dev/null
	chain
	[ "$TITLES_RC" = 0 ]
	[ "$PUBLISH_RC" = 0 ]
	chain
	[ "$TITLES_RC" = 0 ]
	landed | tail -n +$((n + 1)) >"$BATS_TEST_TMPDIR/new"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/new")" = 2 ]
	[ "$(jq -c 'select(.event.header.eventType == "remove") | [.pk, .event.payload]' \
	    "$BATS_TEST_TMPDIR/new")" = "[\"$gone\",{\"id\":$gone}]" ]
	[ "$(jq -c 'select(.event.header.eventType == null) |
	    [.pk, .event.payload.title, {id: .event.payload.id, source_ids: .event.payload.source_ids,
	     genre_ids: .event.payload.genre_ids}]' "$BATS_TEST_TMPDIR/new")" = \
	    "[\"$changed\",\"Renamed Upstream\",$(expected "$PAIRS" | jq -c --argjson i "$changed" 'select(.id == $i)')]" ]
}

@test "runs cut short by 429s or --max-calls put no remove event on the stream" {
	chain
	n=$(landed | wc -l)
	gone=$(comm -23 <(ids_in 349 7) <(ids_in 203 4 | cat - <(ids_in 349 4) | sort -u) | head -1)
	watchmode_change "{\"remove\":[$gone]}" >/dev/null
	# The quota check and two pairs are let through, then 429s that ask
	# for a wait longer than uktv waits.
	watchmode_fault '{"rate_limit_after":3,"retry_after":600}'
	chain
	[ "$TITLES_RC" = 69 ]
	[ "$PUBLISH_RC" = 0 ]
	grep -q "no title was removed" "$BATS_TEST_TMPDIR/titles.err"
	watchmode_fault '{"clear":true}'
	chain --max-calls 2
	[ "$TITLES_RC" = 1 ]
	[ "$(landed | wc -l)" = "$n" ]
	chain
	[ "$TITLES_RC" = 0 ]
	[ "$(landed | tail -n +$((n + 1)) | jq -c '[.event.header.eventType, .event.payload]')" = \
	    "[\"remove\",{\"id\":$gone}]" ]
}

@test "PutRecords partial failures, throttling, 503s and resets in the chain lose nothing and double nothing" {
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"fail_records","records":[0,5,17,40]},
	    {"op":"PutRecords","calls":[2],"fault":"throttle"},
	    {"op":"PutRecords","calls":[3],"fault":"503"},
	    {"op":"PutRecords","calls":[4],"fault":"reset"},
	    {"op":"Scan","calls":[1],"fault":"503"}]'
	chain
	[ "$TITLES_RC" = 0 ] || { cat "$BATS_TEST_TMPDIR/titles.err"; false; }
	[ "$PUBLISH_RC" = 0 ] || { cat "$BATS_TEST_TMPDIR/publish.err"; false; }
	[ ! -s "$DEAD" ]
	landed >"$BATS_TEST_TMPDIR/landed"
	diff <(members <"$BATS_TEST_TMPDIR/landed" | jq -sc 'sort_by(.id)[]') <(expected "$PAIRS")
	[ "$(jq -r .event.payload.id "$BATS_TEST_TMPDIR/landed" | sort | uniq -d | wc -l)" = 0 ]
	[ "$(proxy_log | jq -s '[.[] | select(.op == "PutRecords")] | length')" -ge 5 ]
}
