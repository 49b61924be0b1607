#!/usr/bin/env bats
# uktv-api's data against moto: the reference items, the preferences of
# signed-in viewers, and titles and recommendations of a table the pipeline
# filled (uktv-refdata, uktv-titles | uktv-publish, uktv-consume --enrich),
# each compared with what uktv-prefs reads from the same items; ID tokens
# from moto's Cognito user pool (helpers/cognito).  Sign-in, the server's
# bounds and its shutdown are tests/api.bats'.

load helpers/common
load helpers/watchmode
load helpers/cognito

bats_require_minimum_version 1.5.0

T=ApiData
S=api-data-titles

setup_file() {
	moto_start
	watchmode_start
	unset UKTV_TABLE
	local pids=() pid
	make_table "$T" &
	pids+=($!)
	make_stream "$S" &
	pids+=($!)
	POOL=$(cognito_pool viewers) || return 1
	CLIENT=$(cognito_client "$POOL" scripts) || return 1
	export POOL CLIENT
	for u in alice bob carol; do
		{
			cognito_user "$POOL" "$u@example.com" &&
			cognito_token "$CLIENT" "$u@example.com" "$BATS_FILE_TMPDIR/$u.token" &&
			cognito_auth_header "$BATS_FILE_TMPDIR/$u.token" "$BATS_FILE_TMPDIR/$u.auth"
		} &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do wait "$pid" || return 1; done
	uktv-refdata -t "$T" -n
	api_start
}

teardown_file() {
	stop_bg api
	watchmode_stop
	moto_stop
}

# api_start: uktv-api on the table, the pool and the scripts' client, on a
# free port; API_URL once it answers.
api_start() {
	API_PORT=$(free_port)
	API_URL="http://127.0.0.1:$API_PORT"
	export API_PORT API_URL
	start_bg api uktv-api -t "$T" --user-pool "$POOL" --client-id "$CLIENT" \
	    --listen "127.0.0.1:$API_PORT"
	wait_until 30 curl -sf -X OPTIONS "$API_URL/sources" || {
		cat "$BATS_FILE_TMPDIR/api.log" >&2
		return 1
	}
}

# sub USER: the user's id in the table (the token's sub claim).
sub() {
	cognito_claim "$BATS_FILE_TMPDIR/$1.token" sub
}

