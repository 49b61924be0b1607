#!/usr/bin/env bats
# The Watchmode double (tests/fakes/uktv-watchmode-double) and its catalogue,
# proved with curl against the behaviour in the shared watchmode-api.md.

load helpers/common
load helpers/watchmode

CAT="$FIXTURES/watchmode/catalogue.json"

setup_file() {
	watchmode_start --free-plan-keys wmk-free-0001
}

teardown_file() {
	watchmode_stop
}

setup() {
	watchmode_reset
	H="$BATS_TEST_TMPDIR/headers"
	B="$BATS_TEST_TMPDIR/body"
}

teardown() {
	if [ "${WATCHMODE_NAME:-watchmode}" != watchmode ]; then
		watchmode_stop
	fi
}

# req [CURL ARGS...] PATH: request with the paid key in X-API-Key (unless
# NOKEY=1); sets $code, headers in $H, body in $B.
req() {
	local args=() last
	last=${*: -1}
	args=("${@:1:$#-1}")
	if [ "${NOKEY:-}" != 1 ]; then
		args+=(-H "X-API-Key: $WATCHMODE_API_KEY")
	fi
	code=$(curl -s -D "$H" -o "$B" -w '%{http_code}' "${args[@]}" "$WATCHMODE_ENDPOINT_URL$last")
}

# hdr NAME: a header of the last req.
hdr() {
	grep -i "^$1:" "$H" | tail -1 | cut -d' ' -f2- | tr -d '\r'
}

# all_ids QUERY: every title id of a list-titles query, all pages (limit 250).
all_ids() {
	local page=1 pages=1
	: >"$BATS_TEST_TMPDIR/ids"
	while [ "$page" -le "$pages" ]; do
		req "/v1/list-titles/?$1&limit=250&page=$page"
		[ "$code" = 200 ] || { echo "all_ids: HTTP $code: $(cat "$B")" >&2; return 1; }
		pages=$(jq .total_pages "$B")
		jq '.titles[].id' "$B" >>"$BATS_TEST_TMPDIR/ids"
		page=$((page + 1))
	done
	sort -n "$BATS_TEST_TMPDIR/ids"
}

# expected_ids SOURCES_JSON GENRES_JSON REGION [TYPES_JSON]: from the catalogue.
expected_ids() {
	jq -r --argjson s "$1" --argjson g "$2" --arg r "$3" --argjson ty "${4:-null}" '
	    .titles[]
	    | select(($g | length) == 0 or any(.genres[]; . as $x | $g | index($x)))
	    | select($ty == null or (.type as $t | $ty | index($t)))
	    | select(any(.sources[]; .region == $r and (($s | length) == 0 or (.source_id as $x | $s | index($x)))))
	    | .id' "$CAT" | sort -n
}

@test "catalogue: generated from the seed, up to date, titles with their own subsets" {
	run "$FIXTURES/watchmode/make-catalogue" -o "$BATS_TEST_TMPDIR/catalogue.json"
	assert_success
	run cmp "$CAT" "$BATS_TEST_TMPDIR/catalogue.json"
	assert_success

	# every seed reference source is there, nulls kept as null
	seed=$(jq -r '.Items[] | select(.data) | .PK.S | ltrimstr("source:")' \
	    "$FIXTURES/seed-data/example_data_sources.json" | sort -n | tr '\n' ' ')
	have=$(jq -r '.sources[].id' "$CAT" | sort -n | tr '\n' ' ')
	for id in $seed 203 409 349 371 376 418 157 387; do
		[[ " $have " == *" $id "* ]] || fail "source $id missing"
	done
	run jq -e '.sources[] | select(.id == 409) | .ios_appstore_url == null and .regions == ["GB"]' "$CAT"
	assert_success
	run jq -e '[.sources[] | select(.regions == ["US"])] | length >= 3' "$CAT"
	assert_success
	# genres exactly the seed's
	run bash -c "jq -c '[.Items[].data.M | {id: (.id.N|tonumber), name: .name.S}] | sort_by(.id)' '$FIXTURES/seed-data/example_data_genres.json'"
	seedg=$output
	run jq -c '[.genres[] | {id, name}]' "$CAT"
	assert_output "$seedg"
	# a few hundred titles, in many different (sources, genres) subsets
	run jq -e '(.titles | length) >= 300' "$CAT"
	assert_success
	run jq '[.titles[] | [([.sources[].source_id] | unique), .genres]] | unique | length' "$CAT"
	[ "$output" -ge 100 ]
	# the facts hold
	[ "$(watchmode_fact .big_pair.total_results)" -gt 250 ]
	[ "$(expected_ids '[203]' '[7]' GB | wc -l)" -eq "$(watchmode_fact .big_pair.total_results)" ]
	run jq -r '.titles[] | select(.id == 9190001) | .title' "$CAT"
	assert_output '<script>alert(1)</script> & Co'
}

