#!/usr/bin/env bats
# uktv-prefs against moto (through the fault proxy), with reference items,
# title records and index entries seeded in the original app's shapes
# (tests/fixtures/prefs/README.md says what each fixture holds and why).

load helpers/common
load helpers/faultproxy

bats_require_minimum_version 1.5.0

P="$FIXTURES/prefs"
# The default table: most tests run without -t, and so prove the default.
T=UKTVProgrammes

setup_file() {
	moto_start
	proxy_start
	unset UKTV_TABLE
	make_table "$T"
	aws dynamodb batch-write-item --request-items "file://$P/reference.json" >/dev/null
	aws dynamodb batch-write-item --request-items "file://$P/titles.json" >/dev/null
}

teardown_file() {
	proxy_stop
	moto_stop
}

setup() {
	unset UKTV_TABLE
	proxy_script '[]'
	proxy_reset
}

# sks USER: the SKs stored under userpref:USER, read back with the AWS CLI.
sks() {
	aws dynamodb query --table-name "${2:-$T}" --key-condition-expression 'PK = :p' \
	    --expression-attribute-values "{\":p\":{\"S\":\"userpref:$1\"}}" \
	    --consistent-read --output json | jq -r '[.Items[].SK.S] | sort | join(" ")'
}

# ops OP: how many calls of OP the proxy saw since the last proxy_reset.
ops() {
	proxy_log | jq -s --arg op "$1" '[.[] | select(.op == $op)] | length'
}

@test "--help exits 0 and every long option and command is in both completion files" {
	run uktv-prefs --help
	assert_success
	assert_line --index 0 --partial "usage: uktv-prefs"
	opts=$(grep -oE -- '--[a-z][a-z-]+' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 20 ]
	for o in $opts; do
		grep -q -- "$o" "$UKTV_ROOT/completions/bash/uktv-prefs" || fail "bash completion lacks $o"
		grep -q -- "$o" "$UKTV_ROOT/completions/zsh/_uktv-prefs" || fail "zsh completion lacks $o"
	done
	for w in get put delete list import sources genres titles recommendations; do
		grep -qw "$w" "$UKTV_ROOT/completions/bash/uktv-prefs" || fail "bash completion lacks $w"
		grep -qw "$w" "$UKTV_ROOT/completions/zsh/_uktv-prefs" || fail "zsh completion lacks $w"
	done
}

@test "--version prints the name and version" {
	run uktv-prefs --version
	assert_success
	assert_output "uktv-prefs 0.1.0"
}

@test "usage errors say what is wrong in one line, then the usage, and exit 2" {
	run --separate-stderr uktv-prefs frobnicate
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-prefs: unknown command 'frobnicate'"
	assert_equal "$(sed -n 2p <<<"$stderr" | cut -c1-17)" "usage: uktv-prefs"
	assert_output ""
	run --separate-stderr uktv-prefs get 'not a user'
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" \
	    "uktv-prefs: bad user id 'not a user': 1-128 characters of A-Za-z0-9._@+-"
	run --separate-stderr uktv-prefs get alice --sources 203
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-prefs: --sources is not an option of get"
	run --separate-stderr uktv-prefs put alice --genres 4,x
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" \
	    "uktv-prefs: --genres: '4,x' is not a comma-separated list of ids (decimal digits)"
	run --separate-stderr uktv-prefs put alice
	assert_failure 2
	run --separate-stderr uktv-prefs recommendations alice --min-rating eleven
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-prefs: --min-rating takes a number from 0 to 10"
	run --separate-stderr uktv-prefs list -t 'no such/table'
	assert_failure 2
	run --separate-stderr uktv-prefs
	assert_failure 2
	# none of these reached the table
	assert_equal "$(ops Query)$(ops Scan)$(ops BatchWriteItem)" 000
}

@test "get of a user with no preferences prints empty lists and exits 0" {
	run --separate-stderr uktv-prefs get nobody@example.com
	assert_success
	assert_output '{"user":"nobody@example.com","sources":[],"genres":[],"favourites":[]}'
	assert_equal "$stderr" ""
}

