#!/usr/bin/env bats
# uktv-refdata against the Watchmode double and moto (through the fault
# proxy): output, stored shapes, writing only what changed, rename, prune,
# faults on both sides, keys that never show.

load helpers/common
load helpers/faultproxy
load helpers/watchmode

bats_require_minimum_version 1.5.0

SEED="$FIXTURES/seed-data"
CAT="$FIXTURES/watchmode/catalogue.json"

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
	watchmode_reset
	proxy_script '[]'
	T="refdata$BATS_TEST_NUMBER"
}

# table: a fresh table for this test; the proxy log starts empty after it.
table() {
	make_table "$T"
	proxy_reset
}

# writes: BatchWriteItem calls the proxy saw since the last proxy_reset.
writes() {
	proxy_log | jq -s '[.[] | select(.op == "BatchWriteItem")] | length'
}

# items PREFIX: "PK<TAB>SK" of every item whose PK begins with PREFIX, sorted.
items() {
	aws dynamodb scan --table-name "$T" --output json |
	    jq -r --arg p "$1" '.Items[] | select(.PK.S | startswith($p)) | "\(.PK.S)\t\(.SK.S)"' |
	    sort
}

# load_seed EXTRA_JSON FILE...: put the items of the seed files (the original
# app's scan output) and the EXTRA_JSON array of typed items into the table,
# 25 per batch-write-item (few AWS CLI runs: each costs a second).
load_seed() {
	local extra=$1 n i
	shift
	jq -s --argjson x "$extra" '[.[].Items[]] + $x' "$@" >"$BATS_TEST_TMPDIR/seed.json"
	n=$(jq length "$BATS_TEST_TMPDIR/seed.json")
	for ((i = 0; i < n; i += 25)); do
		jq --arg t "$T" --argjson i "$i" '{($t): [.[$i:$i+25][] | {PutRequest: {Item: .}}]}' \
		    "$BATS_TEST_TMPDIR/seed.json" >"$BATS_TEST_TMPDIR/batch.json"
		aws dynamodb batch-write-item --request-items "file://$BATS_TEST_TMPDIR/batch.json" >/dev/null
	done
}

# nogrep PATTERN TEXT: fails the test when TEXT holds PATTERN (a bare
# "! grep" never fails a bats test).
nogrep() {
	if grep -q -- "$1" <<<"$2"; then
		fail "found '$1'"
	fi
}

# calls_are PATH N: the double logged N requests to PATH.
calls_are() {
	[ "$(watchmode_calls "$1")" = "$2" ]
}

# gb_sources_count: the catalogue's sources listed in GB.
gb_sources_count() {
	jq '[.sources[] | select(.regions | index("GB"))] | length' "$CAT"
}

@test "--help exits 0 and every long option is in both completion files" {
	run uktv-refdata --help
	assert_success
	assert_output --partial "usage: uktv-refdata"
	opts=$(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u)
	[ -n "$opts" ]
	for o in $opts; do
		grep -q -- "$o" "$UKTV_ROOT/completions/bash/uktv-refdata" || fail "bash completion lacks $o"
		grep -q -- "$o" "$UKTV_ROOT/completions/zsh/_uktv-refdata" || fail "zsh completion lacks $o"
	done
	for w in sources genres regions; do
		grep -q "$w" "$UKTV_ROOT/completions/bash/uktv-refdata" || fail "bash completion lacks $w"
		grep -q "$w" "$UKTV_ROOT/completions/zsh/_uktv-refdata" || fail "zsh completion lacks $w"
	done
}

@test "--version prints the name and version" {
	run uktv-refdata --version
	assert_success
	assert_output "uktv-refdata 0.1.0"
}

@test "usage errors say what is wrong and exit 2" {
	run uktv-refdata titles
	assert_failure 2
	assert_line --index 0 "uktv-refdata: unknown data 'titles' (sources, genres or regions)"
	assert_line --partial "usage: uktv-refdata"
	run uktv-refdata --country GBR
	assert_failure 2
	assert_line --index 0 --partial "--country takes a two-letter country code"
	run uktv-refdata --prune
	assert_failure 2
	assert_line --index 0 "uktv-refdata: --prune needs -t TABLE"
	run uktv-refdata --api-key-file /dev/null --api-key-secret arn:x
	assert_failure 2
	assert_line --index 0 --partial "cannot be used together"
	run uktv-refdata --api-key "$WATCHMODE_API_KEY"
	assert_failure 2
	[ "$(watchmode_calls)" = 0 ]
}

