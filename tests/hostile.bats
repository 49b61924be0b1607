#!/usr/bin/env bats
# hostile.bats: bad input on stdin for every tool that reads NDJSON there
# (uktv-publish, uktv-prefs import, uktv-titles --prefs-from, uktv-notify
# --records-from), by ARCHITECTURE.md's rules for input lines: each line rejected
# is named on stderr with its line number and reason, every good line around
# it is delivered, memory stays bounded (a line over the bound is skipped,
# never held), and the exit code is 1 when any line was rejected.
#
# The corpus is tests/fixtures/hostile/ (made by its make-corpus): TOOL.ndjson
# holds good lines with bad ones between them (invalid JSON, invalid UTF-8,
# NUL bytes, nesting 10,000 deep, not objects, blank lines, CRLF endings, no
# final newline), TOOL.good.ndjson the good lines alone and TOOL.rejects the
# lines that must be named.  uktv-titles reads prefs.ndjson as uktv-prefs
# does.  Lines over 1 MiB are made here.

load helpers/common
load helpers/watchmode

H="$BATS_TEST_DIRNAME/fixtures/hostile"

setup_file() {
	moto_start
	watchmode_start
	make_stream hostile
}

teardown_file() {
	watchmode_stop
	moto_stop
}

setup() {
	OUT="$BATS_TEST_TMPDIR/out"
	ERR="$BATS_TEST_TMPDIR/err"
	T="hostile$BATS_TEST_NUMBER"
}

# assert_rejects TOOL REJECTS: stderr ($ERR) names exactly the lines in
# REJECTS ("LINE CODE WHAT" each), each as "TOOL: line N: reason", with the
# reason's key word for the kinds ARCHITECTURE.md names.
assert_rejects() {
	local tool=$1 rejects=$2 n code what want got missing=0
	while read -r n code what; do
		got=$(grep -a "^$tool: line $n: " "$ERR") || {
			echo "line $n ($what) was not reported"
			missing=1
			continue
		}
		case $code in
		invalid_utf8)	want='UTF-8' ;;
		nul_byte)	want='NUL' ;;
		too_deep)	want='deep' ;;
		line_too_long)	want='longer than' ;;
		*)		want='' ;;
		esac
		if [ -n "$want" ] && ! grep -q "$want" <<<"$got"; then
			echo "line $n ($what): reason without '$want': $got"
			missing=1
		fi
	done <"$rejects"
	# ... and no good line was reported.
	want=$(awk '{print $1}' "$rejects" | sort -n | tr '\n' ' ')
	got=$(grep -ao "^$tool: line [0-9]*:" "$ERR" | grep -o '[0-9]*' | sort -n | uniq | tr '\n' ' ')
	if [ "$want" != "$got" ]; then
		echo "lines reported: $got"
		echo "lines expected: $want"
		missing=1
	fi
	[ "$missing" -eq 0 ] || { echo "stderr was:"; head -c 4000 "$ERR"; return 1; }
}

# stream_data STREAM: every record's data in the (one-shard) stream, one per line.
stream_data() {
	local it
	it=$(aws kinesis get-shard-iterator --stream-name "$1" \
	    --shard-id shardId-000000000000 --shard-iterator-type TRIM_HORIZON \
	    --query ShardIterator --output text)
	aws kinesis get-records --shard-iterator "$it" --limit 10000 --output json |
	    jq -r '.Records[].Data' | while read -r d; do
		printf '%s' "$d" | base64 -d
		echo
	done
}

# big_line BYTES: a JSON object line of BYTES bytes (without its newline).
big_line() {
	python3 -c '
import sys
n = int(sys.argv[1])
head, tail = b"{\"payload\":{\"id\":1,\"title\":\"", b"\"}}"
out = sys.stdout.buffer
out.write(head)
left = n - len(head) - len(tail)
chunk = b"x" * 65536
while left > 0:
    k = min(left, len(chunk))
    out.write(chunk[:k])
    left -= k
out.write(tail)
' "$1"
}

# maxrss_kb FILE: the peak RSS /usr/bin/time -f %M wrote to FILE.
maxrss_kb() {
	tail -1 "$1"
}

# Memory bound for a tool that skips a 128 MiB line: well under the line.
RSS_BOUND_KB=$((96 * 1024))

# exit_of COMMAND...: run COMMAND with stdout to $OUT and stderr to $ERR
# (stdin as given) and print its exit status.
exit_of() {
	local rc=0
	"$@" >"$OUT" 2>"$ERR" || rc=$?
	echo "$rc"
}

# without_times FILE: title events with their publishTimestamp left out.
without_times() {
	jq -c 'del(.header.publishTimestamp)' "$1"
}

# --- uktv-publish ---------------------------------------------------------

@test "publish: each bad line is named with its number and every good line is sent as written" {
	make_stream "$T"
	rc=$(exit_of uktv-publish -s "$T" <"$H/publish.ndjson")
	assert_rejects uktv-publish "$H/publish.rejects"
	[ "$rc" -eq 1 ]
	# The stream holds the good lines, in order, byte for byte (CR
	# stripped, duplicate keys and huge numbers untouched).
	diff <(stream_data "$T") "$H/publish.good.ndjson"
}