@test "auth: X-API-Key, Authorization: Bearer and apiKey all work" {
	req /v1/genres/
	[ "$code" = 200 ]
	NOKEY=1 req -H "Authorization: Bearer $WATCHMODE_API_KEY" /v1/genres/
	[ "$code" = 200 ]
	NOKEY=1 req "/v1/genres/?apiKey=$WATCHMODE_API_KEY"
	[ "$code" = 200 ]
	run jq -e 'length > 30 and (map(select(.id == 7 and .name == "Drama")) | length == 1)' "$B"
	assert_success
	[ "$(watchmode_log | jq -r .auth | tr '\n' ' ')" = 'header bearer query ' ]
}

@test "auth: missing or wrong key is 401 with the envelope and the headers" {
	for form in none header bearer query token; do
		case $form in
		none) NOKEY=1 req /v1/list-titles/ ;;
		header) NOKEY=1 req -H 'X-API-Key: nope' /v1/list-titles/ ;;
		bearer) NOKEY=1 req -H 'Authorization: Bearer nope' /v1/list-titles/ ;;
		query) NOKEY=1 req '/v1/list-titles/?apiKey=nope' ;;
		token) NOKEY=1 req -H "Authorization: Token $WATCHMODE_API_KEY" /v1/list-titles/ ;;
		esac
		[ "$code" = 401 ] || fail "$form: HTTP $code"
		run jq -e '.success == false and .statusCode == 401 and (.statusMessage | test("valid API key"))' "$B"
		assert_success
		[ -n "$(hdr X-RateLimit-Limit)" ] && [ -n "$(hdr X-Account-Quota-Used)" ]
	done
	req /v1/status/
	run jq -c . "$B"
	assert_output '{"quota":2500,"quotaUsed":0}'
}

@test "paths: both slash forms, Invalid method, change type, unknown title, id forms" {
	req /v1/regions
	[ "$code" = 200 ]
	run jq -e '(map(.country) | index("GB")) != null and all(.[]; has("plan_enabled") and has("data_tier") and has("flag"))' "$B"
	assert_success
	req /v1/regions/
	[ "$code" = 200 ]
	req /v1/languages/
	[ "$code" = 400 ]
	run jq -e '.statusCode == 400 and (.statusMessage | contains("Invalid method"))' "$B"
	assert_success
	req /v1/changes/
	[ "$code" = 400 ]
	run jq -r .statusMessage "$B"
	assert_output 'Please set a valid change type method.'
	req /v1/title/1/details/
	[ "$code" = 404 ]
	run jq -e '.success == false and .statusCode == 404' "$B"
	assert_success
	# errors used no credit; IMDb and TMDB forms find the same title for 2
	[ "$(hdr X-Account-Quota-Used)" = 2 ]
	req /v1/title/tt12593682/details/
	[ "$code" = 200 ] && [ "$(jq .id "$B")" = 1615420 ]
	[ "$(hdr X-Account-Quota-Used)" = 4 ]
	req /v1/title/movie-718930/details
	[ "$(jq .id "$B")" = 1615420 ]
	[ "$(hdr X-Account-Quota-Used)" = 6 ]
	req /v1/title/1615420/details
	[ "$(hdr X-Account-Quota-Used)" = 7 ]
}

