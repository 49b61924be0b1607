#!/usr/bin/env bats
# uktv-titles against the Watchmode double, preferences from NDJSON: the
# query plan (one list-titles query per distinct pair, every page), each
# title's own source and genre ids, the state (nothing twice, changes once,
# removals once and only after a complete run), --max-calls, 429s, the
# quota, --changes, --refresh-after, and the usual interface checks.

load helpers/common
load helpers/watchmode

bats_require_minimum_version 1.5.0

FREE_KEY=wmk-free-plan-5e0c2a
T0=2025-07-04

setup_file() {
	# A high rate limit: call counts are the plan's, never 429 retries.
	watchmode_start --rate-limit 100000 --free-plan-keys "$FREE_KEY"
}

teardown_file() {
	watchmode_stop
}

setup() {
	watchmode_reset
	P="$BATS_TEST_TMPDIR/prefs.ndjson"
	S="$BATS_TEST_TMPDIR/titles.state"
	OUT="$BATS_TEST_TMPDIR/out.ndjson"
	# alice and carol share 203:4; dave follows sources only (no pair).
	prefs '{"user":"alice","sources":["203","349"],"genres":["4"]}' \
	    '{"user":"bob","sources":["349"],"genres":[7]}' \
	    '{"user":"carol","sources":["203"],"genres":["4"],"favourites":["1"]}' \
	    '{"user":"dave","sources":["409"],"genres":[]}'
	PAIRS="203:4 349:4 349:7"
}

# prefs LINE...: the preferences file, in `uktv-prefs list` form.
prefs() {
	printf '%s\n' "$@" >"$P"
}

# titles ARGS...: uktv-titles on the preferences file.
titles() {
	uktv-titles --prefs-from "$P" "$@"
}

# catalogue: the double's catalogue as it is now.
catalogue() {
	curl -sf "$WATCHMODE_ENDPOINT_URL/__double/catalogue"
}

# expected PAIRS: from the double's catalogue, {id, source_ids, genre_ids}
# of each title in one of PAIRS ("203:4 349:7"; GB offers), by id: the
# memberships uktv-titles must give, each title its own.
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

# members FILE: the same shape from uktv-titles' output, upserts only, in
# the order printed.
members() {
	jq -c 'select(.header.eventType != "remove") |
	    {id: .payload.id, source_ids: .payload.source_ids,
	     genre_ids: .payload.genre_ids}' "$1"
}

# ids_in S G: ids of the titles of the pair in the double's catalogue,
# sorted as comm(1) wants them.
ids_in() {
	catalogue | jq -r --argjson s "$1" --argjson g "$2" '.titles[] |
	    select((.sources | any(.source_id == $s and .region == "GB")) and
	      (.genres | index($g)) != null) | .id' | sort
}

# none FILTER FILE: no line of FILE passes the jq FILTER (jq -e judges only
# the last line, so it cannot say this).
none() {
	local n
	n=$(jq -c "select($1)" "$2" | wc -l)
	[ "$n" = 0 ] || fail "$n lines of $2 pass $1"
}

# some FILTER FILE: at least one line of FILE passes the jq FILTER.
some() {
	[ "$(jq -c "select($1)" "$2" | wc -l)" -gt 0 ] || fail "no line of $2 passes $1"
}

# nogrep PATTERN FILE: fails the test when FILE holds PATTERN (a bare
# "! grep" never fails a bats test).
nogrep() {
	if grep -qE -- "$1" "$2"; then
		fail "found '$1' in $2"
	fi
}

calls() {
	watchmode_calls "$1"
}

lines() {
	if [ -s "$1" ]; then wc -l <"$1" | tr -d ' '; else echo 0; fi
}

@test "--help exits 0 and every long option is in both completion files" {
	run uktv-titles --help
	assert_success
	assert_output --partial "usage: uktv-titles"
	opts=$(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 20 ]
	for o in $opts; do
		grep -q -- "$o" "$UKTV_ROOT/completions/bash/uktv-titles" || fail "bash completion lacks $o"
		grep -q -- "$o" "$UKTV_ROOT/completions/zsh/_uktv-titles" || fail "zsh completion lacks $o"
	done
}

@test "--version prints the name and version" {
	run uktv-titles --version
	assert_success
	assert_output "uktv-titles 0.1.0"
}