@test "with -t, region, credentials and the table are checked before any Watchmode credit or line (78)" {
	run --separate-stderr env -u AWS_REGION -u AWS_DEFAULT_REGION AWS_CONFIG_FILE=/dev/null \
	    uktv-refdata -t "$T"
	assert_failure 78
	assert_output ""
	assert_equal "$stderr" "uktv-refdata: no AWS region: use --region, AWS_REGION, or region in the profile (default)"
	run --separate-stderr uktv-refdata -t NoSuchTable
	assert_failure 78
	assert_output ""
	assert_equal "$stderr" "uktv-refdata: no table NoSuchTable in eu-west-2 (the name is from -t): create it, or name the table with -t or UKTV_TABLE"
	[ "$(watchmode_calls)" = 0 ]
}

@test "prints the country's sources then genres, each sorted by id, as Watchmode sent them plus kind" {
	run --separate-stderr uktv-refdata
	assert_success
	[ -z "$stderr" ]
	# sources first, then genres, nothing else
	kinds=$(jq -r .kind <<<"$output" | uniq | tr '\n' ' ')
	assert_equal "$kinds" "source genre "
	assert_equal "$(jq -r 'select(.kind == "source") | .id' <<<"$output" | wc -l)" "$(gb_sources_count)"
	assert_equal "$(jq -r 'select(.kind == "genre") | .id' <<<"$output" | wc -l)" "$(jq '.genres | length' "$CAT")"
	# sorted numerically by id within each kind
	jq -r 'select(.kind == "source") | .id' <<<"$output" >"$BATS_TEST_TMPDIR/ids"
	sort -n -c "$BATS_TEST_TMPDIR/ids"
	jq -r 'select(.kind == "genre") | .id' <<<"$output" >"$BATS_TEST_TMPDIR/ids"
	sort -n -c "$BATS_TEST_TMPDIR/ids"
	# a US-only source is not listed for GB; BBC iPlayer is, nulls kept
	assert_equal "$(jq -c 'select(.id == 157)' <<<"$output")" ""
	line=$(jq -c 'select(.kind == "source" and .id == 409)' <<<"$output")
	assert_equal "$(jq -c 'del(.kind)' <<<"$line")" "$(jq -c '.sources[] | select(.id == 409)' "$CAT")"
	# regions only when asked, after the others
	run uktv-refdata regions sources
	assert_success
	assert_equal "$(jq -r .kind <<<"$output" | uniq | tr '\n' ' ')" "source region "
	assert_equal "$(jq -sr '[.[] | select(.kind == "region") | .country] | join(",")' <<<"$output")" \
	    "$(jq -r '[.regions[].country] | sort | join(",")' "$CAT")"
}

@test "--country picks the sources of that country" {
	run uktv-refdata --country au sources
	assert_success
	assert_equal "$(wc -l <<<"$output")" "$(jq '[.sources[] | select(.regions | index("AU"))] | length' "$CAT")"
	assert_equal "$(jq -r 'select(.id == 424) | .name' <<<"$output")" "Foxtel Now"	# AU only
	assert_equal "$(jq -c 'select(.id == 409)' <<<"$output")" ""	# BBC iPlayer, GB only
	watchmode_log | jq -e 'select(.path == "/v1/sources/" and (.query | contains("regions=AU")))' >/dev/null
}

@test "a run makes one Watchmode call per kind plus the free status call" {
	run uktv-refdata -n
	assert_success
	assert_output ""
	assert_equal "$(watchmode_calls)" 3
	assert_equal "$(watchmode_calls /v1/status/)" 1
	assert_equal "$(watchmode_calls /v1/sources/)" 1
	assert_equal "$(watchmode_calls /v1/genres/)" 1
	run uktv-refdata --force regions
	assert_success
	assert_equal "$(watchmode_calls)" 4
	assert_equal "$(watchmode_calls /v1/regions/)" 1
}