@test "get reads the original app's items (seed-data fixture) as the original API returned them" {
	aws dynamodb batch-write-item --request-items "file://$P/original-userprefs.json" >/dev/null
	run uktv-prefs get a1b2c3d4-e5f6-7890-1234-567890abcdef
	assert_success
	assert_output '{"user":"a1b2c3d4-e5f6-7890-1234-567890abcdef","sources":["203","349"],"genres":["4","6"],"favourites":[]}'
	# and what the original reads, uktv-prefs writes the same way round:
	# rewriting those lists changes nothing
	proxy_reset
	run uktv-prefs put a1b2c3d4-e5f6-7890-1234-567890abcdef --sources 349,203 --genres 6,4
	assert_success
	assert_equal "$(ops BatchWriteItem)" 0
}

@test "put writes one item per choice, keys only, in the original shape (read back with the AWS CLI)" {
	run uktv-prefs put alice --sources 349,203 --genres 4 --favourites 3184039
	assert_success
	assert_output ""
	assert_equal "$(sks alice)" "favourite:3184039 genre:4 source:203 source:349"
	# every item has exactly the attributes of the original's items
	want=$(jq -c '[.Items[] | keys] | unique' "$FIXTURES/seed-data/example_data_userprefs.json")
	got=$(aws dynamodb query --table-name "$T" --key-condition-expression 'PK = :p' \
	    --expression-attribute-values '{":p":{"S":"userpref:alice"}}' --output json |
	    jq -c '[.Items[] | keys] | unique')
	assert_equal "$got" "$want"
	assert_equal "$got" '[["PK","SK"]]'
	run uktv-prefs get alice
	assert_output '{"user":"alice","sources":["203","349"],"genres":["4"],"favourites":["3184039"]}'
}

@test "put replaces only the lists it names, and --sources '' clears" {
	uktv-prefs put bob --sources 203,26 --genres 4,7 --favourites 1
	run uktv-prefs put bob --genres 6
	assert_success
	assert_equal "$(sks bob)" "favourite:1 genre:6 source:203 source:26"
	run uktv-prefs put bob --sources ''
	assert_success
	assert_equal "$(sks bob)" "favourite:1 genre:6"
}

@test "put writes only the difference; an unchanged put writes nothing" {
	uktv-prefs put carol --sources 203,349 --genres 4,6
	proxy_reset
	run uktv-prefs -v put carol --sources 203,26 --genres 6,4
	assert_success
	assert_output --partial "carol: 1 put, 1 deleted in 1 call"
	assert_equal "$(proxy_log | jq -s -c '[.[] | select(.op == "BatchWriteItem") | .records]')" '[2]'
	assert_equal "$(sks carol)" "genre:4 genre:6 source:203 source:26"
	proxy_reset
	run uktv-prefs -v put carol --sources 26,203 --genres 4,6
	assert_success
	assert_output --partial "carol: unchanged, nothing written"
	assert_equal "$(ops BatchWriteItem)" 0
}

@test "--add-* and --remove-* change single choices; --add-* never deletes" {
	uktv-prefs put dave --sources 203 --genres 4 --favourites 10
	proxy_reset
	run uktv-prefs put dave --add-source 349 --add-genre 6 --add-favourite 11,12 --remove-favourite 10
	assert_success
	assert_equal "$(sks dave)" "favourite:11 favourite:12 genre:4 genre:6 source:203 source:349"
	run uktv-prefs put dave --remove-source 203 --remove-genre 4,7
	assert_success
	assert_equal "$(sks dave)" "favourite:11 favourite:12 genre:6 source:349"
	proxy_reset
	run uktv-prefs put dave --add-source 349
	assert_success
	assert_equal "$(ops BatchWriteItem)" 0
}

@test "put USER - reads the original PUT body; ids as strings or numbers; an absent list is left as it is" {
	uktv-prefs put erin --sources 26 --genres 7 --favourites 5
	run uktv-prefs put erin - <<<'{"sources": ["203", 349],
	    "genres": [4]}'
	assert_success
	assert_equal "$(sks erin)" "favourite:5 genre:4 source:203 source:349"
	# the original's own test event body
	jq -r .body "$FIXTURES/seed-data/events_user_prefs_put_preferences.json" >"$BATS_TEST_TMPDIR/body.json"
	run uktv-prefs put erin - <"$BATS_TEST_TMPDIR/body.json"
	assert_success
	run uktv-prefs get erin
	assert_output '{"user":"erin","sources":["203","349"],"genres":["4","6"],"favourites":["5"]}'
}