@test "usage errors say what is wrong, print the usage and exit 2" {
	run --separate-stderr uktv-titles --no-such-option
	[ "$status" -eq 2 ]
	[[ $stderr == *"usage: uktv-titles"* ]]
	run --separate-stderr titles -t UKTVProgrammes
	[ "$status" -eq 2 ]
	[ "$(head -1 <<<"$stderr")" = "uktv-titles: -t and --prefs-from cannot be used together" ]
	run --separate-stderr titles --since 2025-02-30
	[ "$status" -eq 2 ]
	[[ $stderr == *"--since takes a day as YYYY-MM-DD, not '2025-02-30'"* ]]
	run --separate-stderr titles --types movie,series
	[ "$status" -eq 2 ]
	[[ $stderr == *"unknown title type 'series'"* ]]
	run --separate-stderr titles --changes
	[ "$status" -eq 2 ]
	[[ $stderr == *"--changes needs --state FILE"* ]]
	run --separate-stderr titles --max-calls 0
	[ "$status" -eq 2 ]
	run --separate-stderr titles --country GBR
	[ "$status" -eq 2 ]
	run --separate-stderr titles extra
	[ "$status" -eq 2 ]
	[[ $stderr == *"unexpected argument 'extra'"* ]]
	[ "$(calls /v1/)" = 0 ]
}