@test "publish: a line over 1 MiB is rejected, held in bounded memory, and the lines around it are sent" {
	make_stream "$T"
	{
		echo '{"payload":{"id":1,"title":"before"}}'
		big_line $((128 * 1024 * 1024))
		echo
		echo '{"payload":{"id":2,"title":"after"}}'
	} | /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" uktv-publish -s "$T" \
	    >"$OUT" 2>"$ERR" && rc=0 || rc=$?
	[ "$rc" -eq 1 ]
	grep -q '^uktv-publish: line 2: .*longer than' "$ERR"
	[ "$(grep -c 'line [0-9]*:' "$ERR")" -eq 1 ]
	[ "$(stream_data "$T" | jq -r .payload.title | tr '\n' ' ')" = "before after " ]
	[ "$(maxrss_kb "$BATS_TEST_TMPDIR/rss")" -lt "$RSS_BOUND_KB" ]
}

@test "publish: an empty input sends nothing, says nothing and exits 0" {
	make_stream "$T"
	rc=$(exit_of uktv-publish -s "$T" </dev/null)
	[ "$rc" -eq 0 ]
	[ ! -s "$ERR" ]
	[ -z "$(stream_data "$T")" ]
}

@test "publish: blank lines, CRLF endings and no final newline alone exit 0 with every line sent" {
	make_stream "$T"
	printf '\n{"payload":{"id":1,"title":"a"}}\r\n \t \r\n\r\n{"payload":{"id":2,"title":"b"}}' >"$BATS_TEST_TMPDIR/in"
	rc=$(exit_of uktv-publish -s "$T" <"$BATS_TEST_TMPDIR/in")
	[ "$rc" -eq 0 ]
	[ ! -s "$ERR" ]
	[ "$(stream_data "$T" | tr '\n' '|')" = '{"payload":{"id":1,"title":"a"}}|{"payload":{"id":2,"title":"b"}}|' ]
}

# --- uktv-prefs import ----------------------------------------------------

# stored_users TABLE: `uktv-prefs list` of TABLE, one compact line per user.
stored_users() {
	uktv-prefs -t "$1" list | jq -c .
}

@test "prefs import: each bad line is named with its number and every good line is stored" {
	make_table "$T"
	rc=$(exit_of uktv-prefs -t "$T" --no-validate import <"$H/prefs.ndjson")
	[ "$rc" -eq 1 ]
	# The same users as importing the good lines alone (the last of two
	# duplicate keys wins: dup follows 203, not 409).
	make_table "$T-good"
	uktv-prefs -t "$T-good" --no-validate import <"$H/prefs.good.ndjson"
	diff <(stored_users "$T") <(stored_users "$T-good")
	stored_users "$T" | jq -se 'map(select(.user == "dup"))[0].sources == ["203"]'
	# An id past 2^64-1 is never stored as another id.
	stored=$(stored_users "$T")
	if grep -q '"huge' <<<"$stored"; then fail "an id past 2^64-1 was stored: $stored"; fi
	assert_rejects uktv-prefs "$H/prefs.rejects"
}

@test "prefs import: a line over --max-line is rejected in bounded memory and the lines around it are stored" {
	make_table "$T"
	{
		echo '{"user":"before","sources":["203"],"genres":["4"]}'
		big_line $((128 * 1024 * 1024))
		echo
		echo '{"user":"after","sources":["203"],"genres":["4"]}'
	} | /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" uktv-prefs -t "$T" \
	    --no-validate import >"$OUT" 2>"$ERR" && rc=0 || rc=$?
	[ "$rc" -eq 1 ]
	grep -q '^uktv-prefs: line 2: .*longer than' "$ERR"
	[ "$(stored_users "$T" | jq -r .user | tr '\n' ' ')" = "after before " ]
	[ "$(maxrss_kb "$BATS_TEST_TMPDIR/rss")" -lt "$RSS_BOUND_KB" ]
}

@test "prefs import: an empty input stores nothing, says nothing and exits 0" {
	make_table "$T"
	rc=$(exit_of uktv-prefs -t "$T" --no-validate import </dev/null)
	[ "$rc" -eq 0 ]
	[ ! -s "$ERR" ]
	[ -z "$(stored_users "$T")" ]
}

# --- uktv-titles --prefs-from ---------------------------------------------

@test "titles --prefs-from: each bad line is named with its number and every good user is listed" {
	rc=$(exit_of uktv-titles --prefs-from - <"$H/prefs.ndjson")
	[ "$rc" -eq 1 ]
	cp "$OUT" "$BATS_TEST_TMPDIR/hostile-out"
	cp "$ERR" "$BATS_TEST_TMPDIR/hostile-err"
	# The same events as from the good lines alone.
	run -0 uktv-titles --prefs-from "$H/prefs.good.ndjson"
	[ -n "$output" ]
	diff <(without_times "$BATS_TEST_TMPDIR/hostile-out") \
	    <(printf '%s\n' "$output" | jq -c 'del(.header.publishTimestamp)')
	ERR="$BATS_TEST_TMPDIR/hostile-err"
	assert_rejects uktv-titles "$H/prefs.rejects"
}