# api METHOD PATH [USER|-] [BODY]: one request, signed in as USER (its
# token read by curl from a file, never in argv); sets api_status and
# api_body.
api() {
	local out="$BATS_TEST_TMPDIR/api.body" args
	args=(-s -o "$out" -w '%{http_code}' -X "$1")
	if [ -n "${3:-}" ] && [ "$3" != - ]; then
		args+=(-H "@$BATS_FILE_TMPDIR/$3.auth")
	fi
	if [ $# -ge 4 ]; then
		printf '%s' "$4" >"$BATS_TEST_TMPDIR/api.request"
		args+=(-H 'Content-Type: application/json'
		    --data-binary "@$BATS_TEST_TMPDIR/api.request")
	fi
	api_status=$(curl "${args[@]}" "$API_URL$2")
	api_body=$(cat "$out")
}

# sks USER: the SKs stored under userpref:<sub>, read back with the AWS CLI.
sks() {
	aws dynamodb query --table-name "$T" --key-condition-expression 'PK = :p' \
	    --expression-attribute-values "{\":p\":{\"S\":\"userpref:$(sub "$1")\"}}" \
	    --consistent-read --output json | jq -r '[.Items[].SK.S] | sort | join(" ")'
}

# ids KIND N: the first N ids of `uktv-prefs sources|genres`, as a JSON list.
ids() {
	uktv-prefs -t "$T" "$1" | jq -s -c --argjson n "$2" '[.[:$n][].id]'
}

@test "GET /sources and /genres: the reference items as uktv-prefs lists them, with or without a token" {
	for kind in sources genres; do
		want=$(uktv-prefs -t "$T" "$kind" | jq -c .)
		[ "$(wc -l <<<"$want")" -ge 3 ]
		api GET "/$kind"
		assert_equal "$api_status" 200
		assert_equal "$(jq -c '.[]' <<<"$api_body")" "$want"
		api GET "/$kind" alice
		assert_equal "$api_status" 200
		assert_equal "$(jq -c '.[]' <<<"$api_body")" "$want"
	done
	# Only reference items: every id is digits, every name a string.
	api GET /sources
	assert_equal "$(jq '[.[] | select((.id | test("^[0-9]+$") | not) or (.name | type) != "string")] | length' <<<"$api_body")" 0
}

@test "PUT and GET /preferences for two viewers: each sees only their own, in the items uktv-prefs get reads" {
	a_src=$(ids sources 2) a_gen=$(ids genres 2)
	b_src=$(ids sources 3 | jq -c '.[2:]') b_gen=$(ids genres 3 | jq -c '.[2:]')
	api PUT /preferences alice "{\"sources\":$a_src,\"genres\":$a_gen,\"favourites\":[\"1615420\"]}"
	assert_equal "$api_status" 200
	assert_equal "$api_body" '{"message":"Preferences updated successfully"}'
	api PUT /preferences bob "{\"sources\":$b_src,\"genres\":$b_gen}"
	assert_equal "$api_status" 200
	for u in alice bob; do
		api GET /preferences "$u"
		assert_equal "$api_status" 200
		# The same lists as the operator's tool, without "user".
		assert_equal "$(jq -cS . <<<"$api_body")" \
		    "$(uktv-prefs -t "$T" get "$(sub "$u")" | jq -cS 'del(.user)')"
	done
	api GET /preferences alice
	assert_equal "$(jq -c '[.sources, .genres, .favourites]' <<<"$api_body")" \
	    "[$(jq -c 'sort_by(tonumber)' <<<"$a_src"),$(jq -c 'sort_by(tonumber)' <<<"$a_gen"),[\"1615420\"]]"
	api GET /preferences bob
	assert_equal "$(jq -c '[.sources, .genres, .favourites]' <<<"$api_body")" "[$b_src,$b_gen,[]]"
	# One item per choice under userpref:<sub>, as the original kept them.
	for u in alice bob; do
		api GET /preferences "$u"
		assert_equal "$(sks "$u")" "$(jq -r '[(.sources[] | "source:" + .),
		    (.genres[] | "genre:" + .), (.favourites[] | "favourite:" + .)] |
		    sort | join(" ")' <<<"$api_body")"
	done
	# A viewer who never chose has empty lists and no items.
	api GET /preferences carol
	assert_equal "$api_status" 200
	assert_equal "$api_body" '{"sources":[],"genres":[],"favourites":[]}'
	assert_equal "$(sks carol)" ""
}

@test "a PUT without favourites (the original page's body) keeps them" {
	src=$(ids sources 1) gen=$(ids genres 1)
	api PUT /preferences carol "{\"sources\":$src,\"genres\":$gen,\"favourites\":[\"3196573\",\"552585\"]}"
	assert_equal "$api_status" 200
	api PUT /preferences carol "{\"sources\":[],\"genres\":$gen}"
	assert_equal "$api_status" 200
	api GET /preferences carol
	assert_equal "$(jq -c . <<<"$api_body")" \
	    "{\"sources\":[],\"genres\":$gen,\"favourites\":[\"552585\",\"3196573\"]}"
	assert_equal "$(sks carol)" "favourite:3196573 favourite:552585 genre:$(jq -r '.[0]' <<<"$gen")"
}

