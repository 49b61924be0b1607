#!/usr/bin/env bats
# uktv-guide --app: the signed-in page (app/index.html, app.js, app.css).
# Its options and files first; then the page in headless Chromium (Debian's
# chromium, driven by puppeteer-core from tests/package.json) against
# uktv-api on moto: a Cognito pool with a real ID token from initiate-auth
# (helpers/cognito), a table the pipeline filled (uktv-refdata, uktv-prefs,
# uktv-titles | uktv-publish, uktv-consume --enrich), the site served from
# 127.0.0.1 on a port other than the API's, so every call is CORS.
#
# One browser run (tests/browser/app.test.mjs, in setup_file) does every
# browser check and writes their results; each @test below reads its own,
# so a failure names the check and what the page showed.  Screenshots go
# to tests/artifacts/app/ (not committed), their paths printed.

load helpers/common
load helpers/watchmode
load helpers/cognito

bats_require_minimum_version 1.5.0

T=AppData
S=app-titles
DOMAIN=viewers.auth.eu-west-2.amazoncognito.com
XSS='<img src=x onerror=alert(1)>'
SHOTS="$UKTV_ROOT/tests/artifacts/app"

setup_file() {
	local need
	for need in "$UKTV_ROOT/tests/node_modules/puppeteer-core/package.json" /usr/bin/chromium; do
		[ -e "$need" ] || {
			echo "app.bats: $need is missing: run scripts/setup (as root)" >&2
			return 1
		}
	done
	moto_start
	watchmode_start
	unset UKTV_TABLE
	local pids=() pid
	make_table "$T" &
	pids+=($!)
	make_stream "$S" &
	pids+=($!)
	POOL=$(cognito_pool viewers) || return 1
	CLIENT=$(cognito_client "$POOL" page) || return 1
	export POOL CLIENT
	{
		cognito_user "$POOL" viewer@example.com &&
		cognito_token "$CLIENT" viewer@example.com "$BATS_FILE_TMPDIR/token"
	} &
	pids+=($!)
	uktv-refdata -t "$T" -n &
	pids+=($!)
	for pid in "${pids[@]}"; do wait "$pid" || return 1; done
	VIEWER=$(cognito_claim "$BATS_FILE_TMPDIR/token" sub)
	export VIEWER
	# tests/guide.bats' pairs: the catalogue has titles there.
	uktv-prefs -t "$T" put "$VIEWER" --sources 26,349 --genres 9,13 >/dev/null
	uktv-titles -t "$T" | uktv-publish -s "$S" >/dev/null
	uktv-consume -s "$S" -t "$T" -e -n --enrich >/dev/null
	# One title of the viewer's guide named with HTML.
	XSS_ID=$(uktv-prefs -t "$T" titles "$VIEWER" --enriched-only | jq -r .id | sed -n 2p)
	[ -n "$XSS_ID" ] || return 1
	export XSS_ID
	jq -n --arg t "$XSS" '{":t": {S: $t}}' >"$BATS_FILE_TMPDIR/xss.json"
	aws dynamodb update-item --table-name "$T" \
	    --key "{\"PK\":{\"S\":\"title:$XSS_ID\"},\"SK\":{\"S\":\"record\"}}" \
	    --update-expression 'SET #d.title = :t' \
	    --expression-attribute-names '{"#d":"data"}' \
	    --expression-attribute-values "file://$BATS_FILE_TMPDIR/xss.json" >/dev/null
	# The site's port is chosen here so that uktv-api allows exactly it.
	SITE_PORT=$(free_port)
	API_PORT=$(free_port)
	API_URL="http://127.0.0.1:$API_PORT"
	export SITE_PORT API_URL
	start_bg api uktv-api -t "$T" --user-pool "$POOL" --client-id "$CLIENT" \
	    --listen "127.0.0.1:$API_PORT" --cors-origin "http://127.0.0.1:$SITE_PORT"
	wait_until 30 curl -sf -X OPTIONS "$API_URL/sources" || {
		cat "$BATS_FILE_TMPDIR/api.log" >&2
		return 1
	}
	SITE="$BATS_FILE_TMPDIR/site"
	export SITE
	uktv-guide -t "$T" -o "$SITE" --app "$API_URL" --user-pool "$POOL" \
	    --client-id "$CLIENT" --cognito-domain "$DOMAIN" >/dev/null
	browse
}