@test "each title carries exactly the followed pairs whose answers contained it" {
	run titles
	assert_success
	printf '%s\n' "$output" >"$OUT"
	diff <(members "$OUT") <(expected "$PAIRS")
	# Titles only on Netflix are never stamped with AppleTV, and the
	# reverse: the original stamped everyone's union onto every title.
	only=$(watchmode_fact .netflix_only_ids)
	[ "$(jq length <<<"$only")" -gt 100 ]
	[ "$(jq -c --argjson o "$only" 'select(.payload.id as $i | $o | index($i)) |
	    .payload.source_ids' "$OUT" | sort -u)" = '["203"]' ]
	[ "$(jq -c 'select(.payload.source_ids == ["349"] and .payload.genre_ids == ["7"])' "$OUT" | wc -l)" -gt 0 ]
}

@test "one list-titles query per distinct pair, every page at 250, for the country" {
	# 203:7 holds 299 titles in GB: two pages.
	prefs '{"user":"alice","sources":["203","349"],"genres":["4","7"]}' \
	    '{"user":"bob","sources":["203"],"genres":["7"]}'
	run titles --country gb
	assert_success
	pages=$(watchmode_fact .big_pair.total_pages_at_250)
	[ "$pages" = 2 ]
	# 203:4 349:4 349:7 one page each, 203:7 two: bob costs nothing more.
	[ "$(calls /v1/list-titles/)" = $((3 + pages)) ]
	watchmode_log | jq -r 'select(.path == "/v1/list-titles/") | .query' >"$BATS_TEST_TMPDIR/q"
	[ "$(grep -c 'regions=GB' "$BATS_TEST_TMPDIR/q")" = 5 ]
	[ "$(grep -c 'limit=250' "$BATS_TEST_TMPDIR/q")" = 5 ]
	[ "$(grep -c 'source_ids=203&genres=7&page=2' "$BATS_TEST_TMPDIR/q")" = 1 ]
	# No query ever names two sources or two genres.
	nogrep 'source_ids=[0-9]+,|genres=[0-9]+,' "$BATS_TEST_TMPDIR/q"
	printf '%s\n' "$output" >"$OUT"
	diff <(members "$OUT") <(expected "203:4 203:7 349:4 349:7")
}

@test "events are the original format, in title-id order, caused by the first follower" {
	run titles
	assert_success
	printf '%s\n' "$output" >"$OUT"
	diff <(jq '.payload.id' "$OUT") <(jq '.payload.id' "$OUT" | sort -n)
	none '.header.publishingComponent != "uktv-titles" or
	    (.header.publishTimestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z$") | not) or
	    (.header | has("eventType")) or (.payload.id | type) != "number" or
	    (.payload.title | type) != "string" or
	    ([.payload.source_ids[], .payload.genre_ids[]] | map(type) | unique) != ["string"] or
	    ([.payload[] | select(. == null)] | length) > 0 or
	    (.payload | keys - ["id","title","year","imdb_id","tmdb_id","tmdb_type","type","source_ids","genre_ids"]) != []' "$OUT"
	# 349:7 is followed by bob alone; 203:4 by alice and carol: alice.
	id=$(comm -23 <(ids_in 349 7) <(ids_in 203 4 | cat - <(ids_in 349 4) | sort -u) | head -1)
	[ -n "$id" ]
	[ "$(jq -r --argjson i "$id" 'select(.payload.id == $i) | .header.publishCause' "$OUT")" = "userpref:bob" ]
	id=$(ids_in 203 4 | head -1)
	[ "$(jq -r --argjson i "$id" 'select(.payload.id == $i) | .header.publishCause' "$OUT")" = "userpref:alice" ]
}

@test "a user with sources but no genres follows no pair and costs no call" {
	prefs '{"user":"dave","sources":["409"],"genres":[]}' \
	    '{"user":"erin","sources":[],"genres":["7"]}'
	run --separate-stderr titles
	assert_success
	[ -z "$output" ]
	[[ $stderr == *"no user follows both a source and a genre"* ]]
	[ "$(calls /v1/list-titles/)" = 0 ]
}

@test "--types and --since are passed to every list-titles query" {
	run titles --types tv_series,movie --since 2020-01-01
	assert_success
	watchmode_log | jq -r 'select(.path == "/v1/list-titles/") | .query' >"$BATS_TEST_TMPDIR/q"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/q")" = 3 ]
	[ "$(grep -c 'types=movie,tv_series&' "$BATS_TEST_TMPDIR/q")" = 3 ]
	[ "$(grep -c '&release_date_start=20200101&' "$BATS_TEST_TMPDIR/q")" = 3 ]
	printf '%s\n' "$output" >"$OUT"
	[ "$(lines "$OUT")" -gt 0 ]
	[ "$(jq -r '.payload.type' "$OUT" | sort -u | tr '\n' ' ')" = "movie tv_series " ]
	none '.payload.year < 2019' "$OUT"
}

@test "with --state a second run sends nothing and costs the same calls" {
	run titles --state "$S"
	assert_success
	n=$(calls /v1/list-titles/)
	[ "$(printf '%s\n' "$output" | wc -l)" = "$(expected "$PAIRS" | wc -l)" ]
	head -1 "$S" | jq -e '.uktv_titles_state == 1 and (.last_complete | type) == "string"'
	run titles --state "$S"
	assert_success
	[ -z "$output" ]
	[ "$(calls /v1/list-titles/)" = $((2 * n)) ]
}

@test "a title changed upstream is sent again, once" {
	titles --state "$S" >/dev/null
	id=$(ids_in 349 7 | head -1)
	watchmode_change "{\"upsert\":[{\"id\":$id,\"title\":\"Renamed Upstream\"}]}" >/dev/null
	run titles --state "$S"
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
	[ "$(jq -r '.payload.id, .payload.title' <<<"$output" | tr '\n' '|')" = "$id|Renamed Upstream|" ]
	run titles --state "$S"
	assert_success
	[ -z "$output" ]
}

@test "a title that leaves one pair is sent again with the pairs it is still in" {
	titles --state "$S" >/dev/null
	# A title in both 203:4 and 349:4 leaves AppleTV.
	id=$(comm -12 <(ids_in 349 4) <(ids_in 203 4) | head -1)
	[ -n "$id" ]
	grep -q "\"title\":\"$id\".*\"pairs\":\[\"203:4\",\"349:4\"\]" "$S"
	offers=$(catalogue | jq -c --argjson i "$id" '.titles[] | select(.id == $i) | .sources | map(select(.source_id != 349))')
	watchmode_change "{\"upsert\":[{\"id\":$id,\"sources\":$offers}]}" >/dev/null
	run titles --state "$S"
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
	[ "$(jq -c '[.header.eventType, .payload.id, .payload.source_ids, .payload.genre_ids]' <<<"$output")" = "[null,$id,[\"203\"],[\"4\"]]" ]
}

@test "a title gone upstream is sent once as a remove event" {
	titles --state "$S" >/dev/null
	id=$(ids_in 349 7 | tail -1)
	watchmode_change "{\"remove\":[$id]}" >/dev/null
	run titles --state "$S"
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
	[ "$(jq -c '[.header.eventType, .payload]' <<<"$output")" = "[\"remove\",{\"id\":$id}]" ]
	jq -e '.header.publishingComponent == "uktv-titles"' <<<"$output"
	nogrep "\"title\":\"$id\"" "$S"
	run titles --state "$S"
	assert_success
	[ -z "$output" ]
}

@test "a title whose pair nobody follows any more leaves with a remove event" {
	titles --state "$S" >/dev/null
	only7=$(comm -23 <(ids_in 349 7) <(ids_in 203 4 | cat - <(ids_in 349 4) | sort -u) | wc -l)
	[ "$only7" -gt 0 ]
	prefs '{"user":"alice","sources":["203","349"],"genres":["4"]}'
	run titles --state "$S"
	assert_success
	printf '%s\n' "$output" >"$OUT"
	[ "$(jq -c 'select(.header.eventType == "remove")' "$OUT" | wc -l)" = "$only7" ]
	# Nothing else: no title of the pairs still followed was in 349:7.
	[ "$(lines "$OUT")" = "$only7" ]
	nogrep '"pair":"349:7"' "$S"
}

@test "a run cut short by 429s sends no remove event and keeps what it did not see" {
	titles --state "$S" >/dev/null
	cp "$S" "$BATS_TEST_TMPDIR/before"
	gone=$(ids_in 349 7 | tail -1)
	watchmode_change "{\"remove\":[$gone]}" >/dev/null
	# Two pairs served, then 429s with a Retry-After no one waits for.
	# (The free quota check is the first of the three calls let through.)
	watchmode_fault '{"rate_limit_after":3,"retry_after":600}'
	run --separate-stderr titles --state "$S"
	[ "$status" -eq 69 ]
	[[ $stderr == *"429"* ]]
	[[ $stderr == *"no title was removed"* ]]
	[ -z "$output" ]
	grep -q "\"title\":\"$gone\"" "$S"
	# The unfinished pair's entry is as it was.
	diff <(grep '"pair":"349:7"' "$BATS_TEST_TMPDIR/before" | jq -c 'del(.listed)') \
	    <(grep '"pair":"349:7"' "$S" | jq -c 'del(.listed)')
	[ "$(jq -r '.last_complete' <(head -1 "$S"))" = "$(jq -r '.last_complete' <(head -1 "$BATS_TEST_TMPDIR/before"))" ]
	watchmode_fault '{"clear":true}'
	run titles --state "$S"
	assert_success
	[ "$(jq -c '[.header.eventType, .payload.id]' <<<"$output")" = "[\"remove\",$gone]" ]
}

@test "--max-calls stops before the next call would exceed it, removes nothing, exits 1" {
	prefs '{"user":"alice","sources":["203","349"],"genres":["7"]}'
	titles --state "$S" >/dev/null
	[ "$(calls /v1/list-titles/)" = 3 ]
	gone=$(ids_in 349 7 | head -1)
	watchmode_change "{\"remove\":[$gone]}" >/dev/null
	new=$(catalogue | jq '[.titles[].id] | max + 1')
	watchmode_change "{\"upsert\":[{\"id\":$new,\"title\":\"Brand New\",\"type\":\"movie\",\"year\":2025,\"genres\":[7],\"sources\":[{\"source_id\":203,\"name\":\"Netflix\",\"type\":\"sub\",\"region\":\"GB\"}]}]}" >/dev/null
	before=$(calls /v1/list-titles/)
	# 203:7 takes two pages: with two calls 349:7 is never reached.
	run --separate-stderr titles --state "$S" --max-calls 2
	[ "$status" -eq 1 ]
	[[ $stderr == *"stopped at --max-calls 2"* ]]
	[ "$(calls /v1/list-titles/)" = $((before + 2)) ]
	[ "$(jq -c '[.header.eventType, .payload.id]' <<<"$output")" = "[null,$new]" ]
	grep -q "\"title\":\"$gone\"" "$S"
	# One call: 203:7 is cut after its first page; still no removal.
	run --separate-stderr titles --state "$S" --max-calls 1
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run titles --state "$S"
	assert_success
	[ "$(jq -c '[.header.eventType, .payload.id]' <<<"$output")" = "[\"remove\",$gone]" ]
}

@test "a new pair cut short by --max-calls is listed whole next time" {
	prefs '{"user":"alice","sources":["203"],"genres":["7"]}'
	run --separate-stderr titles --state "$S" --max-calls 1
	[ "$status" -eq 1 ]
	[ "$(printf '%s\n' "$output" | wc -l)" = 250 ]
	grep '"pair":"203:7"' "$S" | jq -e '.complete == false'
	run titles --state "$S"
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" = 49 ]
	grep '"pair":"203:7"' "$S" | jq -e '.complete == true and .pages == 2'
}

@test "the quota check refuses a run over the remaining credits; --force runs into the 402" {
	watchmode_quota 100 99
	run --separate-stderr titles
	[ "$status" -eq 69 ]
	[[ $stderr == *"plans 3 calls but only 1"* ]]
	[ "$(calls /v1/list-titles/)" = 0 ]
	run --separate-stderr titles --force --state "$S"
	[ "$status" -eq 69 ]
	[[ $stderr == *"402"* ]]
	# What the first call brought is sent; nothing is removed.
	diff <(members <(printf '%s\n' "$output")) <(expected 203:4)
}

@test "--refresh-after sends titles again once they are that many days old" {
	titles --state "$S" --refresh-after 2 >/dev/null
	n=$(expected "$PAIRS" | wc -l)
	run faketime -f '+1d' uktv-titles --prefs-from "$P" --state "$S" --refresh-after 2
	assert_success
	[ -z "$output" ]
	run faketime -f '+2d' uktv-titles --prefs-from "$P" --state "$S" --refresh-after 2
	assert_success
	[ "$(printf '%s\n' "$output" | wc -l)" = "$n" ]
	run faketime -f '+3d' uktv-titles --prefs-from "$P" --state "$S" --refresh-after 2
	assert_success
	[ -z "$output" ]
}

@test "--changes makes no list-titles call when Watchmode reports no change" {
	titles --state "$S" >/dev/null
	[ "$(calls /v1/list-titles/)" = 3 ]
	run --separate-stderr titles --state "$S" --changes -v
	assert_success
	[ -z "$output" ]
	[ "$(calls /v1/list-titles/)" = 3 ]
	[ "$(calls /v1/changes/new_titles/)" = 1 ]
	[ "$(calls /v1/changes/titles_sources_changed/)" = 1 ]
	watchmode_log | jq -r 'select(.path == "/v1/changes/titles_sources_changed/") | .query' | grep -q 'regions=GB'
	[[ $stderr == *"nothing changed since"* ]]
	# A pair followed since is listed; the others still are not, and
	# what they hold is carried over into the titles' ids.
	prefs '{"user":"alice","sources":["203","349"],"genres":["4"]}' \
	    '{"user":"bob","sources":["349"],"genres":[7,6]}'
	run titles --state "$S" --changes
	assert_success
	[ "$(calls /v1/list-titles/)" = 4 ]
	[ -n "$output" ]
	diff <(members <(printf '%s\n' "$output")) \
	    <(expected "$PAIRS 349:6" | jq -c --argjson ids "$(ids_in 349 6 | jq -s .)" \
	        'select(.id as $i | $ids | index($i))')
	some '.payload.genre_ids | length > 1' <(printf '%s\n' "$output")
}

@test "--changes lists every pair when a title was added, and sends it once" {
	titles --state "$S" >/dev/null
	new=$(catalogue | jq '[.titles[].id] | max + 1')
	watchmode_change "{\"upsert\":[{\"id\":$new,\"title\":\"New On AppleTV\",\"type\":\"tv_series\",\"genres\":[7],\"sources\":[{\"source_id\":349,\"name\":\"AppleTV\",\"type\":\"buy\",\"region\":\"GB\"}]}]}" >/dev/null
	run titles --state "$S" --changes
	assert_success
	[ "$(calls /v1/list-titles/)" = 6 ]
	[ "$(jq -c '[.payload.id, .payload.source_ids, .payload.genre_ids, .header.publishCause]' <<<"$output")" = "[$new,[\"349\"],[\"7\"],\"userpref:bob\"]" ]
}

@test "--changes on a free plan says so and does the full listing" {
	WATCHMODE_API_KEY=$FREE_KEY titles --state "$S" >/dev/null
	run --separate-stderr env WATCHMODE_API_KEY=$FREE_KEY uktv-titles --prefs-from "$P" --state "$S" --changes
	assert_success
	[[ $stderr == *"paid plan"* ]]
	[ -z "$output" ]
	[ "$(calls /v1/list-titles/)" = 6 ]
}

@test "a bad preference line is named, removes nothing and exits 1" {
	titles --state "$S" >/dev/null
	prefs '{"user":"alice","sources":["203","349"],"genres":["4"]}' \
	    '{"user":"bad user","sources":["349"],"genres":[7]}'
	run --separate-stderr titles --state "$S"
	[ "$status" -eq 1 ]
	[[ $stderr == *"uktv-titles: line 2: "* ]]
	[[ $stderr == *"no title was removed"* ]]
	[ -z "$output" ]
}

@test "preferences come from the standard input with --prefs-from -" {
	run bash -c 'uktv-titles --prefs-from - <"$1"' _ "$P"
	assert_success
	diff <(members <(printf '%s\n' "$output")) <(expected "$PAIRS")
}

@test "a missing preferences file exits 66, a missing key 78, a refused key 77" {
	run --separate-stderr uktv-titles --prefs-from "$BATS_TEST_TMPDIR/none.ndjson"
	[ "$status" -eq 66 ]
	run --separate-stderr env -u WATCHMODE_API_KEY uktv-titles --prefs-from "$P"
	[ "$status" -eq 78 ]
	[[ $stderr == *"no Watchmode API key"* ]]
	run --separate-stderr env WATCHMODE_API_KEY=wrong-key uktv-titles --prefs-from "$P" --state "$S"
	[ "$status" -eq 77 ]
	[ ! -e "$S" ]
	[[ $stderr != *wrong-key* ]]
}

@test "a state file that cannot be saved fails before any Watchmode call or title printed (73)" {
	run --separate-stderr titles --state "$BATS_TEST_TMPDIR/nonexistent/x.state"
	assert_failure 73
	assert_output ""
	assert_equal "$stderr" "uktv-titles: cannot create the state file $BATS_TEST_TMPDIR/nonexistent/x.state: No such file or directory"
	[ "$(watchmode_calls)" -eq 0 ]
	# the check leaves nothing behind
	run -0 titles --state "$S"
	[ "$(ls "$BATS_TEST_TMPDIR" | grep -c 'titles.state.tmp')" -eq 0 ]
}

@test "a damaged state file is refused and left as it was" {
	printf '{"uktv_titles_state":1}\n{"title":"12","digest":"xyz","pairs":[]}\n' >"$S"
	cp "$S" "$BATS_TEST_TMPDIR/copy"
	run --separate-stderr titles --state "$S"
	[ "$status" -eq 1 ]
	[[ $stderr == *"line 2: digest"* ]]
	cmp "$S" "$BATS_TEST_TMPDIR/copy"
	[ "$(calls /v1/)" = 0 ]
}

@test "| head -1: exit 141 without a word; the state claims only the titles written, the next run sends the rest" {
	# More than a pipe holds: the write after head(1) leaves must fail.
	prefs '{"user":"alice","sources":["203"],"genres":["7","4","29"]}'
	PAIRS="203:4 203:7 203:29"
	titles >"$BATS_TEST_TMPDIR/full"
	all=$(lines "$BATS_TEST_TMPDIR/full")
	[ "$all" = "$(expected "$PAIRS" | wc -l)" ]
	head1 uktv-titles --prefs-from "$P" --state "$S"
	pipe_closed_ok
	[ "$(jq .payload <<<"$head1_first")" = "$(head -1 "$BATS_TEST_TMPDIR/full" | jq .payload)" ]
	# the titles the state claims are the first ones printed (in id order),
	# no more than the pipe and head could take; the run counts as cut short
	jq -r 'select(.title) | .title' "$S" >"$BATS_TEST_TMPDIR/claimed"
	k=$(lines "$BATS_TEST_TMPDIR/claimed")
	[ "$k" -ge 1 ] && [ "$k" -lt "$all" ]
	diff "$BATS_TEST_TMPDIR/claimed" <(head -n "$k" "$BATS_TEST_TMPDIR/full" | jq -r '.payload.id | tostring')
	cap=$(python3 -c 'import fcntl, os; r, w = os.pipe(); print(fcntl.fcntl(w, 1032))')
	[ "$(head -n "$k" "$BATS_TEST_TMPDIR/full" | wc -c)" -le $((2 * cap)) ]
	head -1 "$S" | jq -e '.last_complete == null'
	# the next run sends exactly the others: nothing lost, nothing twice
	run titles --state "$S"
	assert_success
	diff <(printf '%s\n' "$output" | jq -r .payload.id) \
	    <(tail -n +$((k + 1)) "$BATS_TEST_TMPDIR/full" | jq -r .payload.id)
}

@test "-v tells the Watchmode calls made and the quota left" {
	run --separate-stderr titles -v
	assert_success
	[[ $stderr == *"source 203 x genre 4: "*" titles, 1 page"* ]]
	[[ $stderr =~ "Watchmode: 3 calls".*"quota: 3 of 2500 credits used, 2497 left" ]]
	run --separate-stderr titles -q
	[ -z "$stderr" ]
}