@test "put USER - with a bad body is rejected with the reason and writes nothing" {
	uktv-prefs put fred --sources 203
	proxy_reset
	run --separate-stderr uktv-prefs put fred - <<<'{"sources": ["203", "x"]}'
	assert_failure 1
	assert_equal "$stderr" "uktv-prefs: stdin: sources[1]: \"x\" is not an id (decimal digits)"
	run --separate-stderr uktv-prefs put fred - <<<'{"sources": ['
	assert_failure 1
	assert_equal "${stderr:0:36}" "uktv-prefs: stdin: not one JSON docu"
	run --separate-stderr uktv-prefs put fred - <<<'{"user":"george","sources":[]}'
	assert_failure 1
	assert_equal "$(ops BatchWriteItem)" 0
	assert_equal "$(sks fred)" "source:203"
}

@test "an unknown source or genre id is named and nothing is written (exit 1)" {
	uktv-prefs put gina --sources 203 --genres 4
	proxy_reset
	run --separate-stderr uktv-prefs put gina --sources 203,999 --add-genre 6,88 --favourites 42
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "uktv-prefs: unknown source 999: nothing written
uktv-prefs: unknown genre 88: nothing written"
	assert_equal "$(ops BatchWriteItem)" 0
	assert_equal "$(sks gina)" "genre:4 source:203"
	# index entries share the prefix, but "source:203:genre:4" is no source 203:genre:4
	run uktv-prefs put gina --add-genre 7,1 --add-source 409
	assert_success
	assert_equal "$(sks gina)" "genre:1 genre:4 genre:7 source:203 source:409"
}

@test "favourite ids need only be digits; --no-validate writes ids the table does not know yet" {
	run uktv-prefs put hana --favourites 987654321
	assert_success
	run uktv-prefs put hana --no-validate --sources 999 --genres 88
	assert_success
	assert_equal "$(sks hana)" "favourite:987654321 genre:88 source:999"
}

@test "two concurrent processes adding different choices to one user both keep theirs" {
	uktv-prefs put ivan --sources 203
	proxy_reset
	# Hold each write back so that both processes have read before either writes.
	proxy_script '[{"op":"BatchWriteItem","calls":[1,2],"fault":"delay","seconds":0.5}]'
	uktv-prefs put ivan --add-source 349 --add-favourite 7 &
	a=$!
	uktv-prefs put ivan --add-genre 4 --add-source 26 &
	b=$!
	wait "$a"
	wait "$b"
	# both had read before the first write was answered
	assert_equal "$(proxy_log | jq -s -c '[.[] | select(.op == "BatchWriteItem" or (.op == "Query")) | .op] | .[-2:]')" \
	    '["BatchWriteItem","BatchWriteItem"]'
	assert_equal "$(sks ivan)" "favourite:7 genre:4 source:203 source:26 source:349"
}

@test "delete removes every item of a user; a user with none is said so and exits 0" {
	uktv-prefs put jane --sources 203 --genres 4,6 --favourites 1
	run --separate-stderr uktv-prefs delete jane
	assert_success
	assert_equal "$(sks jane)" ""
	run --separate-stderr uktv-prefs delete jane
	assert_success
	assert_equal "$stderr" "uktv-prefs: jane has no preferences: nothing deleted"
	run uktv-prefs get jane
	assert_output '{"user":"jane","sources":[],"genres":[],"favourites":[]}'
}

@test "list prints every user in get's form, users in byte order, ignoring other items" {
	uktv-prefs put Zed --sources 203
	uktv-prefs put kim --genres 6 --favourites 3
	run uktv-prefs list
	assert_success
	# byte order: upper case first
	users=$(jq -r .user <<<"$output")
	assert_equal "$users" "$(LC_ALL=C sort <<<"$users")"
	assert_equal "$(grep -c . <<<"$output")" "$(aws dynamodb scan --table-name "$T" --output json |
	    jq '[.Items[].PK.S | select(startswith("userpref:"))] | unique | length')"
	assert_line '{"user":"Zed","sources":["203"],"genres":[],"favourites":[]}'
	assert_line '{"user":"kim","sources":[],"genres":["6"],"favourites":["3"]}'
	# get and list agree for every user
	while read -r line; do
		u=$(jq -r .user <<<"$line")
		assert_equal "$(uktv-prefs get "$u")" "$line"
	done <<<"$output"
}