@test "sources: regions and types filters; each source keeps its regions" {
	req '/v1/sources/?regions=GB'
	[ "$code" = 200 ]
	run jq -r '.[].id' "$B"
	for id in 203 409 349 371 376 418; do assert_line "$id"; done
	refute_line 157
	refute_line 387
	run jq -e 'all(.[]; .regions | index("GB"))' "$B"
	assert_success
	run jq -e '.[] | select(.id == 203) | (.regions | length) > 10' "$B"
	assert_success
	req '/v1/sources/?regions=US'
	run jq -r '.[].id' "$B"
	assert_line 157
	refute_line 409
	req '/v1/sources/?regions=GB&types=free'
	run jq -e 'length > 3 and all(.[]; .type == "free") and (map(.id) | index(409))' "$B"
	assert_success
	req /v1/sources/
	[ "$(jq length "$B")" = "$(jq '.sources | length' "$CAT")" ]
}

@test "list-titles: every page of Netflix x Drama in GB, nothing lost or repeated" {
	total=$(watchmode_fact .big_pair.total_results)
	req '/v1/list-titles/?source_ids=203&genres=7&regions=GB&limit=250&page=1'
	[ "$code" = 200 ]
	run jq -c '[.page, .total_results, .total_pages, (.titles | length)]' "$B"
	assert_output "[1,$total,2,250]"
	run jq -e '.titles[0] | keys == (["id","imdb_id","title","tmdb_id","tmdb_type","type","year"])' "$B"
	assert_success
	req '/v1/list-titles/?source_ids=203&genres=7&regions=GB&limit=250&page=2'
	run jq -c '[.page, .total_results, .total_pages, (.titles | length)]' "$B"
	assert_output "[2,$total,2,$((total - 250))]"
	got=$(all_ids 'source_ids=203&genres=7&regions=GB')
	[ "$(echo "$got" | wc -l)" -eq "$total" ]
	[ "$(echo "$got" | sort -u | wc -l)" -eq "$total" ]
	[ "$got" = "$(expected_ids '[203]' '[7]' GB)" ]
	[ "$got" = "$(watchmode_fact .netflix_gb_drama_ids | jq '.[]')" ]
	# a page past the end is empty; small limits page the same set
	req '/v1/list-titles/?source_ids=203&genres=7&regions=GB&limit=250&page=3'
	run jq -c '[.page, .total_results, (.titles | length)]' "$B"
	assert_output "[3,$total,0]"
	req '/v1/list-titles/?source_ids=203&genres=7&regions=GB&limit=7&page=43'
	[ "$(jq .total_pages "$B")" = $(((total + 6) / 7)) ]
	# the recorded sample: Netflix x Sports in GB is exactly its 75 titles
	[ "$(all_ids 'source_ids=203&genres=29&regions=GB')" = "$(watchmode_fact .recorded_sample_ids | jq '.[]')" ]
}

@test "list-titles: results match each title's own offers and genres" {
	[ "$(all_ids 'source_ids=409&genres=7&regions=GB')" = "$(expected_ids '[409]' '[7]' GB)" ]
	[ "$(all_ids 'source_ids=349,371&regions=GB')" = "$(expected_ids '[349,371]' '[]' GB)" ]
	[ "$(all_ids 'source_ids=203&genres=11,15&regions=GB&types=movie')" = \
	  "$(expected_ids '[203]' '[11,15]' GB '["movie"]')" ]
	[ "$(all_ids 'regions=US&genres=7')" = "$(expected_ids '[]' '[7]' US)" ]
	[ "$(expected_ids '[409]' '[7]' GB | wc -l)" -gt 10 ]
	[ "$(expected_ids '[349,371]' '[]' GB | wc -l)" -gt 10 ]
	# source_types: a title matches when one of its GB offers is of that type
	want=$(jq -r '.titles[] | select(any(.sources[]; .region == "GB" and .type == "free")) | .id' "$CAT" | sort -n)
	[ "$(all_ids 'source_types=free&regions=GB')" = "$want" ]
}