teardown_file() {
	stop_bg api
	watchmode_stop
	moto_stop
}

setup() {
	D="$BATS_TEST_TMPDIR/site"
}

# browse: the browser checks, once, into $BATS_FILE_TMPDIR/results.json.
# A genre the viewer does not follow is the one the page ticks.
browse() {
	local genre
	genre=$(uktv-prefs -t "$T" genres | jq -r 'select(.id != "9" and .id != "13") | .id' | head -1)
	mkdir -p "$SHOTS"
	rm -f "$SHOTS"/app-*.png
	APP_SITE="$SITE" APP_API="$API_URL" APP_TOKEN_FILE="$BATS_FILE_TMPDIR/token" \
	APP_TABLE="$T" APP_USER="$VIEWER" APP_DOMAIN="$DOMAIN" APP_CLIENT="$CLIENT" \
	APP_XSS_ID="$XSS_ID" APP_GENRE="$genre" APP_SHOTS="$SHOTS" APP_PORT="$SITE_PORT" \
	APP_RESULTS="$BATS_FILE_TMPDIR/results.json" \
	    timeout 180 node "$UKTV_ROOT/tests/browser/app.test.mjs" \
	    >"$BATS_FILE_TMPDIR/browser.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/browser.log" >&2
		return 1
	}
}

# seen CHECK: the browser run's result for CHECK passed (else its detail).
seen() {
	local r="$BATS_FILE_TMPDIR/results.json"
	jq -e --arg c "$1" 'has($c)' "$r" >/dev/null || fail "the browser run has no check \"$1\""
	jq -e --arg c "$1" '.[$c].ok' "$r" >/dev/null ||
	    fail "$(jq -r --arg c "$1" '.[$c].detail' "$r")"
}

# app_args: the four options of the page, for the suite's pool.
app_args() {
	printf '%s\n' --app "$API_URL" --user-pool "$POOL" --client-id "$CLIENT" \
	    --cognito-domain "$DOMAIN"
}

@test "--app, --user-pool, --client-id and --cognito-domain go together; a usage error names what is missing" {
	run --separate-stderr uktv-guide -t "$T" -o "$D" --app "$API_URL" --client-id "$CLIENT"
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-guide: the signed-in page needs --app, \
--user-pool, --client-id and --cognito-domain together; missing: --user-pool, --cognito-domain"
	run --separate-stderr uktv-guide -t "$T" -o "$D" --user-pool "$POOL" --client-id "$CLIENT" \
	    --cognito-domain "$DOMAIN"
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-guide: the signed-in page needs --app, \
--user-pool, --client-id and --cognito-domain together; missing: --app"
	[ ! -e "$D" ]
}

@test "each of the four options is checked before the table is read" {
	bad() {
		run --separate-stderr uktv-guide -t NoSuchTable -o "$D" "$@"
		assert_failure 2
		assert_equal "$(head -1 <<<"$stderr")" "$want"
	}
	want="uktv-guide: --app https://api.example.com/v1?x=1: '?' has no place in a base URL (no query, no fragment)"
	bad --app 'https://api.example.com/v1?x=1' --user-pool "$POOL" --client-id c --cognito-domain "$DOMAIN"
	want="uktv-guide: --app ftp://api.example.com: not an http:// or https:// URL with a host (and a port) only"
	bad --app ftp://api.example.com --user-pool "$POOL" --client-id c --cognito-domain "$DOMAIN"
	want="uktv-guide: --app https://u@api.example.com: not an http:// or https:// URL with a host (and a port) only"
	bad --app https://u@api.example.com --user-pool "$POOL" --client-id c --cognito-domain "$DOMAIN"
	want="uktv-guide: --user-pool eu-west-2: not a user pool id (REGION_ID, e.g. eu-west-2_AbC123xyZ)"
	bad --app https://api.example.com --user-pool eu-west-2 --client-id c --cognito-domain "$DOMAIN"
	want="uktv-guide: --client-id a\"b: not an app client id (1-128 of A-Z a-z 0-9 _ +)"
	bad --app https://api.example.com --user-pool "$POOL" --client-id 'a"b' --cognito-domain "$DOMAIN"
	want="uktv-guide: --cognito-domain https://$DOMAIN: the host name only, without the scheme (auth.example.com)"
	bad --app https://api.example.com --user-pool "$POOL" --client-id c --cognito-domain "https://$DOMAIN"
	want="uktv-guide: --cognito-domain auth.example.com/login: not a host name (the hosted UI's domain, e.g. auth.example.com or NAME.auth.REGION.amazoncognito.com)"
	bad --app https://api.example.com --user-pool "$POOL" --client-id c --cognito-domain auth.example.com/login
	[ ! -e "$D" ]
}