@test "a backup round-trips: list > b.ndjson; delete everyone; import < b.ndjson" {
	uktv-prefs put lara --sources 26,203 --genres 7 --favourites 9000001
	# hana holds ids this table has no reference items for (written with
	# --no-validate): an import checks them, so she is not part of this backup
	uktv-prefs delete hana
	uktv-prefs list >"$BATS_TEST_TMPDIR/b.ndjson"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/b.ndjson")" -ge 5 ]
	for u in $(jq -r .user "$BATS_TEST_TMPDIR/b.ndjson"); do
		uktv-prefs delete "$u"
	done
	run uktv-prefs list
	assert_output ""
	run uktv-prefs import <"$BATS_TEST_TMPDIR/b.ndjson"
	assert_success
	run uktv-prefs list
	assert_output "$(cat "$BATS_TEST_TMPDIR/b.ndjson")"
	# importing it again writes nothing
	proxy_reset
	run uktv-prefs import <"$BATS_TEST_TMPDIR/b.ndjson"
	assert_success
	assert_equal "$(ops BatchWriteItem)" 0
}

@test "import reports each bad line with its number, imports the rest and exits 1" {
	run --separate-stderr uktv-prefs import <"$P/import-with-bad-lines.ndjson"
	assert_failure 1
	assert_equal "$(wc -l <<<"$stderr")" 4
	assert_equal "$(sed -n 1p <<<"$stderr" | cut -c1-33)" "uktv-prefs: line 2: invalid JSON "
	assert_equal "$(sed -n 2,4p <<<"$stderr")" "uktv-prefs: line 3: bad user id 'bad user': 1-128 characters of A-Za-z0-9._@+-
uktv-prefs: line 4: unknown source 999
uktv-prefs: line 7: no \"user\""
	assert_equal "$(sks mona)" "genre:4 source:203"
	assert_equal "$(sks nick)" "favourite:42 source:26"
	assert_equal "$(sks olga)" ""		# line 4: unknown source, nothing written
	assert_equal "$(sks pete)" "genre:7"	# CRLF line, last line without newline
}

@test "sources and genres print only reference items, sorted by name; -l adds the stored data" {
	run uktv-prefs sources
	assert_success
	assert_output '{"id":"349","name":"AppleTV"}
{"id":"409","name":"BBC iPlayer"}
{"id":"203","name":"Netflix"}
{"id":"26","name":"Prime Video"}'
	run uktv-prefs genres
	assert_success
	assert_output '{"id":"1","name":"Action"}
{"id":"4","name":"Comedy"}
{"id":"6","name":"Documentary"}
{"id":"7","name":"Drama"}'
	run uktv-prefs sources -l
	assert_success
	assert_equal "$(jq -c 'select(.id == "203") | [.data.id, .data.name, .data.type, (.data.regions | index("GB") != null)]' <<<"$output")" \
	    '[203,"Netflix","sub",true]'
	run uktv-prefs genres --long
	assert_equal "$(jq -cS 'select(.id == "7") | .data' <<<"$output")" '{"id":7,"name":"Drama","tmdb_id":18}'
}

@test "titles joins the user's own source x genre pairs, deduplicated, by rating then title" {
	uktv-prefs put viewer --sources 203,26 --genres 4,7 --favourites 3182718
	proxy_reset
	run --separate-stderr uktv-prefs titles viewer
	assert_success
	assert_equal "$(jq -r .id <<<"$output" | paste -sd' ')" "9000001 3196573 1615420 552585 9000003"
	# one Query per pair, one BatchGetItem for the 5 distinct titles (+ 9000004 without a record)
	assert_equal "$(ops Query)" 5
	assert_equal "$(proxy_log | jq -s -c '[.[] | select(.op == "BatchGetItem") | .records]')" '[6]'
	assert_line --index 0 '{"id":"9000001","title":"Prime Drama","year":2024,"type":"tv_series","user_rating":9.1,"plot_overview":"A drama that is only on Prime Video.","poster":"https://cdn.watchmode.com/posters/09000001_poster_w342.jpg","source_ids":["26"],"genre_ids":["7"],"sources":[{"source_id":"26","name":"Prime Video","type":"sub","region":"GB","web_url":"https://watch.amazon.co.uk/detail?gti=9000001","format":"HD"}]}'
	assert_line --index 4 '{"id":"9000003","title":"Not Yet Enriched","year":2025,"type":"movie","source_ids":["26"],"genre_ids":["7"]}'
	assert_equal "$(jq -c 'select(.id == "1615420") | [.title, .year, .user_rating, .source_ids, .genre_ids]' <<<"$output")" \
	    '["Bullet Train",2022,7.4,["203","349"],["4","6"]]'
}