@test "-t stores the design's items: nulls as NULL, numbers as N, the seed's shapes" {
	table
	run uktv-refdata -n -t "$T" sources genres regions
	assert_success
	# read back with the AWS CLI
	aws dynamodb get-item --table-name "$T" --key '{"PK":{"S":"source:409"},"SK":{"S":"BBC iPlayer"}}' >"$BATS_TEST_TMPDIR/item"
	jq -e '.Item.data.M.android_scheme.NULL == true' "$BATS_TEST_TMPDIR/item"
	jq -e '.Item.data.M.id.N == "409"' "$BATS_TEST_TMPDIR/item"
	jq -e '.Item.data.M.regions.L == [{"S":"GB"}]' "$BATS_TEST_TMPDIR/item"
	jq -e '.Item | keys == ["PK","SK","data"]' "$BATS_TEST_TMPDIR/item"
	# the same shape (attribute names and types) as the original's item
	shape='.data.M | with_entries(.value |= keys[0])'
	want=$(jq -cS ".Items[] | select(.PK.S == \"source:409\") | $shape" "$SEED/example_data_sources.json")
	got=$(jq -cS ".Item | $shape" "$BATS_TEST_TMPDIR/item")
	assert_equal "$got" "$want"
	# a genre: {id, name, tmdb_id}; a null tmdb_id is NULL
	aws dynamodb get-item --table-name "$T" --key '{"PK":{"S":"genre:4"},"SK":{"S":"Comedy"}}' >"$BATS_TEST_TMPDIR/item"
	jq -e '.Item.data.M == {"id":{"N":"4"},"name":{"S":"Comedy"},"tmdb_id":{"N":"35"}}' "$BATS_TEST_TMPDIR/item"
	# a region under region:<code>
	aws dynamodb get-item --table-name "$T" --key '{"PK":{"S":"region:GB"},"SK":{"S":"Great Britain"}}' >"$BATS_TEST_TMPDIR/item"
	jq -e '.Item.data.M.country.S == "GB" and .Item.data.M.plan_enabled.BOOL == true' "$BATS_TEST_TMPDIR/item"
	# one item per listed thing, in 25-item batches
	assert_equal "$(items source: | wc -l)" "$(gb_sources_count)"
	assert_equal "$(items genre: | wc -l)" "$(jq '.genres | length' "$CAT")"
	total=$(( $(gb_sources_count) + $(jq '[.genres, .regions] | map(length) | add' "$CAT") ))
	assert_equal "$(proxy_log | jq -s '[.[] | select(.op == "BatchWriteItem") | .records] | add')" "$total"
	assert_equal "$(writes)" $(( (total + 24) / 25 ))
	proxy_log | jq -s -e 'all(.[] | select(.op == "BatchWriteItem"); .records <= 25)'
}

@test "a table the original app filled needs no write: the items are the same" {
	table
	load_seed '[]' "$SEED/example_data_sources.json" "$SEED/example_data_genres.json"
	proxy_reset
	run uktv-refdata -n -v -t "$T"
	assert_success
	assert_equal "$(writes)" 0
	assert_output --partial "0 put, 0 deleted, $(( $(gb_sources_count) + $(jq '.genres | length' "$CAT") )) unchanged"
}

@test "a second run on unchanged data writes nothing" {
	table
	run uktv-refdata -n -t "$T"
	assert_success
	[ "$(writes)" -gt 0 ]
	proxy_reset
	run uktv-refdata -t "$T"
	assert_success
	assert_equal "$(writes)" 0
	# the run still read the table and printed the data
	proxy_log | jq -s -e 'any(.[]; .op == "Scan")'
	assert_equal "$(jq -r .kind <<<"$output" | uniq | tr '\n' ' ')" "source genre "
}

@test "a renamed source leaves one item, under the new name" {
	table
	run uktv-refdata -n -t "$T"
	assert_success
	jq '{sources: [.sources[] | if .id == 203 then .name = "Netflix UK" else . end]}' "$CAT" \
	    >"$BATS_TEST_TMPDIR/change.json"
	watchmode_change "$(cat "$BATS_TEST_TMPDIR/change.json")" >/dev/null
	proxy_reset
	run uktv-refdata -n -v -t "$T" sources
	assert_success
	assert_equal "$(items source:203)" "$(printf 'source:203\tNetflix UK')"
	aws dynamodb get-item --table-name "$T" --key '{"PK":{"S":"source:203"},"SK":{"S":"Netflix UK"}}' |
	    jq -e '.Item.data.M.name.S == "Netflix UK"'
	assert_output --partial "1 put, 1 deleted"
	assert_equal "$(writes)" 1
}

