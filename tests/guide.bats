#!/usr/bin/env bats
# uktv-guide against moto: the static site from the original app's items,
# from our own fixture (HTML in titles, unenriched titles, bad URLs, UTF-8,
# users; tests/fixtures/guide/README.md) and from a table the pipeline
# filled; written to a folder and uploaded to a moto S3 bucket (path-style),
# read back with the AWS CLI; HTML checked with tidy and loaded in headless
# Chromium.  The signature-checking test runs last: it turns moto's checking
# on for the rest of the file.

load helpers/common
load helpers/watchmode

bats_require_minimum_version 1.5.0

G="$FIXTURES/guide"
SEED="$FIXTURES/seed-data"
BUCKET=guide-site
ARTIFACTS="$UKTV_ROOT/tests/artifacts"

# load_items TABLE FILE...: writes the typed items of the files (JSON arrays,
# or Scan outputs with .Items) in BatchWriteItem groups of 25, side by side.
load_items() {
	local t=$1
	shift
	jq -cs --arg t "$t" '[.[] | if type == "array" then .[] else .Items[] end] as $it |
	    range(0; $it | length; 25) as $i |
	    {($t): [$it[$i:$i + 25][] | {PutRequest: {Item: .}}]}' "$@" |
	{
		local pids=() batch pid
		while read -r batch; do
			aws dynamodb batch-write-item --request-items "$batch" >/dev/null &
			pids+=($!)
		done
		for pid in "${pids[@]}"; do wait "$pid" || return 1; done
	}
}