@test "recommendations keep user_rating > 7 (--min-rating moves it); --enriched-only is the original GET /titles set" {
	uktv-prefs put viewer2 --sources 203,26 --genres 4,7
	run uktv-prefs recommendations viewer2
	assert_success
	assert_equal "$(jq -r .id <<<"$output" | paste -sd' ')" "9000001 3196573 1615420"
	run uktv-prefs recommendations viewer2 --min-rating 8.5
	assert_equal "$(jq -r .id <<<"$output" | paste -sd' ')" "9000001"
	run uktv-prefs titles viewer2 --enriched-only
	assert_equal "$(jq -r .id <<<"$output" | paste -sd' ')" "9000001 3196573 1615420 552585"
	run uktv-prefs recommendations viewer2 --min-rating 6.9 --enriched-only
	assert_equal "$(jq -r .id <<<"$output" | paste -sd' ')" "9000001 3196573 1615420 552585"
}

@test "a user with sources but no genres (or none at all) has an empty guide, as in the original" {
	uktv-prefs put sourcesonly --sources 203,26
	proxy_reset
	run --separate-stderr uktv-prefs titles sourcesonly
	assert_success
	assert_output ""
	assert_equal "$(ops BatchGetItem)" 0
	run uktv-prefs recommendations nobody-at-all
	assert_success
	assert_output ""
}

@test "BatchWriteItem UnprocessedItems are sent again until written (fault proxy)" {
	proxy_script '[{"op":"BatchWriteItem","calls":[1],"fault":"unprocessed","count":3},
	    {"op":"BatchWriteItem","calls":[2],"fault":"unprocessed","count":1}]'
	run uktv-prefs -v put quinn --no-validate --sources 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15 \
	    --genres 1,2,3,4,5,6,7,8,9,10 --favourites 100,101,102
	assert_success
	assert_output --partial "quinn: 28 put, 0 deleted in 4 calls (4 unprocessed and retried)"
	assert_equal "$(proxy_log | jq -s -c '[.[] | select(.op == "BatchWriteItem") | [.records, (.unprocessed // [] | length)]]')" \
	    '[[25,3],[3,1],[1,0],[3,0]]'
	assert_equal "$(sks quinn | wc -w)" 28
}