@test "titles --prefs-from: a line over 1 MiB is rejected in bounded memory and the users around it are listed" {
	{
		echo '{"user":"before","sources":["203"],"genres":["4"]}'
		big_line $((128 * 1024 * 1024))
		echo
		echo '{"user":"after","sources":["349"],"genres":["7"]}'
	} | /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" uktv-titles \
	    --prefs-from - >"$OUT" 2>"$ERR" && rc=0 || rc=$?
	[ "$rc" -eq 1 ]
	grep -q '^uktv-titles: line 2: .*longer than' "$ERR"
	printf '%s\n' '{"user":"before","sources":["203"],"genres":["4"]}' \
	    '{"user":"after","sources":["349"],"genres":["7"]}' >"$BATS_TEST_TMPDIR/good"
	run -0 uktv-titles --prefs-from "$BATS_TEST_TMPDIR/good"
	diff <(without_times "$OUT") <(printf '%s\n' "$output" | jq -c 'del(.header.publishTimestamp)')
	[ "$(maxrss_kb "$BATS_TEST_TMPDIR/rss")" -lt "$RSS_BOUND_KB" ]
}

@test "titles --prefs-from: an empty input lists nothing, rejects nothing and exits 0" {
	rc=$(exit_of uktv-titles --prefs-from - </dev/null)
	[ "$rc" -eq 0 ]
	[ ! -s "$OUT" ]
	# A notice that there is nothing to list is fine; a line error is not.
	if grep -q 'line [0-9]*:' "$ERR"; then fail "a line error: $(cat "$ERR")"; fi
}

# --- uktv-notify --records-from -------------------------------------------

@test "notify --records-from: each bad line is named with its number and every good record is notified" {
	rc=$(exit_of uktv-notify --records-from - --prefs-from "$FIXTURES/notify/prefs.ndjson" \
	    <"$H/notify.ndjson")
	[ "$rc" -eq 1 ]
	# One new_title line per good record, as from the good lines alone.
	run -0 uktv-notify --records-from "$H/notify.good.ndjson" \
	    --prefs-from "$FIXTURES/notify/prefs.ndjson"
	[ "${#lines[@]}" -eq "$(wc -l <"$H/notify.good.ndjson")" ]
	diff "$OUT" <(printf '%s\n' "$output")
	assert_rejects uktv-notify "$H/notify.rejects"
}

@test "notify --records-from: a line over 1 MiB is rejected in bounded memory and the records around it are notified" {
	local rec
	rec=$(head -1 "$H/notify.good.ndjson")
	{
		echo "$rec"
		big_line $((128 * 1024 * 1024))
		echo
		echo "${rec//9100001/9100099}"
	} | /usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" uktv-notify \
	    --records-from - --prefs-from "$FIXTURES/notify/prefs.ndjson" \
	    >"$OUT" 2>"$ERR" && rc=0 || rc=$?
	[ "$rc" -eq 1 ]
	grep -q '^uktv-notify: line 2: .*longer than' "$ERR"
	[ "$(jq -r .title_id "$OUT" | tr '\n' ' ')" = "9100001 9100099 " ]
	[ "$(maxrss_kb "$BATS_TEST_TMPDIR/rss")" -lt "$RSS_BOUND_KB" ]
}

@test "notify --records-from: an empty input notifies nothing, says nothing and exits 0" {
	rc=$(exit_of uktv-notify --records-from - --prefs-from "$FIXTURES/notify/prefs.ndjson" </dev/null)
	[ "$rc" -eq 0 ]
	[ ! -s "$ERR" ]
	[ ! -s "$OUT" ]
}

# --- the corpus itself ----------------------------------------------------

@test "the hostile corpus holds every kind of bad line the rules name" {
	local f code n
	for f in publish prefs notify; do
		for code in invalid_json invalid_utf8 nul_byte too_deep not_object; do
			grep -q " $code " "$H/$f.rejects" || { echo "$f: no $code"; return 1; }
		done
		grep -qa $'\r$' "$H/$f.ndjson" || { echo "$f: no CRLF line"; return 1; }
		[ -n "$(tail -c 1 "$H/$f.ndjson" | tr -d '\n')" ] ||
		    { echo "$f: ends with a newline"; return 1; }
		grep -qaxE $'[ \t\r]*' "$H/$f.ndjson" || { echo "$f: no blank line"; return 1; }
		# The 10,000-deep lines are really that deep.
		n=$(awk '/arrays 10,000 deep/ {print $1}' "$H/$f.rejects")
		[ "$(sed -n "${n}p" "$H/$f.ndjson" | tr -cd '[' | wc -c)" -eq 10000 ]
		n=$(awk '/objects 10,000 deep/ {print $1}' "$H/$f.rejects")
		[ "$(sed -n "${n}p" "$H/$f.ndjson" | tr -cd '{' | wc -c)" -eq 10000 ]
	done
}