@test "app/ holds the page, its script and stylesheet from the binary; settings as JSON, the API's origin in the CSP, no inline script" {
	# A copy of the binary, run away from the source tree: the files are in it.
	cp "$(command -v uktv-guide)" "$BATS_TEST_TMPDIR/uktv-guide"
	run bash -c "cd / && '$BATS_TEST_TMPDIR/uktv-guide' -t '$T' -o '$D' \
	    --app '$API_URL/prod/' --user-pool '$POOL' --client-id '$CLIENT' --cognito-domain '$DOMAIN'"
	assert_success
	for f in index.html app.js app.css; do
		assert_line "{\"action\":\"created\",\"file\":\"$D/app/$f\"}"
	done
	cmp "$D/app/app.js" "$UKTV_ROOT/lib/guide/app/app.js"
	cmp "$D/app/app.css" "$UKTV_ROOT/lib/guide/app/app.css"
	i="$D/app/index.html"
	grep -qF "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'self'; style-src 'self'; img-src https:; connect-src $API_URL; base-uri 'none'; form-action 'none'\">" "$i"
	# The settings are data: one JSON block, which the script reads.
	region=${POOL%%_*}
	jq -e --arg api "$API_URL/prod/" --arg p "$POOL" --arg r "$region" --arg c "$CLIENT" --arg d "$DOMAIN" \
	    '. == {api: $api, userPool: $p, region: $r, clientId: $c, domain: $d}' \
	    <<<"$(sed -n 's|^<script type="application/json" id="config">\(.*\)</script>$|\1|p' "$i")"
	# Every script element is either that block or app.js; no handler attribute.
	assert_equal "$(grep -o '<script[^>]*>' "$i" | sort | tr '\n' ' ')" \
	    "$(grep -o '<script src="app.js?v=[0-9a-f]\{8\}" defer>' "$i") <script type=\"application/json\" id=\"config\"> "
	run grep -Eic ' on[a-z]+=|javascript:|innerHTML|insertAdjacentHTML|document\.write|eval\(' \
	    "$i" "$D/app/app.js"
	assert_output "$(printf '%s\n' "$i:0" "$D/app/app.js:0")"
	# Valid HTML5: tidy says nothing.
	run tidy -q -e "$i"
	assert_success
	assert_output ""
	# The site's title, escaped, in the page's title and link.
	run uktv-guide -t "$T" -o "$D" --site-title 'Tom & Jerry <TV>' $(app_args)
	assert_success
	grep -qF '<title>My guide – Tom &amp; Jerry &lt;TV&gt;</title>' "$i"
	grep -qF '<p class="site"><a href="../index.html">Tom &amp; Jerry &lt;TV&gt;</a></p>' "$i"
}