@test "titles are fetched in BatchGetItem chunks of 100 with UnprocessedKeys retried (fault proxy)" {
	# 120 titles in one pair the other tests do not follow (source 349 x genre 1)
	for chunk in 0 1 2 3 4; do
		jq -n --argjson c "$chunk" '{UKTVProgrammes: [range($c * 12; $c * 12 + 12) | 8000000 + . |
		    ({PutRequest: {Item: {PK: {S: "title:\(.)"}, SK: {S: "record"}, data: {M: {
		        id: {N: "\(.)"}, title: {S: "Bulk \(.)"}, user_rating: {N: "\(. % 10)"}}}}}},
		     {PutRequest: {Item: {PK: {S: "source:349:genre:1"}, SK: {S: "title:\(.)"}}}})]}' \
		    >"$BATS_TEST_TMPDIR/bulk.json"
		aws dynamodb batch-write-item --request-items "file://$BATS_TEST_TMPDIR/bulk.json" >/dev/null
		jq -n --argjson c "$chunk" '{UKTVProgrammes: [range($c * 12 + 60; $c * 12 + 72) | 8000000 + . |
		    ({PutRequest: {Item: {PK: {S: "title:\(.)"}, SK: {S: "record"}, data: {M: {
		        id: {N: "\(.)"}, title: {S: "Bulk \(.)"}}}}}},
		     {PutRequest: {Item: {PK: {S: "source:349:genre:1"}, SK: {S: "title:\(.)"}}}})]}' \
		    >"$BATS_TEST_TMPDIR/bulk.json"
		aws dynamodb batch-write-item --request-items "file://$BATS_TEST_TMPDIR/bulk.json" >/dev/null
	done
	uktv-prefs put bulk --sources 349 --genres 1
	proxy_reset
	proxy_script '[{"op":"BatchGetItem","calls":[1],"fault":"unprocessed","count":7},
	    {"op":"BatchGetItem","calls":[3],"fault":"unprocessed","count":2}]'
	run --separate-stderr uktv-prefs titles bulk
	assert_success
	assert_equal "$(grep -c . <<<"$output")" 120
	assert_equal "$(jq -r .id <<<"$output" | sort -u | wc -l)" 120
	assert_equal "$(proxy_log | jq -s -c '[.[] | select(.op == "BatchGetItem") | [.records, (.unprocessed // [] | length)]]')" \
	    '[[100,7],[7,0],[20,2],[2,0]]'
	# rated first (9 down to 0), then the 60 unrated by title
	assert_equal "$(head -1 <<<"$output" | jq -c '[.id, .user_rating]')" '["8000009",9]'
	assert_equal "$(tail -1 <<<"$output" | jq -r .id)" 8000119
}

@test "-t and UKTV_TABLE choose the table; the default is UKTVProgrammes" {
	make_table Other
	run uktv-prefs -t Other put rosa --no-validate --sources 5
	assert_success
	assert_equal "$(sks rosa Other)" "source:5"
	assert_equal "$(sks rosa)" ""
	UKTV_TABLE=Other run uktv-prefs get rosa
	assert_output '{"user":"rosa","sources":["5"],"genres":[],"favourites":[]}'
	# validation reads the reference items of the table it writes to
	run --separate-stderr uktv-prefs --table Other put rosa --sources 203
	assert_failure 1
	assert_equal "$stderr" "uktv-prefs: unknown source 203: nothing written"
}

@test "a service still failing after retries exits 69; a missing table exits 78" {
	proxy_script '[{"op":"Query","every":true,"fault":"503"}]'
	run --separate-stderr uktv-prefs get sam
	assert_failure 69
	assert_output ""
	assert_equal "$(ops Query)" 3	# the standard retry mode's 3 attempts
	proxy_script '[]'
	run --separate-stderr uktv-prefs -t NoSuchTable list
	assert_failure 78
	assert_equal "$stderr" "uktv-prefs: no table NoSuchTable in eu-west-2 (the name is from -t): create it, or name the table with -t or UKTV_TABLE"
	assert_output ""
}

# Issue 23: errors that name the thing.

@test "a missing table is named with its region and where the name came from, before any work, exit 78" {
	UKTV_TABLE=Elsewhere run --separate-stderr uktv-prefs put alice --sources 203
	assert_failure 78
	assert_equal "$stderr" "uktv-prefs: no table Elsewhere in eu-west-2 (the name is from UKTV_TABLE): create it, or name the table with -t or UKTV_TABLE"
	run --separate-stderr uktv-prefs --region eu-west-1 get alice
	assert_failure 78
	assert_equal "$stderr" "uktv-prefs: no table UKTVProgrammes in eu-west-1 (the name is the default): create it, or name the table with -t or UKTV_TABLE"
	# one DescribeTable each, nothing else
	assert_equal "$(ops DescribeTable)$(ops Query)$(ops Scan)$(ops BatchWriteItem)" 2000
}

@test "an endpoint that answers 404 is named and questioned, exit 78" {
	AWS_ENDPOINT_URL="$PROXY_URL/nope" run --separate-stderr uktv-prefs list
	assert_failure 78
	assert_equal "$stderr" "uktv-prefs: DynamoDB DescribeTable: POST $PROXY_URL/nope/: HTTP 404 (nothing there): is the endpoint URL right?"
}