@test "a bad body gets 400 and writes nothing" {
	src=$(ids sources 1)
	api PUT /preferences bob "{\"sources\":$src,\"favourites\":[\"9\"]}"
	assert_equal "$api_status" 200
	before=$(sks bob)
	for body in 'not json' '' '{"sources":["203"]' '{"sources":["1"]} trailing'; do
		api PUT /preferences bob "$body"
		assert_equal "$api_status" 400
		assert_equal "$api_body" '{"error":"Invalid JSON in request body"}'
	done
	api PUT /preferences bob '{"sources":"203"}'
	assert_equal "$api_status" 400
	assert_equal "$api_body" '{"error":"\"sources\" is not an array"}'
	api PUT /preferences bob '{"genres":[{"id":4}],"favourites":[]}'
	assert_equal "$api_status" 400
	assert_equal "$(jq -r .error <<<"$api_body")" 'genres[0]: {"id":4} is not an id (decimal digits)'
	# An unknown id is named; the known list beside it is not written
	# either.
	api PUT /preferences bob '{"sources":["999999"],"favourites":[]}'
	assert_equal "$api_status" 400
	assert_equal "$api_body" '{"error":"unknown source 999999: nothing written"}'
	api PUT /preferences bob '{"sources":[],"genres":["888888"]}'
	assert_equal "$api_status" 400
	assert_equal "$api_body" '{"error":"unknown genre 888888: nothing written"}'
	assert_equal "$(sks bob)" "$before"
	# And the same without a token is refused before the body is read.
	api PUT /preferences - '{"sources":[]}'
	assert_equal "$api_status" 401
	assert_equal "$api_body" '{"error":"Unauthorized"}'
	assert_equal "$(sks bob)" "$before"
}

@test "GET /titles and /recommendations equal uktv-prefs titles/recommendations --enriched-only on a table the pipeline filled" {
	# The viewer chooses through the API; the pipeline then fetches the
	# titles of the pairs followed (tests/guide.bats' choice: the
	# catalogue has titles there) and enriches them.
	api PUT /preferences alice '{"sources":["26","349"],"genres":["9","13"]}'
	assert_equal "$api_status" 200
	uktv-titles -t "$T" | uktv-publish -s "$S"
	uktv-consume -s "$S" -t "$T" -e -n --enrich
	for what in titles recommendations; do
		api GET "/$what" alice
		assert_equal "$api_status" 200
		# uktv-prefs' lines as the page gets them: user_rating a number
		# (0 when absent), the id lists always there.
		want=$(uktv-prefs -t "$T" "$what" "$(sub alice)" --enriched-only |
		    jq -cS '. + {title: (.title // ""), user_rating: (.user_rating // 0),
			source_ids: (.source_ids // []), genre_ids: (.genre_ids // [])}')
		[ -n "$want" ]
		assert_equal "$(jq -cS '.[]' <<<"$api_body")" "$want"
		# The original's rules: poster and plot on every one.
		assert_equal "$(jq '[.[] | select(.poster == "" or .plot_overview == "" or
		    (.user_rating | type) != "number")] | length' <<<"$api_body")" 0
	done
	api GET /recommendations alice
	assert_equal "$(jq '[.[] | select(.user_rating <= 7)] | length' <<<"$api_body")" 0
	recommended=$(jq length <<<"$api_body")
	api GET /titles alice
	[ "$(jq length <<<"$api_body")" -gt "$recommended" ]
	# Each viewer gets only their own pairs' titles: bob follows others.
	api GET /titles bob
	assert_equal "$api_status" 200
	assert_equal "$(jq -cS '.[]' <<<"$api_body")" \
	    "$(uktv-prefs -t "$T" titles "$(sub bob)" --enriched-only |
	    jq -cS '. + {title: (.title // ""), user_rating: (.user_rating // 0),
		source_ids: (.source_ids // []), genre_ids: (.genre_ids // [])}')"
}

@test "without a token only OPTIONS, /sources and /genres answer; with one an unknown path is 404" {
	api OPTIONS /preferences
	assert_equal "$api_status" 200
	assert_equal "$api_body" '{}'
	for p in /preferences /titles /recommendations /nowhere; do
		api GET "$p"
		assert_equal "$api_status" 401
		assert_equal "$api_body" '{"error":"Unauthorized"}'
	done
	api GET /nowhere alice
	assert_equal "$api_status" 404
	assert_equal "$api_body" '{"error":"Path not found or method not allowed: GET /nowhere"}'
	api DELETE /preferences alice
	assert_equal "$api_status" 404
	assert_equal "$api_body" '{"error":"Path not found or method not allowed: DELETE /preferences"}'
}