@test "list-titles: a Netflix-only title never shows for AppleTV; regions matter" {
	apple=$(all_ids 'source_ids=349&regions=GB'; all_ids 'source_ids=371&regions=GB')
	netflix=$(all_ids 'source_ids=203&regions=GB')
	for id in $(watchmode_fact .netflix_only_ids | jq '.[]'); do
		! grep -qx "$id" <<<"$apple" || fail "Netflix-only $id listed for AppleTV"
	done
	grep -qx 9190027 <<<"$netflix"
	grep -qx 9190023 <<<"$apple"
	if grep -qx 9190023 <<<"$netflix"; then fail "the AppleTV title 9190023 listed for Netflix"; fi
	# Netflix in the US only: not in GB, in US; no region with source_ids means US
	if grep -qx 9190020 <<<"$netflix"; then fail "the US-only Netflix title 9190020 listed in GB"; fi
	grep -qx 9190020 <<<"$(all_ids 'source_ids=203&regions=US')"
	default=$(all_ids 'source_ids=203')
	grep -qx 9190020 <<<"$default"
	if grep -qx 9190027 <<<"$default"; then fail "the GB-only title 9190027 listed with no region (US)"; fi
	# one region only with source_ids
	req '/v1/list-titles/?source_ids=203&regions=GB,US'
	[ "$code" = 400 ]
	run jq -e '.success == false and .statusCode == 400' "$B"
	assert_success
	# without source filters several regions are fine, each extra costing a credit
	before=$(watchmode_get /v1/status/ | jq .quotaUsed)
	req '/v1/list-titles/?regions=GB,US,CA&limit=1'
	[ "$code" = 200 ]
	[ "$(hdr X-Account-Quota-Used)" = $((before + 3)) ]
}