@test "a user id that starts with - is told to go after --, and works there" {
	run --separate-stderr uktv-prefs put -alice --sources 203
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-prefs: unknown option -a in '-alice' (a user id that starts with - goes after --)"
	run --separate-stderr uktv-prefs put --sources 203 -- -alice
	assert_success
	assert_equal "$(sks -alice)" "source:203"
}

@test "an id of too many digits is called too long, not 'not decimal digits'" {
	run --separate-stderr uktv-prefs put alice --sources 203,123456789012345678901
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-prefs: --sources: '203,123456789012345678901' has an id that is too long (at most 20 digits)"
	run --separate-stderr uktv-prefs put alice - <<<'{"sources":["123456789012345678901234"]}'
	assert_failure 1
	assert_equal "$stderr" 'uktv-prefs: stdin: sources[0]: "123456789012345678901234..." is too long for an id (at most 20 digits)'
}

@test "a UTF-8 byte-order mark at the start of the input is named" {
	run --separate-stderr uktv-prefs import --no-validate < <(printf '\xef\xbb\xbf{"user":"bom","sources":["203"]}\n{"user":"nobom","sources":["203"]}\n')
	assert_failure 1
	assert_equal "$stderr" "uktv-prefs: line 1: invalid JSON: the line starts with a UTF-8 byte-order mark (save the file without BOM)"
	assert_equal "$(sks nobom)" "source:203"
}

@test "list | head -1: exit 141 without a word, the table as it was" {
	make_table PrefsHead
	# 1,000 users with long ids, about 160 KB of lines: far more than a
	# pipe and head take (stored in one go: an import checks each user)
	python3 - <<'PY'
import os
import boto3
t = boto3.resource("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"]).Table("PrefsHead")
with t.batch_writer() as w:
    for i in range(1, 1001):
        for sk in ("source:203", "genre:4"):
            w.put_item(Item={"PK": "userpref:u%04d-%s" % (i, "x" * 90), "SK": sk})
PY
	head1 uktv-prefs -t PrefsHead list
	pipe_closed_ok
	assert_equal "$(jq -r .user <<<"$head1_first")" "u0001-$(printf 'x%.0s' $(seq 90))"
	run -0 uktv-prefs -t PrefsHead list
	assert_equal "${#lines[@]}" 1000
}

@test "every tool: a usage error is one line in the same words, then the synopsis only, exit 2; --help is the whole help on stdout" {
	for t in uktv-refdata uktv-prefs uktv-titles uktv-publish uktv-consume uktv-notify uktv-guide; do
		run --separate-stderr "$t" --frobnicate
		assert_failure 2
		assert_output ""
		assert_equal "${stderr_lines[0]}" "$t: unknown option --frobnicate"
		assert_equal "${stderr_lines[1]:0:$((7 + ${#t}))}" "usage: $t"
		# the synopsis: usage lines and their continuations, no option list
		for l in "${stderr_lines[@]:1}"; do
			[[ $l == "usage: $t"* || $l == "    "* ]] || fail "$t: not a synopsis line: '$l'"
		done
		[ "${#stderr_lines[@]}" -le 12 ] || fail "$t: ${#stderr_lines[@]} lines"
		run --separate-stderr "$t" -Z
		assert_failure 2
		hint=
		[ "$t" != uktv-prefs ] || hint=" (a user id that starts with - goes after --)"
		assert_equal "${stderr_lines[0]}" "$t: unknown option -Z$hint"
		run --separate-stderr "$t" --region
		assert_failure 2
		assert_equal "${stderr_lines[0]}" "$t: --region needs a value"
		run --separate-stderr "$t" --quiet=yes
		assert_failure 2
		assert_equal "${stderr_lines[0]}" "$t: --quiet takes no value"
		run --separate-stderr "$t" --help
		assert_success
		assert_equal "$stderr" ""
		assert_line --index 0 --partial "usage: $t"
		assert_line --partial "--read-timeout SEC"
	done
	run --separate-stderr uktv-prefs list -t
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "uktv-prefs: -t needs a value"
	run --separate-stderr uktv-consume -s
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "uktv-consume: -s needs a value"
	run --separate-stderr uktv-prefs --re x list
	assert_failure 2
	assert_equal "${stderr_lines[0]}" "uktv-prefs: ambiguous option --re: say which, in full"
}