setup_file() {
	# A fresh CI machine may lack the browser (scripts/setup does not list
	# it yet): installed here, once, only when absent.
	if [ ! -x /usr/bin/chromium ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
		    { echo "cannot install chromium" >&2; return 1; }
	fi
	moto_start
	watchmode_start
	unset UKTV_TABLE
	# The AWS CLI takes a second a call: the resources of every test are
	# made here, side by side.
	local pids=() pid
	{ make_table Fixture && load_items Fixture "$G/items.json"; } &
	pids+=($!)
	{ make_table Changes && load_items Changes "$G/items.json"; } &
	pids+=($!)
	{
		make_table Original &&
		load_items Original "$SEED"/example_data_{sources,genres,titles,userprefs}.json
	} &
	pids+=($!)
	make_table Pipe &
	pids+=($!)
	make_stream guide-titles &
	pids+=($!)
	aws s3api create-bucket --bucket "$BUCKET" \
	    --create-bucket-configuration LocationConstraint=eu-west-2 >/dev/null &
	pids+=($!)
	{
		echo old >"$BATS_FILE_TMPDIR/old" &&
		aws s3api create-bucket --bucket guide-auth \
		    --create-bucket-configuration LocationConstraint=eu-west-2 >/dev/null &&
		aws s3api put-object --bucket guide-auth --key "old page.html" \
		    --body "$BATS_FILE_TMPDIR/old" >/dev/null
	} &
	pids+=($!)
	for pid in "${pids[@]}"; do wait "$pid" || return 1; done
}

teardown_file() {
	watchmode_stop
	moto_stop
}

setup() {
	unset UKTV_TABLE UKTV_S3_MAX_KEYS AWS_ENDPOINT_URL_S3
	D="$BATS_TEST_TMPDIR/site"
}

# valid_html DIR: tidy reports nothing (no error, no warning) for every page.
valid_html() {
	local f out n=0
	for f in $(find "$1" -name '*.html' | sort); do
		out=$(tidy -q -e "$f" 2>&1) || { echo "tidy: $f: $out"; return 1; }
		[ -z "$out" ] || { echo "tidy: $f: $out"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}

# links_resolve PAGE...: every relative href/src of each PAGE names a file
# beside it (one python for all pages).  links_resolve --dom PAGE HTML: the
# same for HTML given as text, e.g. a browser's DOM of PAGE.
links_resolve() {
	python3 - "$@" <<'PY'
import html, os, re, sys, urllib.parse
args = sys.argv[1:]
pages = [(args[1], args[2])] if args[0] == "--dom" else \
    [(p, open(p, encoding="utf-8").read()) for p in args]
bad = []
for page, text in pages:
    n = 0
    for m in re.finditer(r'(?:href|src)="([^"]*)"', text):
        url = html.unescape(m.group(1))
        if re.match(r'^[a-zA-Z][a-zA-Z0-9+.-]*:', url):
            if not url.startswith(("http://", "https://")):
                bad.append(page + ": scheme: " + url)
            continue
        n += 1
        path = urllib.parse.unquote(url.split("#")[0].split("?")[0])
        if not os.path.isfile(os.path.join(os.path.dirname(page), path)):
            bad.append(page + ": missing: " + url)
    if n == 0:
        bad.append(page + ": no relative links")
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
PY
}

# card_ids PAGE: the title ids of a page's cards, in page order.
card_ids() {
	grep -o '<h[23]><a href="[^"]*titles/[0-9]*\.html"' "$1" |
	    sed 's|.*titles/\([0-9]*\)\.html"|\1|'
}

@test "--help exits 0 and every long option is in both completion files" {
	run uktv-guide --help
	assert_success
	assert_line --index 0 --partial "usage: uktv-guide"
	opts=$(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 15 ]
	for o in $opts; do
		grep -q -- "$o" "$UKTV_ROOT/completions/bash/uktv-guide" || fail "bash completion lacks $o"
		grep -q -- "$o" "$UKTV_ROOT/completions/zsh/_uktv-guide" || fail "zsh completion lacks $o"
	done
}

@test "--version prints the name and version" {
	run uktv-guide --version
	assert_success
	assert_output "uktv-guide 0.1.0"
}

@test "usage errors say what is wrong in one line, then the usage, and exit 2" {
	run --separate-stderr uktv-guide -t Fixture
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" \
	    "uktv-guide: say where the site goes: -o DIR, --s3 s3://BUCKET/PREFIX or both"
	assert_equal "$(sed -n 2p <<<"$stderr" | cut -c1-17)" "usage: uktv-guide"
	assert_output ""
	run --separate-stderr uktv-guide --s3 http://bucket/x
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" \
	    "uktv-guide: --s3 http://bucket/x: not an s3://BUCKET/PREFIX URL"
	run --separate-stderr uktv-guide --s3 s3://Bad_Bucket/x
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-guide: --s3 s3://Bad_Bucket/x: not a \
valid bucket name (3-63 characters of a-z 0-9 . -)"
	run --separate-stderr uktv-guide --s3 s3://guide-site/a/../b
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-guide: --s3 s3://guide-site/a/../b: \
the prefix has an empty, \".\" or \"..\" part"
	run --separate-stderr uktv-guide -o "$D" --frobnicate
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-guide: unknown option --frobnicate"
	run --separate-stderr uktv-guide -o
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-guide: -o needs a value"
	run --separate-stderr uktv-guide -o "$D" extra
	assert_failure 2
	assert_equal "$(head -1 <<<"$stderr")" "uktv-guide: unexpected argument 'extra'"
	[ ! -e "$D" ]
}

@test "the original app's table gives an index, a page per followed pair and per title, all valid HTML5" {
	run --separate-stderr uktv-guide -t Original -o "$D"
	assert_success
	# One line per file written, all of them new.
	[ "$(wc -l <<<"$output")" -eq 27 ]
	jq -se 'all(.action == "created") and (map(.file) | all(startswith("'"$D"'/")))' <<<"$output"
	for f in index.html titles.html style.css; do assert_file_exists "$D/$f"; done
	# The original's user follows 203, 349 x 4, 6: four pairs, all with titles.
	assert_equal "$(cd "$D/pairs" && ls | tr '\n' ' ')" "203-4.html 203-6.html 349-4.html 349-6.html "
	assert_equal "$(ls "$D/titles" | wc -l)" 20
	assert [ ! -e "$D/users" ]
	grep -q '<h3>Netflix</h3>' "$D/index.html"
	grep -q '<a href="pairs/349-6.html">Documentary</a>' "$D/index.html"
	grep -q '<h1>Bullet Train</h1>' "$D/titles/1615420.html"
	valid_html "$D"
	links_resolve "$D"/index.html "$D"/titles.html "$D"/pairs/*.html "$D"/titles/*.html
}

@test "HTML in titles and plots is shown as text and only http(s) links come from the data" {
	run uktv-guide -t Fixture -o "$D" --users
	assert_success
	t="$D/titles/9000001.html"
	grep -qF '<h1>&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;</h1>' "$t"
	grep -qF "<title>&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt; – UK TV guide</title>" "$t"
	grep -qF 'alt="Poster: &lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;"' "$t"
	grep -qF 'A &lt;b&gt;bold&lt;/b&gt; plot &amp; &quot;quotes&quot; that must stay text.' "$t"
	run grep -rl -e '<script' -e '<b>' "$D"
	assert_failure
	run grep -rli 'javascript:' "$D"
	assert_failure
	grep -qF '<a href="https://www.netflix.com/title/9000001?a=1&amp;b=2">Netflix</a>' "$t"
	grep -qF '<li>Evil Links <span class="kind">subscription, HD</span></li>' "$t"
	grep -qF 'rent, SD, £3.49' "$t"
	# GB offers only.
	run grep -c 'Netflix US' "$t"
	assert_output 0
	grep -qF '<h3>Sci-Fi &amp; Fantasy</h3>' "$D/index.html"
	grep -qF '<h1>Café Ünïcode — 日本</h1>' "$D/titles/9000004.html"
	valid_html "$D"
	run uktv-guide -t Fixture -o "$D" --site-title 'Tom & Jerry <TV>'
	assert_success
	grep -qF '<title>Tom &amp; Jerry &lt;TV&gt;</title>' "$D/index.html"
	grep -qF '<a href="../index.html">Tom &amp; Jerry &lt;TV&gt;</a>' "$D/titles/9000002.html"
}

@test "titles not yet enriched have no image and no plot; a poster that is not a web address is left out" {
	run uktv-guide -t Fixture -o "$D"
	assert_success
	for f in "$D/titles/9000002.html" "$D/titles/9000003.html"; do
		run grep -c '<img' "$f"
		assert_output 0
	done
	run grep -c 'class="plot"' "$D/titles/9000002.html"
	assert_output 0
	# 203 x 4 shows 9000003, 9000001, 9000002: one poster, 9000001's.
	run grep -o '<img [^>]*>' "$D/pairs/203-4.html"
	assert_output '<img src="https://cdn.watchmode.com/posters/09000001_poster_w185.jpg" alt="Poster: &lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" width="120" height="180">'
	# Every image of the site has alt text and a size.
	run bash -c "grep -rho '<img [^>]*>' '$D' | grep -v 'alt=\"[^\"]\\+\" width=\"[0-9]\\+\" height=\"[0-9]\\+\"'"
	assert_output ""
	[ "$(grep -rho '<img ' "$D" | wc -l)" -ge 4 ]
}

@test "pair pages exist only for followed pairs with titles, ordered as uktv-prefs orders titles" {
	run uktv-guide -t Fixture -o "$D"
	assert_success
	assert_equal "$(cd "$D/pairs" && ls | tr '\n' ' ')" "203-4.html 26-9.html "
	order=$(uktv-prefs -t Fixture titles alice | jq -r .id)
	assert_equal "$(tr '\n' ' ' <<<"$order")" "9000003 9000001 9000004 9000002 "
	assert_equal "$(card_ids "$D/pairs/203-4.html" | tr '\n' ' ')" \
	    "$(grep -xE '9000001|9000002|9000003' <<<"$order" | tr '\n' ' ')"
	assert_equal "$(card_ids "$D/pairs/26-9.html" | tr '\n' ' ')" "9000001 9000004 "
	# 9000005 is on a pair nobody follows: its own page, no pair page.
	assert_file_exists "$D/titles/9000005.html"
	run grep -c 'In this guide' "$D/titles/9000005.html"
	assert_output 0
	run grep -c 'pairs/409' "$D/index.html"
	assert_output 0
	grep -q '<a href="../pairs/26-9.html">Prime Video · Sci-Fi &amp; Fantasy</a>' "$D/titles/9000001.html"
}

@test "user pages only with --users, in uktv-prefs' order, removed again by a run without it" {
	run uktv-guide -t Fixture -o "$D"
	assert_success
	assert [ ! -e "$D/users" ]
	run grep -rl -e alice -e 'bob@example' "$D"
	assert_failure
	run uktv-guide -t Fixture -o "$D" --users
	assert_success
	assert_line '{"action":"created","file":"'"$D"'/users/alice.html"}'
	assert_line '{"action":"created","file":"'"$D"'/users/bob@example.com.html"}'
	assert_line '{"action":"updated","file":"'"$D"'/index.html"}'
	grep -qF '<a href="users/bob%40example.com.html">bob@example.com</a>' "$D/index.html"
	u="$D/users/alice.html"
	all=$(uktv-prefs -t Fixture titles alice | jq -r .id | tr '\n' ' ')
	rec=$(uktv-prefs -t Fixture recommendations alice | jq -r .id | tr '\n' ' ')
	assert_equal "$rec" "9000003 9000001 9000004 "
	# The page: recommendations first, then every title.
	assert_equal "$(card_ids "$u" | tr '\n' ' ')" "$rec$all"
	links_resolve "$D/index.html" "$u"
	valid_html "$D"
	run uktv-guide -t Fixture -o "$D"
	assert_success
	assert_line '{"action":"deleted","file":"'"$D"'/users/alice.html"}'
	assert_line '{"action":"deleted","file":"'"$D"'/users/bob@example.com.html"}'
	assert_file_not_exists "$u"
	run grep -rl -e alice -e 'bob@example' "$D"
	assert_failure
}

@test "a run on an unchanged table writes nothing; a changed title rewrites only the pages that show it" {
	run uktv-guide -t Changes -o "$D"
	assert_success
	stamp() { find "$D" -type f -printf '%P %i %T@\n' | sort; }
	before=$(stamp)
	run --separate-stderr uktv-guide -t Changes -o "$D" -v
	assert_success
	assert_output ""
	assert_equal "$(stamp)" "$before"
	grep -q "0 created, 0 updated, 0 deleted" <<<"$stderr"
	aws dynamodb update-item --table-name Changes \
	    --key '{"PK":{"S":"title:9000004"},"SK":{"S":"record"}}' \
	    --update-expression 'SET #d.user_rating = :r' \
	    --expression-attribute-names '{"#d":"data"}' \
	    --expression-attribute-values '{":r":{"N":"7.6"}}'
	run uktv-guide -t Changes -o "$D"
	assert_success
	assert_equal "$(jq -r '.action + " " + .file' <<<"$output" | sed "s|$D/||" | sort | tr '\n' ,)" \
	    "updated pairs/26-9.html,updated titles/9000004.html,"
	grep -q 'rated 7.6' "$D/titles/9000004.html"
	aws dynamodb delete-item --table-name Changes \
	    --key '{"PK":{"S":"title:9000005"},"SK":{"S":"record"}}'
	run uktv-guide -t Changes -o "$D"
	assert_success
	assert_equal "$(jq -r '.action + " " + .file' <<<"$output" | sed "s|$D/||" | sort | tr '\n' ,)" \
	    "deleted titles/9000005.html,updated index.html,updated titles.html,"
	assert_file_not_exists "$D/titles/9000005.html"
}

@test "--s3 uploads the site with its types and cache headers, then only what changed behind its back" {
	export UKTV_S3_MAX_KEYS=4	# listing pages of 4: continuation tokens
	run --separate-stderr uktv-guide -t Fixture -o "$D" --users --s3 "s3://$BUCKET/web" -vv
	assert_success
	n=$(find "$D" -type f | wc -l)
	[ "$(grep -c '"uploaded"' <<<"$output")" -eq "$n" ]
	assert_line '{"action":"uploaded","url":"s3://guide-site/web/users/bob@example.com.html"}'
	grep -q "GET $MOTO_URL/$BUCKET?list-type=2&max-keys=4&prefix=web%2F" <<<"$stderr"
	# Path-style: the bucket in the path, as moto needs.
	grep -q "PUT $MOTO_URL/$BUCKET/web/index.html" <<<"$stderr"
	keys=$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix web/ --query 'Contents[].Key' --output text | tr '\t' '\n' | sort)
	assert_equal "$keys" "$(cd "$D" && find . -type f | sed 's|^\./|web/|' | sort)"
	run aws s3api get-object --bucket "$BUCKET" --key web/pairs/203-4.html "$BATS_TEST_TMPDIR/got"
	assert_success
	cmp "$BATS_TEST_TMPDIR/got" "$D/pairs/203-4.html"
	jq -e '.ContentType == "text/html; charset=utf-8" and .CacheControl == "public, max-age=300"' <<<"$output"
	run aws s3api get-object --bucket "$BUCKET" --key web/style.css "$BATS_TEST_TMPDIR/got"
	assert_success
	cmp "$BATS_TEST_TMPDIR/got" "$D/style.css"
	jq -e '.ContentType == "text/css; charset=utf-8" and .CacheControl == "public, max-age=86400"' <<<"$output"

	# Unchanged: the listing is read (all pages), nothing is sent.
	run --separate-stderr uktv-guide -t Fixture -o "$D" --users --s3 "s3://$BUCKET/web" -vv
	assert_success
	assert_output ""
	[ "$(grep -c "GET $MOTO_URL/$BUCKET?continuation-token=" <<<"$stderr")" -ge 2 ]
	run grep -c "PUT \|DELETE " <<<"$stderr"
	assert_output 0

	# Behind its back: one object deleted, one changed, one added in the
	# folder, one outside it.
	aws s3api delete-object --bucket "$BUCKET" --key web/index.html
	mkdir -p "$BATS_TEST_TMPDIR/back/web/old" "$BATS_TEST_TMPDIR/back/other"
	for f in web/style.css web/old/stale.html other/keep.html; do
		echo changed >"$BATS_TEST_TMPDIR/back/$f"
	done
	aws s3 cp --recursive --quiet "$BATS_TEST_TMPDIR/back" "s3://$BUCKET/"
	run uktv-guide -t Fixture --users --s3 "s3://$BUCKET/web/"
	assert_success
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" \
	    '{"action":"deleted","url":"s3://guide-site/web/old/stale.html"} {"action":"uploaded","url":"s3://guide-site/web/index.html"} {"action":"uploaded","url":"s3://guide-site/web/style.css"} '
	run aws s3api list-objects-v2 --bucket "$BUCKET" --output json
	assert_success
	jq -e --arg md5 "$(md5sum <"$D/style.css" | cut -c1-32)" \
	    '[.Contents[] | select(.Key == "web/style.css" and .ETag == "\"\($md5)\"")] | length == 1' <<<"$output"
	jq -e '[.Contents[] | select(.Key == "other/keep.html" or .Key == "web/index.html")] | length == 2' <<<"$output"

	# Without --users the user pages leave the bucket too.
	run uktv-guide -t Fixture --s3 "s3://$BUCKET/web"
	assert_success
	assert_equal "$(sort <<<"$output" | jq -r '.action + " " + .url' | tr '\n' ,)" \
	    "deleted s3://guide-site/web/users/alice.html,deleted s3://guide-site/web/users/bob@example.com.html,uploaded s3://guide-site/web/index.html,"
}

@test "the site of a table the pipeline filled: refdata, prefs, titles | publish, consume --enrich" {
	uktv-refdata -t Pipe -n
	uktv-prefs -t Pipe put carol --sources 26,349 --genres 9,13
	uktv-titles -t Pipe | uktv-publish -s guide-titles
	uktv-consume -s guide-titles -t Pipe -e -n --enrich
	run uktv-guide -t Pipe -o "$D" --s3 "s3://$BUCKET/pipeline/été et plus"
	assert_success
	# A page per pair with index entries (each was written for a followed
	# pair) and a page per title record.
	aws dynamodb scan --table-name Pipe --output json >"$BATS_TEST_TMPDIR/scan"
	pairs=$(jq -r '[.Items[].PK.S | select(test("^source:[0-9]+:genre:[0-9]+$")) |
	      capture("source:(?<s>[0-9]+):genre:(?<g>[0-9]+)") | "\(.s)-\(.g).html"] | unique | .[]' "$BATS_TEST_TMPDIR/scan")
	[ -n "$pairs" ]
	assert_equal "$(cd "$D/pairs" && ls | sort)" "$(sort <<<"$pairs")"
	titles=$(jq -r '[.Items[] | select(.SK.S == "record") | .PK.S | ltrimstr("title:") + ".html"] | sort | .[]' \
	    "$BATS_TEST_TMPDIR/scan")
	assert_equal "$(ls "$D/titles" | sort)" "$titles"
	# Enriched titles show their poster and where to watch.
	enriched=$(jq -r '[.Items[] | select(.SK.S == "record" and .data.M.poster.S != null) | .PK.S | ltrimstr("title:")][0]' \
	    "$BATS_TEST_TMPDIR/scan")
	grep -q '<img src="https://' "$D/titles/$enriched.html"
	grep -q '<h2>Where to watch</h2>' "$D/titles/$enriched.html"
	valid_html "$D"
	# The carol's guide order holds on every pair page.
	order=$(uktv-prefs -t Pipe titles carol | jq -r .id)
	for p in "$D"/pairs/*.html; do
		ids=$(card_ids "$p")
		assert_equal "$ids" "$(grep -xF -f <(echo "$ids") <<<"$order")"
	done
	aws s3api get-object --bucket "$BUCKET" --key "pipeline/été et plus/index.html" "$BATS_TEST_TMPDIR/got" >/dev/null
	cmp "$BATS_TEST_TMPDIR/got" "$D/index.html"
}

@test "headless Chromium loads the index and a pair page: no script errors, every relative link a file" {
	run uktv-guide -t Fixture -o "$D" --users
	assert_success
	mkdir -p "$ARTIFACTS"
	chrome() {
		chromium --headless --no-sandbox --disable-gpu \
		    --disable-background-networking --disable-component-update \
		    --disable-sync --disable-default-apps --no-first-run \
		    --disable-extensions --host-resolver-rules='MAP * ~NOTFOUND' \
		    --enable-logging=stderr --v=0 --window-size=412,1000 "$@"
	}
	chrome --dump-dom "file://$D/index.html" >"$BATS_TEST_TMPDIR/index.dom" 2>"$BATS_TEST_TMPDIR/index.log"
	chrome --dump-dom --screenshot="$ARTIFACTS/guide-pair.png" \
	    "file://$D/pairs/203-4.html" >"$BATS_TEST_TMPDIR/pair.dom" 2>"$BATS_TEST_TMPDIR/pair.log"
	for p in index pair; do
		# Console messages (script errors) are logged as CONSOLE lines.
		run grep -E ':CONSOLE|Uncaught' "$BATS_TEST_TMPDIR/$p.log"
		assert_failure
	done
	# The browser parsed the pages as written: the title's "<script>" is
	# text, not an element.
	grep -q '<h1>UK TV guide</h1>' "$BATS_TEST_TMPDIR/index.dom"
	grep -qF '&lt;script&gt;alert' "$BATS_TEST_TMPDIR/pair.dom"
	run grep -c '<script' "$BATS_TEST_TMPDIR/pair.dom"
	assert_output 0
	links_resolve --dom "$D/index.html" "$(cat "$BATS_TEST_TMPDIR/index.dom")"
	links_resolve --dom "$D/pairs/203-4.html" "$(cat "$BATS_TEST_TMPDIR/pair.dom")"
	[ "$(head -c 8 "$ARTIFACTS/guide-pair.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	[ "$(stat -c %s "$ARTIFACTS/guide-pair.png")" -gt 10000 ]
}

@test "an output directory that cannot be created exits 73; an S3 endpoint that refuses exits 69" {
	touch "$BATS_TEST_TMPDIR/file"
	run --separate-stderr uktv-guide -t Fixture -o "$BATS_TEST_TMPDIR/file/site"
	assert_failure 73
	assert_equal "$stderr" "uktv-guide: $BATS_TEST_TMPDIR/file/site: Not a directory"
	# before the table is read: with -v it would have said how many titles
	run --separate-stderr uktv-guide -v -t Fixture -o /proc/nope
	assert_failure 73
	assert_equal "$stderr" "uktv-guide: /proc/nope: No such file or directory"
	# a missing table: named before any work
	run --separate-stderr uktv-guide -t NoSuchTable -o "$BATS_TEST_TMPDIR/site"
	assert_failure 78
	assert_equal "$stderr" "uktv-guide: no table NoSuchTable in eu-west-2 (the name is from -t): create it, or name the table with -t or UKTV_TABLE"
	export AWS_ENDPOINT_URL_S3="http://127.0.0.1:$(free_port)"
	run --separate-stderr uktv-guide -t Fixture --s3 "s3://$BUCKET/x"
	assert_failure 69
	assert_equal "$(wc -l <<<"$stderr")" 1
	[[ $stderr == "uktv-guide: list s3://$BUCKET/x/: "* ]]
}

@test "-o DIR | head -1: the log stops, the site is written whole, exit 0 without a word" {
	# A deep folder: 27 log lines of 3.5 KB each, more than a pipe and
	# head take, so the log is cut while files are still to be written.
	D="$BATS_TEST_TMPDIR"
	for i in $(seq 14); do D="$D/$(printf 'd%.0s' $(seq 250))"; done
	mkdir -p "$D"
	head1 uktv-guide -t Original -o "$D/site"
	[ "$head1_status" = 0 ] || fail "exit $head1_status; stderr: $head1_err"
	assert_equal "$head1_err" ""
	jq -e '.action == "created"' <<<"$head1_first"
	# every page the index links to is there, and every page a full run
	# writes
	links_resolve "$D/site/index.html" "$D/site"/pairs/*.html "$D/site"/titles/*.html
	uktv-guide -t Original -o "$BATS_TEST_TMPDIR/full" >/dev/null
	diff <(cd "$D/site" && find . | sort) <(cd "$BATS_TEST_TMPDIR/full" && find . | sort)
	# and the next run finds nothing to do
	run -0 --separate-stderr uktv-guide -t Original -o "$D/site"
	assert_output ""
}

@test "S3 requests for keys with spaces, UTF-8, @ and + are signed exactly as botocore signs them" {
	# moto's own checking cannot judge these keys (it rejects the AWS CLI's
	# requests for them too): a capture endpoint records what uktv sends and
	# botocore's S3 signer recomputes each signature.
	cat >"$BATS_TEST_TMPDIR/capture.py" <<'PY'
import base64, http.server, json, sys
log = open(sys.argv[2], "a")
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def handle_one(self, status, body=b"", extra=()):
        n = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(n) if n else b""
        log.write(json.dumps({"method": self.command, "path": self.path,
            "headers": dict(self.headers.items()),
            "body": base64.b64encode(data).decode()}) + "\n")
        log.flush()
        self.send_response(status)
        for k, v in extra:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        self.handle_one(200, b'<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult '
            b'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Contents><Key>caf&#xE9; '
            b'site/old+page@x.html</Key><ETag>&quot;0&quot;</ETag><Size>1</Size></Contents>'
            b'<IsTruncated>false</IsTruncated></ListBucketResult>')
    def do_PUT(self):
        self.handle_one(200, extra=[("ETag", '"x"')])
    def do_DELETE(self):
        self.handle_one(204)
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
	start_bg capture python3 "$BATS_TEST_TMPDIR/capture.py" "$BATS_TEST_TMPDIR/port" "$BATS_TEST_TMPDIR/requests"
	wait_until 10 test -s "$BATS_TEST_TMPDIR/port"
	AWS_ENDPOINT_URL_S3="http://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")" \
	    run uktv-guide -t Fixture --users --s3 "s3://guide-site/café site/"
	stop_bg capture
	assert_success
	assert_line '{"action":"uploaded","url":"s3://guide-site/café site/users/bob@example.com.html"}'
	assert_line '{"action":"deleted","url":"s3://guide-site/café site/old+page@x.html"}'
	run python3 - "$BATS_TEST_TMPDIR/requests" <<'PY'
import base64, hashlib, json, sys
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
seen = set()
for line in open(sys.argv[1]):
    r = json.loads(line)
    h = {k.lower(): v for k, v in r["headers"].items()}
    auth = h["authorization"]
    signed = auth.split("SignedHeaders=")[1].split(",")[0].split(";")
    got = auth.split("Signature=")[1]
    body = base64.b64decode(r["body"])
    assert h["x-amz-content-sha256"] == hashlib.sha256(body).hexdigest(), r["path"]
    req = AWSRequest(method=r["method"], url="http://" + h["host"] + r["path"],
        data=body, headers={k: v for k, v in h.items() if k.lower() in signed})
    req.context["timestamp"] = h["x-amz-date"]
    a = S3SigV4Auth(Credentials("testing", "testing"), "s3", "eu-west-2")
    want = a.signature(a.string_to_sign(req, a.canonical_request(req)), req)
    assert got == want, (r["method"], r["path"])
    seen.add((r["method"], r["path"].split("?")[0]))
assert ("PUT", "/guide-site/caf%C3%A9%20site/users/bob%40example.com.html") in seen, seen
assert ("DELETE", "/guide-site/caf%C3%A9%20site/old%2Bpage%40x.html") in seen, seen
assert ("GET", "/guide-site") in seen, seen
print(len(seen), "requests")
PY
	assert_success
	assert_output "14 requests"
}

@test "uploads with moto's signature checking on, as a user with only the example policy" {
	# examples/iam/uktv-guide.json for this bucket; moto matches DynamoDB
	# actions against Resource "*" only (MOTO-NOTES.md).
	policy=$(jq -c '.Statement |= map(
	    if (.Resource | tostring | test("dynamodb")) then .Resource = "*"
	    else .Resource |= (if type == "array" then map(sub("uktv-guide"; "guide-auth")) else sub("uktv-guide"; "guide-auth") end) end)' \
	    "$UKTV_ROOT/examples/iam/uktv-guide.json")
	keys=$(moto_iam_user guider "$policy")
	moto_enable_auth
	export AWS_ACCESS_KEY_ID=${keys%%[[:space:]]*} AWS_SECRET_ACCESS_KEY=${keys##*[[:space:]]}
	# The bucket's top: moto's checking fails any listing with a "/" in
	# its prefix and any key with UTF-8, "@" or "+", for the AWS CLI too
	# (the test above proves those signatures against botocore instead).
	run --separate-stderr uktv-guide -t Fixture -o "$D" --s3 s3://guide-auth
	assert_success
	[ "$(grep -c '"uploaded"' <<<"$output")" -eq "$(find "$D" -type f | wc -l)" ]
	assert_line '{"action":"deleted","url":"s3://guide-auth/old page.html"}'
	as_admin aws s3api get-object --bucket guide-auth --key pairs/26-9.html \
	    "$BATS_TEST_TMPDIR/got" >/dev/null
	cmp "$BATS_TEST_TMPDIR/got" "$D/pairs/26-9.html"
	run uktv-guide -t Fixture --s3 s3://guide-auth
	assert_success
	assert_output ""
	# A bucket the policy does not name: AccessDenied, 77.
	run --separate-stderr uktv-guide -t Fixture --s3 "s3://$BUCKET"
	assert_failure 77
	[[ $stderr == *AccessDenied* ]]
	# A wrong secret: the signature is checked.
	AWS_SECRET_ACCESS_KEY=wrong run --separate-stderr uktv-guide -t Fixture --s3 s3://guide-auth
	assert_failure 77
	[[ $stderr == *SignatureDoesNotMatch* ]]
}