@test "list-titles: dates, types, sort_by, limits" {
	req '/v1/list-titles/?regions=GB&release_date_start=20200101&release_date_end=20201231&limit=250'
	[ "$code" = 200 ]
	run jq -e '.total_results > 0' "$B"
	assert_success
	ids=$(jq '.titles[].id' "$B" | sort -n)
	want=$(jq -r '.titles[] | select(.release_date >= "2020-01-01" and .release_date <= "2020-12-31")
	    | select(any(.sources[]; .region == "GB")) | .id' "$CAT" | sort -n)
	[ "$ids" = "$want" ]
	req '/v1/list-titles/?regions=GB&types=tv_miniseries,tv_special&limit=250'
	run jq -e '.total_results > 0 and all(.titles[]; .type == "tv_miniseries" or .type == "tv_special")' "$B"
	assert_success
	req '/v1/list-titles/?source_ids=409&regions=GB&sort_by=title_asc&limit=250'
	jq -r '.titles[].title' "$B" >"$BATS_TEST_TMPDIR/t"
	python3 -c 'import sys; t=[l.rstrip("\n") for l in open(sys.argv[1])]; sys.exit(t != sorted(t, key=str.casefold))' "$BATS_TEST_TMPDIR/t"
	req '/v1/list-titles/?source_ids=409&regions=GB&sort_by=title_desc&limit=1'
	first_desc=$(jq -r '.titles[0].title' "$B")
	[ "$first_desc" = "$(tail -1 "$BATS_TEST_TMPDIR/t")" ]
	for bad in limit=0 limit=251 page=0 sort_by=best types=cartoon source_types=stream 'release_date_start=2020-01-01'; do
		req "/v1/list-titles/?regions=GB&$bad"
		[ "$code" = 400 ] || fail "$bad: HTTP $code"
	done
	req '/v1/list-titles/?source_ids=157&regions=GB'
	run jq -c . "$B"
	assert_output '{"titles":[],"page":1,"total_results":0,"total_pages":0}'
}

@test "title details and sources: append_to_response, regions, free-plan links, text kept exact" {
	req /v1/title/9190001/details/
	[ "$code" = 200 ]
	run jq -e 'has("sources") | not' "$B"
	assert_success
	run jq -r '.title, .plot_overview, (.genres | tostring), (.genre_names | join(","))' "$B"
	assert_line --index 0 '<script>alert(1)</script> & Co'
	assert_line --index 1 '<b>Bold</b> & "quoted" '"'"'single'"'"' <img src=x onerror=alert(2)>'
	assert_line --index 2 '[4,7]'
	assert_line --index 3 'Comedy,Drama'
	used=$(hdr X-Account-Quota-Used)
	req '/v1/title/9100001/details/?append_to_response=sources&regions=GB'
	[ "$(hdr X-Account-Quota-Used)" = $((used + 2)) ]
	want=$(jq -c '.titles[] | select(.id == 9100001) | [.sources[] | select(.region == "GB")]' "$CAT")
	[ "$(jq -c .sources "$B")" = "$want" ]
	run jq -e '.sources | length > 0 and all(.[]; .ios_url != "Deeplinks available for paid plans only.")' "$B"
	assert_success
	req '/v1/title/9100001/sources/?regions=US'
	want=$(jq -c '.titles[] | select(.id == 9100001) | [.sources[] | select(.region == "US")]' "$CAT")
	[ "$(jq -c . "$B")" = "$want" ]
	# free plan: deep links replaced by the placeholder
	NOKEY=1 req -H 'X-API-Key: wmk-free-0001' '/v1/title/9190001/sources/'
	[ "$code" = 200 ]
	n=$(jq '.titles[] | select(.id == 9190001) | .sources | length' "$CAT")
	run jq -e --argjson n "$n" 'length == $n and all(.[]; .ios_url == "Deeplinks available for paid plans only." and .android_url == .ios_url)' "$B"
	assert_success
	# non-ASCII titles come back as the same UTF-8 text
	for id in 9190003 9190004; do
		req "/v1/title/$id/details"
		[ "$(jq -r .title "$B")" = "$(jq -r --argjson id $id '.titles[] | select(.id == $id) | .title' "$CAT")" ]
	done
	req /v1/title/9190003/details
	grep -q '"title": "東京物語 (Tokyo Story)"' "$B"    # raw UTF-8, as sent
	# no poster, no plot: null
	req /v1/title/9190010/details
	run jq -c '[.poster, .plot_overview]' "$B"
	assert_output '[null,null]'
	req /v1/title/999999999/sources/
	[ "$code" = 404 ]
}

@test "429 after N calls, with X-RateLimit-Remaining 0 and Retry-After" {
	WATCHMODE_NAME=wm-rate
	watchmode_start --rate-limit 3 --retry-after 1
	for want in 2 1 0; do
		req /v1/genres/
		[ "$code" = 200 ]
		[ "$(hdr X-RateLimit-Limit)" = 3 ]
		[ "$(hdr X-RateLimit-Remaining)" = "$want" ]
	done
	req /v1/genres/
	[ "$code" = 429 ]
	[ "$(hdr X-RateLimit-Remaining)" = 0 ]
	[ "$(hdr Retry-After)" = 1 ]
	run jq -c . "$B"
	assert_output '{"success":false,"statusCode":429,"statusMessage":"The rate limit was exceeded."}'
	# honest Retry-After: served again once it has passed
	wait_until 5 bash -c '[ "$(curl -s -o /dev/null -w "%{http_code}" -H "X-API-Key: $WATCHMODE_API_KEY" "$WATCHMODE_ENDPOINT_URL/v1/genres/")" = 200 ]'
	[ "$(watchmode_log | jq -r 'select(.status == 429) | .credits' | sort -u)" = 0 ]
}

@test "429 with Retry-After 0: one 429, then a new window" {
	WATCHMODE_NAME=wm-rate0
	watchmode_start --rate-limit 2 --retry-after 0
	codes=""
	for i in 1 2 3 4 5 6; do req /v1/genres/; codes="$codes $code"; done
	[ "$codes" = " 200 200 429 200 200 429" ]
	[ "$(hdr Retry-After)" = 0 ]
}

@test "the rate_limit_after fault: N more calls, then 429 until Retry-After passes" {
	watchmode_fault '{"rate_limit_after":2,"retry_after":0}'
	codes=""
	for i in 1 2 3 4; do req /v1/regions/; codes="$codes $code:$(hdr X-RateLimit-Remaining)"; done
	[ "$codes" = " 200:1 200:0 429:0 200:117" ]
	[ "$(watchmode_calls /v1/regions)" = 4 ]
}

@test "quota: headers count down to 402; status is free and still answers" {
	WATCHMODE_NAME=wm-quota
	watchmode_start --quota 5 --quota-used 2
	req /v1/status/
	run jq -c . "$B"
	assert_output '{"quota":5,"quotaUsed":2}'
	[ "$(hdr X-Account-Quota)" = 5 ] && [ "$(hdr X-Account-Quota-Used)" = 2 ]
	for want in 3 4 5; do
		req /v1/genres/
		[ "$code" = 200 ] && [ "$(hdr X-Account-Quota-Used)" = "$want" ]
	done
	req /v1/list-titles/
	[ "$code" = 402 ]
	run jq -e '.success == false and .statusCode == 402' "$B"
	assert_success
	[ "$(hdr X-Account-Quota-Used)" = 5 ]
	req /v1/status/
	[ "$code" = 200 ] && [ "$(jq .quotaUsed "$B")" = 5 ]
	watchmode_quota 10
	req /v1/genres/
	[ "$code" = 200 ] && [ "$(hdr X-Account-Quota-Used)" = 6 ] && [ "$(hdr X-Account-Quota)" = 10 ]
}

# stalled_call_done: the double has logged the answer of the call it stalled.
stalled_call_done() {
	watchmode_log | jq -e -s 'any(.[]; .fault.delay == 3 and .status == 200)' >/dev/null
}

@test "faults: 5xx for the next N matching calls, raw bodies, stalls and drops" {
	watchmode_fault '{"path":"/v1/list-titles/","status":500,"count":2}'
	req /v1/genres/
	[ "$code" = 200 ]
	codes=""
	for i in 1 2 3; do req /v1/list-titles?regions=GB; codes="$codes $code"; done
	[ "$codes" = " 500 500 200" ]
	req /v1/status/
	[ "$(jq .quotaUsed "$B")" = 2 ]
	watchmode_fault '{"status":503,"retry_after":0,"body":"<html><body>503 Service Unavailable</body></html>"}'
	req /v1/genres/
	[ "$code" = 503 ] && [ "$(hdr Retry-After)" = 0 ]
	grep -q '<html>' "$B"
	# stall: a client with a 1 s timeout gives up; the next call is prompt
	watchmode_fault '{"path":"/v1/title/","delay":3,"count":1}'
	run curl -s --max-time 1 -H "X-API-Key: $WATCHMODE_API_KEY" "$WATCHMODE_ENDPOINT_URL/v1/title/9190001/details/"
	[ "$status" = 28 ]
	run curl -s --max-time 2 -o /dev/null -w '%{http_code}' -H "X-API-Key: $WATCHMODE_API_KEY" "$WATCHMODE_ENDPOINT_URL/v1/title/9190001/details/"
	assert_output 200
	# The stalled call is still served after its client left (and charges
	# its credit then): let it finish before the next test reads the quota.
	wait_until 30 stalled_call_done
	# a delay then an answer, and a dropped connection
	watchmode_fault '{"delay":0.3,"status":502}'
	req /v1/genres/
	[ "$code" = 502 ]
	watchmode_fault '{"drop":true}'
	run curl -s -H "X-API-Key: $WATCHMODE_API_KEY" "$WATCHMODE_ENDPOINT_URL/v1/genres/"
	[ "$status" = 52 ]
	req /v1/genres/
	[ "$code" = 200 ]
}

@test "changes: new titles and source changes after a catalogue change; paging; windows" {
	req /v1/changes/new_titles/
	run jq -c . "$B"
	assert_output '{"titles":[],"page":1,"total_results":0,"total_pages":0}'
	new='{"id":9300001,"title":"Brand New Drama","type":"tv_series","year":2025,"genres":[7],
	      "sources":[{"source_id":203,"name":"Netflix","type":"sub","region":"GB","ios_url":null,
	      "android_url":null,"web_url":"https://www.netflix.com/title/1","format":"HD","price":null,
	      "seasons":1,"episodes":8}]}'
	moved='{"id":9100002,"sources":[{"source_id":409,"name":"BBC iPlayer","type":"free","region":"GB",
	      "ios_url":null,"android_url":null,"web_url":"https://www.bbc.co.uk/iplayer/episode/m1",
	      "format":"HD","price":null,"seasons":null,"episodes":null}]}'
	run watchmode_change "{\"upsert\":[$new,$moved],\"remove\":[9190027]}"
	assert_success
	run jq -c '.changes.new_titles' <<<"$output"
	assert_output '[9300001]'

	req /v1/changes/new_titles/
	run jq -c . "$B"
	assert_output '{"titles":[9300001],"page":1,"total_results":1,"total_pages":1}'
	req '/v1/changes/titles_sources_changed/?regions=GB'
	run jq -c '[(.titles | sort), .total_results]' "$B"
	assert_output '[[9100002,9190027,9300001],3]'
	# default region is US: GB-only changes are not there
	req /v1/changes/titles_sources_changed/
	run jq -e '(.titles | index(9190027) | not) and (.titles | index(9300001) | not)' "$B"
	assert_success
	req '/v1/changes/titles_sources_changed/?regions=GB,US'
	[ "$code" = 400 ]
	# paging, types, windows
	req '/v1/changes/titles_sources_changed/?regions=GB&limit=1&page=2'
	run jq -c '[(.titles | length), .page, .total_results, .total_pages]' "$B"
	assert_output '[1,2,3,3]'
	req '/v1/changes/titles_sources_changed/?regions=GB&types=tv_series'
	run jq -c '.titles | sort' "$B"
	assert_output "$(jq -c '[.titles[] | select(.id == 9100002 and .type == "tv_series") | .id] + [9300001]' "$CAT")"
	tomorrow=$(date -u -d tomorrow +%Y%m%d)
	req "/v1/changes/new_titles/?start_date=$tomorrow"
	[ "$(jq .total_results "$B")" = 0 ]
	watchmode_change '{"upsert":[{"id":9300002,"title":"Old News","type":"movie"}],"at":"20200101120000"}' >/dev/null
	req /v1/changes/new_titles/
	[ "$(jq -c .titles "$B")" = '[9300001]' ]
	req '/v1/changes/new_titles/?start_date=20200101&end_date=20200101'
	[ "$(jq -c .titles "$B")" = '[9300002]' ]
	req '/v1/changes/new_titles/?start_date=20200101120001&end_date=20200102'
	[ "$(jq -c .titles "$B")" = '[]' ]
	# the catalogue itself changed
	total=$(watchmode_fact .big_pair.total_results)
	req '/v1/list-titles/?source_ids=203&genres=7&regions=GB&limit=250&page=2'
	[ "$(jq .total_results "$B")" = "$total" ]   # +9300001 -9100002
	ids=$(all_ids 'source_ids=203&genres=7&regions=GB')
	grep -qx 9300001 <<<"$ids"
	if grep -qx 9100002 <<<"$ids"; then fail "the deleted title 9100002 still listed"; fi
	req /v1/title/9190027/details/
	[ "$code" = 404 ]
	# reset puts the catalogue back
	watchmode_reset
	req /v1/title/9190027/details/
	[ "$code" = 200 ]
	req /v1/changes/new_titles/
	[ "$(jq .total_results "$B")" = 0 ]
}