@test "--prune deletes reference items no longer listed and never touches index entries" {
	table
	# the seed holds 80 index entries; one more, two stale reference
	# items and one key of no grammar
	load_seed '[{"PK":{"S":"source:999999"},"SK":{"S":"Gone TV"},"data":{"M":{"id":{"N":"999999"}}}},
	    {"PK":{"S":"genre:998"},"SK":{"S":"Gone genre"}},
	    {"PK":{"S":"source:203:genre:998"},"SK":{"S":"title:1"}},
	    {"PK":{"S":"source:x"},"SK":{"S":"not of the grammar"}}]' \
	    "$SEED/example_data_sources.json" "$SEED/example_data_genres.json"
	items source: >"$BATS_TEST_TMPDIR/before"
	index_before=$(grep -c ':genre:' "$BATS_TEST_TMPDIR/before")
	assert_equal "$index_before" 81
	# without --prune: kept, and said with -v
	proxy_reset
	run uktv-refdata -n -v -t "$T"
	assert_success
	assert_output --partial "2 reference items no longer listed by Watchmode kept"
	assert_equal "$(writes)" 0
	# with --prune: only the two reference items go
	proxy_reset
	run uktv-refdata -n -v -t "$T" --prune
	assert_success
	assert_output --partial "0 put, 2 deleted"
	assert_equal "$(proxy_log | jq -s '[.[] | select(.op == "BatchWriteItem") | .records] | add')" 2
	aws dynamodb scan --table-name "$T" --output json |
	    jq -r '.Items[] | "\(.PK.S)\t\(.SK.S)"' | sort >"$BATS_TEST_TMPDIR/after"
	run grep -c -e '^source:999999' -e '^genre:998' "$BATS_TEST_TMPDIR/after"
	assert_output 0
	assert_equal "$(grep ':genre:' "$BATS_TEST_TMPDIR/after")" "$(grep ':genre:' "$BATS_TEST_TMPDIR/before")"
	grep -qx "$(printf 'source:x\tnot of the grammar')" "$BATS_TEST_TMPDIR/after"
	assert_equal "$(grep -c '^source:[0-9]*'$'\t' "$BATS_TEST_TMPDIR/after")" "$(gb_sources_count)"
}

@test "a source Watchmode lists without an id or a name is named, left out, and the exit is 1" {
	table
	jq '{sources: (.sources + [{"name": "No id", "regions": ["GB"]}, {"id": 77777, "regions": ["GB"]}])}' "$CAT" \
	    >"$BATS_TEST_TMPDIR/change.json"
	watchmode_change "$(cat "$BATS_TEST_TMPDIR/change.json")" >/dev/null
	run --separate-stderr uktv-refdata -t "$T" sources
	assert_failure 1
	assert_equal "$stderr" "$(printf '%s\n' "uktv-refdata: sources: item 1 has no valid id: left out" \
	    "uktv-refdata: sources: source:77777 has no usable name: left out")"
	assert_equal "$(wc -l <<<"$output")" "$(gb_sources_count)"
	assert_equal "$(items source: | wc -l)" "$(gb_sources_count)"
}

@test "--prune with one kind leaves the other kinds alone" {
	table
	aws dynamodb put-item --table-name "$T" --item '{"PK":{"S":"source:999999"},"SK":{"S":"Gone TV"}}'
	run uktv-refdata -n -t "$T" --prune genres
	assert_success
	assert_equal "$(items source: | wc -l)" 1
}

@test "--dry-run writes nothing and says what it would put and delete" {
	table
	aws dynamodb put-item --table-name "$T" --item '{"PK":{"S":"genre:998"},"SK":{"S":"Gone genre"}}'
	proxy_reset
	run --separate-stderr uktv-refdata -n -t "$T" --dry-run --prune
	assert_success
	assert_equal "$(writes)" 0
	assert_equal "$stderr" "uktv-refdata: dry run: would put $(( $(gb_sources_count) + $(jq '.genres | length' "$CAT") )) items and delete 1 item in $T (0 unchanged)"
	run --separate-stderr uktv-refdata -n -v -t "$T" --dry-run --prune genres
	assert_success
	grep -qx "uktv-refdata: would put genre:4 (Comedy)" <<<"$stderr"
	grep -qx "uktv-refdata: would delete genre:998 (Gone genre)" <<<"$stderr"
	assert_equal "$(items genre: | wc -l)" 1
}