@test "a second run writes nothing; a run without --app removes app/'s files; --s3 uploads them with their types" {
	run uktv-guide -t "$T" -o "$D" $(app_args)
	assert_success
	run uktv-guide -t "$T" -o "$D" $(app_args)
	assert_success
	assert_output ""
	run uktv-guide -t "$T" -o "$D"
	assert_success
	assert_equal "$(jq -r '.action + " " + .file' <<<"$output" | sed "s|$D/||" | sort | tr '\n' ,)" \
	    "deleted app/app.css,deleted app/app.js,deleted app/index.html,"
	aws s3api create-bucket --bucket app-site \
	    --create-bucket-configuration LocationConstraint=eu-west-2 >/dev/null
	run uktv-guide -t "$T" --s3 s3://app-site/web $(app_args)
	assert_success
	for f in index.html app.js app.css; do
		assert_line "{\"action\":\"uploaded\",\"url\":\"s3://app-site/web/app/$f\"}"
	done
	run aws s3api head-object --bucket app-site --key web/app/app.js
	jq -e '.ContentType == "text/javascript; charset=utf-8"' <<<"$output"
	run aws s3api head-object --bucket app-site --key web/app/index.html
	jq -e '.ContentType == "text/html; charset=utf-8" and .CacheControl == "public, max-age=300"' <<<"$output"
}

@test "browser: the token from #id_token leaves the address bar, is kept for the tab, and the greeting names the viewer" {
	seen 'the token leaves the address bar and is kept for the tab'
	seen 'the greeting names the signed-in user'
}

@test "browser: My guide lists exactly the titles uktv-prefs titles --enriched-only lists, with poster, year, type and rating" {
	seen 'My guide lists exactly uktv-prefs titles --enriched-only, in its order'
	seen 'cards show a poster, year, type and rating'
}

@test "browser: the detail panel shows the plot, source and genre names, where to watch and the public page; Escape closes it" {
	seen 'the detail panel: plot, source and genre names, where to watch, the public page'
	seen 'Escape closes the panel and focus goes back to the card'
}

@test "browser: Recommendations lists exactly uktv-prefs recommendations --enriched-only" {
	seen 'Recommendations lists exactly uktv-prefs recommendations --enriched-only'
}

@test "browser: My choices ticks what is stored; ticking a genre and saving changes what uktv-prefs get reads" {
	seen 'My choices: every source and genre by name, the stored ones ticked, favourites listed'
	seen 'ticking a genre and saving changes what uktv-prefs get reads'
	seen 'after saving, My guide is uktv-prefs titles again'
}

@test "browser: a star adds a favourite, and My choices removes it" {
	seen 'a star adds a favourite that uktv-prefs get reads'
	seen 'a favourite is removed from My choices'
}

@test "browser: a title named <img src=x onerror=alert(1)> shows as text and runs nothing" {
	seen 'a title named with HTML shows as text and runs nothing'
}

@test "browser: an expired token shows \"Sign in again\" and sends no further API calls; so does a 401" {
	seen 'an expired token: "Sign in again" and no further API calls'
	seen 'a token the API refuses (401): "Sign in again", then nothing more'
}

@test "browser: \"Sign in\" goes to the hosted UI's exact URL; \"Sign out\" clears the token and goes to its logout" {
	seen '"Sign in" goes to the hosted UI'"'"'s exact URL'
	seen '"Sign out" clears the token and goes to the hosted UI'"'"'s logout'
}

@test "browser: loading and error states: a failing API's error is shown, and \"Try again\" loads the view" {
	seen 'a failing API shows its error and "Try again" loads the view'
}

@test "browser: keyboard-usable, one column under 600 px, the CSP holds, no console errors" {
	seen 'keyboard: buttons are buttons, every checkbox labelled, no inline handlers, focus visible'
	seen 'Enter on a card opens its detail panel'
	seen 'one column under 600 px, a grid on a wide screen'
	seen 'the Content-Security-Policy allows only the page, its API and https images'
	seen 'no console errors, script errors or requests off the machine'
}

@test "browser: a screenshot of each view at 1280x900 and 390x844" {
	seen 'screenshots of each view at 1280x900 and 390x844'
	for v in guide detail recommendations choices error expired signed-out; do
		for s in 1280x900 390x844; do
			f="$SHOTS/app-$v-$s.png"
			assert_file_exists "$f"
			[ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
			echo "# screenshot: $f" >&3
		done
	done
}