@test "changes: 401 for a free-plan key, no credit used; other free calls work" {
	NOKEY=1 req -H 'X-API-Key: wmk-free-0001' /v1/genres/
	[ "$code" = 200 ]
	used=$(hdr X-Account-Quota-Used)
	for p in new_titles titles_sources_changed; do
		NOKEY=1 req -H 'X-API-Key: wmk-free-0001' "/v1/changes/$p/?regions=GB"
		[ "$code" = 401 ]
		run jq -e '.success == false and .statusCode == 401' "$B"
		assert_success
		[ "$(hdr X-Account-Quota-Used)" = "$used" ]
	done
	req /v1/changes/new_titles/
	[ "$code" = 200 ]
}

@test "log: one line per API call, key redacted everywhere, reset clears it" {
	secret=$WATCHMODE_API_KEY
	req '/v1/list-titles/?regions=GB&limit=1'
	NOKEY=1 req -H "Authorization: Bearer $secret" /v1/genres
	NOKEY=1 req "/v1/sources/?regions=GB&apiKey=$secret"
	NOKEY=1 req "/v1/sources/?apiKey=wrong-key-123"
	NOKEY=1 req /v1/status/
	curl -sf "$WATCHMODE_ENDPOINT_URL/__double/state" >/dev/null
	run watchmode_log
	assert_success
	[ "${#lines[@]}" -eq 5 ]
	refute_output --partial "$secret"
	refute_output --partial "wrong-key-123"
	run grep -c -F "$secret" "$WATCHMODE_DOUBLE_LOG"
	assert_output 0
	run jq -r '[.path, .auth, .status, .query] | join(" ")' <<<"$(watchmode_log)"
	assert_line --index 0 '/v1/list-titles/ header 200 regions=GB&limit=1'
	assert_line --index 1 '/v1/genres bearer 200 '
	assert_line --index 2 '/v1/sources/ query 200 regions=GB&apiKey=REDACTED'
	assert_line --index 3 '/v1/sources/ query 401 apiKey=REDACTED'
	assert_line --index 4 '/v1/status/ none 401 '
	[ "$(watchmode_calls)" = 5 ]
	[ "$(watchmode_calls /v1/sources)" = 2 ]
	[ "$(wc -l <"$WATCHMODE_DOUBLE_LOG")" -ge 5 ]
	watchmode_reset
	[ "$(watchmode_calls)" = 0 ]
}

@test "HTTP/1.1 keep-alive: one connection serves several calls" {
	run curl -sv -H "X-API-Key: $WATCHMODE_API_KEY" -o /dev/null -o /dev/null -o /dev/null \
	    "$WATCHMODE_ENDPOINT_URL/v1/genres/" "$WATCHMODE_ENDPOINT_URL/v1/regions/" \
	    "$WATCHMODE_ENDPOINT_URL/v1/list-titles/?source_ids=203&regions=GB&genres=7"
	assert_success
	[ "$(grep -c 'Connected to' <<<"$output")" = 1 ]
	[ "$(grep -c '< HTTP/1.1 200' <<<"$output")" = 3 ]
	[ "$(watchmode_calls)" = 3 ]
}