@test "429s are waited out as Retry-After says and the run completes" {
	table
	watchmode_fault '{"rate_limit_after": 1, "retry_after": 1}'
	run uktv-refdata -n -t "$T"
	assert_success
	[ "$(watchmode_log | jq -s '[.[] | select(.status == 429)] | length')" -ge 1 ]
	assert_equal "$(watchmode_log | jq -s '[.[] | select(.status == 200)] | length')" 3
	assert_equal "$(items genre: | wc -l)" "$(jq '.genres | length' "$CAT")"
}

@test "a rate limit that never lifts fails with a clear message after a bound, exit 69, nothing written" {
	table
	watchmode_fault '{"path": "/v1/genres/", "status": 429, "count": -1, "retry_after": 0}'
	run --separate-stderr uktv-refdata -t "$T"
	assert_failure 69
	assert_equal "$stderr" "uktv-refdata: Watchmode /v1/genres/: rate limit still exceeded (HTTP 429) after 5 retries; try again later"
	assert_equal "$(watchmode_calls /v1/genres/)" 6
	assert_output ""
	assert_equal "$(writes)" 0
}

@test "5xx answers are retried and the run completes" {
	table
	watchmode_fault '{"path": "/v1/sources/", "status": 503, "count": 2}'
	watchmode_fault '{"path": "/v1/genres/", "status": 500, "count": 1}'
	run uktv-refdata -n -t "$T"
	assert_success
	assert_equal "$(watchmode_calls /v1/sources/)" 3
	assert_equal "$(watchmode_calls /v1/genres/)" 2
	assert_equal "$(items source: | wc -l)" "$(gb_sources_count)"
}

@test "a server error that persists fails with exit 69 naming the endpoint" {
	watchmode_fault '{"path": "/v1/sources/", "status": 502, "count": -1}'
	run uktv-refdata
	assert_failure 69
	assert_output "uktv-refdata: Watchmode /v1/sources/: HTTP 502: server error (Bad Gateway) (after retries)"
	assert_equal "$(watchmode_calls /v1/sources/)" 4
}

@test "a stalled answer is cut by --read-timeout and retried" {
	watchmode_fault '{"path": "/v1/genres/", "delay": 6, "count": 1}'
	run --separate-stderr uktv-refdata -n -vv --read-timeout 2
	assert_success
	# the -vv trace: the stalled call cut with nothing received (how many ms
	# that took depends on the machine's load), the retry answered
	grep -qE 'GET .*/v1/genres/ -> failed 0 \(0 bytes, [0-9]+ ms\)' <<<"$stderr"
	grep -q 'GET .*/v1/genres/ -> 200 ' <<<"$stderr"
	# the double logs the stalled request once its delay is over
	wait_until 30 calls_are /v1/genres/ 2
}

@test "UnprocessedItems are written again until done" {
	table
	proxy_script '[{"op": "BatchWriteItem", "calls": [1, 2], "fault": "unprocessed", "count": 7}]'
	run uktv-refdata -n -t "$T"
	assert_success
	assert_equal "$(items source: | wc -l)" "$(gb_sources_count)"
	assert_equal "$(items genre: | wc -l)" "$(jq '.genres | length' "$CAT")"
	proxy_log | jq -s -e '[.[] | select(.op == "BatchWriteItem" and .unprocessed)] | length == 2'
}

@test "items DynamoDB never takes are named and the exit is 1" {
	table
	proxy_script '[{"op": "BatchWriteItem", "every": true, "fault": "unprocessed", "items": [0]}]'
	run --separate-stderr uktv-refdata -n -t "$T" genres
	assert_failure 1
	# genres go in 25s: the first of each batch is held back forever
	grep -qx "uktv-refdata: not written: put genre:1 (Action)" <<<"$stderr"
	assert_equal "$(grep -c '^uktv-refdata: not written: ' <<<"$stderr")" 2
	grep -q "still unprocessed after 10 attempts" <<<"$stderr"
	assert_equal "$(items genre: | wc -l)" $(( $(jq '.genres | length' "$CAT") - 2 ))
}

@test "an invalid key fails with a clear message, exit 77, and the key shows nowhere" {
	bad=wmk-not-a-real-key-77aa
	for form in "" --key-in-query; do
		WATCHMODE_API_KEY=$bad run --separate-stderr uktv-refdata -vv $form
		assert_failure 77
		grep -q "uktv-refdata: Watchmode /v1/status/: HTTP 401: invalid API key, or an endpoint your plan does not include" <<<"$stderr"
		assert_output ""
		nogrep "$bad" "$stderr$output"
	done
	# the trace showed the query form's key masked
	grep -q 'apiKey=\*\*\*\*' <<<"$stderr"
	# the double saw both forms
	watchmode_log | jq -s -e 'map(.auth) | index("header") != null and index("query") != null'
	# a good key through the query form works, and is masked in the trace too
	run --separate-stderr uktv-refdata -vv --key-in-query -n
	assert_success
	nogrep "$WATCHMODE_API_KEY" "$stderr"
}

@test "a message Watchmode echoes the key in is masked" {
	watchmode_fault "{\"path\": \"/v1/sources/\", \"status\": 400, \"message\": \"bad request for key $WATCHMODE_API_KEY\"}"
	run --separate-stderr uktv-refdata
	assert_failure 1
	assert_equal "$stderr" "uktv-refdata: Watchmode /v1/sources/: HTTP 400: request refused (bad request for key ****)"
}

@test "the key comes from --api-key-file or --api-key-secret, never from argv" {
	printf '%s\n' "$WATCHMODE_API_KEY" >"$BATS_TEST_TMPDIR/key"
	env -u WATCHMODE_API_KEY uktv-refdata -n --api-key-file "$BATS_TEST_TMPDIR/key"
	arn=$(aws secretsmanager create-secret --name "wm-key-$BATS_TEST_NUMBER" \
	    --secret-string "$WATCHMODE_API_KEY" --query ARN --output text)
	env -u WATCHMODE_API_KEY uktv-refdata -n --api-key-secret "$arn"
	watchmode_log | jq -s -e 'all(.[]; .status == 200)'
	# the file wins over the variable
	WATCHMODE_API_KEY=wrong uktv-refdata -n --api-key-file "$BATS_TEST_TMPDIR/key"
	run env -u WATCHMODE_API_KEY uktv-refdata -n --api-key-file "$BATS_TEST_TMPDIR/missing"
	assert_failure 66
	assert_output --partial "cannot open the Watchmode API key file"
	run env -u WATCHMODE_API_KEY uktv-refdata -n --api-key-secret arn:aws:secretsmanager:eu-west-2:123456789012:secret:nope
	assert_failure 78
	run env -u WATCHMODE_API_KEY uktv-refdata -n
	assert_failure 78
	assert_output "uktv-refdata: no Watchmode API key: set WATCHMODE_API_KEY, or use --api-key-file FILE or --api-key-secret ARN"
}

@test "a run over the remaining quota is refused before any call that costs, --force goes anyway" {
	watchmode_quota 2500 2499
	run uktv-refdata
	assert_failure 69
	assert_output "uktv-refdata: Watchmode quota: this run plans 2 calls but only 1 of the month's 2500 credits remain (--force runs anyway)"
	assert_equal "$(watchmode_calls)" 1		# /v1/status/ only
	# forced: sources are served, then the quota is gone: 402 -> 69
	run uktv-refdata --force
	assert_failure 69
	assert_output --partial "uktv-refdata: Watchmode /v1/genres/: HTTP 402: the account's monthly quota is used up"
	assert_equal "$(watchmode_calls /v1/status/)" 1
	# one kind fits the one credit left
	watchmode_quota 2500 2499
	run --separate-stderr uktv-refdata -v sources
	assert_success
	grep -qx "uktv-refdata: Watchmode: 2 calls; quota: 2500 of 2500 credits used" <<<"$stderr"
}

@test "| head -1: exit 141 without a word; the listing stops, the table is still written whole" {
	table
	# 1,500 GB sources: far more than a pipe and head take
	jq -c '{sources: [range(1; 1501) as $i | .sources[0] | .id = 100000 + $i |
	    .name = "Source \($i)" | .regions = ["GB"]]}' "$CAT" >"$BATS_TEST_TMPDIR/sources.json"
	watchmode_change "@$BATS_TEST_TMPDIR/sources.json" >/dev/null
	head1 uktv-refdata -t "$T" sources
	pipe_closed_ok
	jq -e '.kind == "source" and .id == 100001' <<<"$head1_first"
	# the credits were spent: what they bought is stored, all of it
	assert_equal "$(items source: | wc -l)" 1500
}
