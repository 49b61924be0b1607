#!/usr/bin/env bats
# The short fault soak (issue 18): the real pipeline (uktv-titles | uktv-publish,
# uktv-consume -t --checkpoint, uktv-notify) over 2,000 title events through
# the AWS fault proxy with random faults on every call, uktv-consume killed
# with SIGKILL three times; then every title accounted for.  `make soak` runs
# the same script at full size (tests/soak/run, 100,000 events, 20 kills).
#
# The soak runs once, in setup_file; each test checks one thing it proves
# from the figures (figures.json) and the files it left.  The last tests feed
# the accounting (tests/soak/check report) a doctored copy, to show that it
# sees a loss when there is one.

load helpers/common

SOAK_RECORDS=2000
SOAK_TITLES=400
SOAK_KILLS=3

setup_file() {
	export SOAK_DIR="$BATS_FILE_TMPDIR/soak"
	# Budgeted by work done, not wall time (a busy machine is slow, not
	# broken): given up when nothing is published or consumed for 120 s.
	# Not under valgrind (make check-valgrind): the soak runs the binaries of
	# $B/bin itself, it is a test of behaviour under faults, not of memory.
	B="$UKTV_BUILD" "$UKTV_ROOT/tests/soak/run" -n "$SOAK_RECORDS" -k "$SOAK_KILLS" \
	    --titles "$SOAK_TITLES" -s "${UKTV_SOAK_SEED:-18}" --idle 120 -o "$SOAK_DIR" \
	    >"$BATS_FILE_TMPDIR/soak.out" 2>"$BATS_FILE_TMPDIR/soak.err"
	echo $? >"$BATS_FILE_TMPDIR/soak.rc"
}

# fig JQ: a figure of the short soak.
fig() {
	jq -r "$1" "$SOAK_DIR/figures.json"
}

soak_ran() {
	if [ ! -f "$SOAK_DIR/figures.json" ]; then
		echo "the soak did not finish (exit $(cat "$BATS_FILE_TMPDIR/soak.rc")):" >&2
		tail -30 "$BATS_FILE_TMPDIR/soak.err" >&2
		return 1
	fi
}

@test "short soak: no title event is lost under random faults and SIGKILLs" {
	soak_ran
	run cat "$BATS_FILE_TMPDIR/soak.rc"
	assert_output 0
	[ "$(fig .records)" -eq "$SOAK_RECORDS" ]
	[ "$(fig .published_titles)" -eq "$SOAK_RECORDS" ]
	[ "$(fig .never_delivered)" -eq 0 ]
	[ "$(fig .lost_on_stream)" -eq 0 ]
	[ "$(fig .lost)" -eq 0 ]
	[ "$(fig .ok)" = true ]
	run cat "$BATS_FILE_TMPDIR/soak.out"
	assert_line --regexp '^soak: lost +0$'
}

@test "short soak: every published title is in the table with its own index entries" {
	soak_ran
	[ "$(fig .titles_missing)" -eq 0 ]
	[ "$(fig .titles_wrong)" -eq 0 ]
	[ "$(fig .table_records)" -eq "$(fig .published_titles)" ]
	[ "$(fig .index_entries_expected)" -gt "$SOAK_RECORDS" ]
	[ "$(fig .index_entries_missing)" -eq 0 ]
	[ "$(fig .unexpected_index_entries)" -eq 0 ]
	[ "$(fig .table_index_entries)" -eq "$(fig .index_entries_expected)" ]
}

@test "short soak: uktv-consume was killed with SIGKILL and resumed from its checkpoint each time" {
	soak_ran
	[ "$(fig .kills)" -eq "$SOAK_KILLS" ]
	run jq -c 'select(.event == "kill")' "$SOAK_DIR/supervise.ndjson"
	[ "${#lines[@]}" -eq "$SOAK_KILLS" ]
	# each kill was followed by a new run on the same checkpoint directory
	run jq -s '[.[] | select(.tool == "uktv-consume" and .event == "start")] | length' \
	    "$SOAK_DIR/supervise.ndjson"
	[ "$output" -ge $((SOAK_KILLS + 2)) ]
	run jq -s '[.[] | select(.event == "exit" and .killed == true and .rc == 137)] | length' \
	    "$SOAK_DIR/supervise.ndjson"
	[ "$output" -eq "$SOAK_KILLS" ]
	ls "$SOAK_DIR"/consume/cp/shardId-*.json >/dev/null
	# nothing printed twice is counted as lost, and the figure is there
	[ "$(fig .duplicates_reprocessed)" -ge 0 ]
	[ "$(fig .consume_distinct_records)" -ge "$(fig .published_records)" ]
}

@test "short soak: every kind of AWS fault was injected" {
	soak_ran
	for kind in throttle 500 503 reset reset_after_write stall fail_records \
	    unprocessed_items unprocessed_keys expired_iterator; do
		n=$(fig ".faults[\"$kind\"] // 0")
		[ "$n" -ge 1 ] || { echo "no $kind fault injected" >&2; return 1; }
	done
	[ "$(fig .records_failed)" -ge 1 ]
	[ "$(fig .items_unprocessed)" -ge 1 ]
	# faults reached Kinesis, DynamoDB and DynamoDB Streams alike
	for op in kinesis.PutRecords kinesis.GetRecords dynamodb.BatchWriteItem \
	    dynamodbstreams.GetRecords; do
		[ "$(fig ".faults_by_op[\"$op\"] // 0")" -ge 1 ] || { echo "no fault on $op" >&2; return 1; }
	done
}

@test "short soak: uktv-titles fed its portion through uktv-publish" {
	soak_ran
	run jq -r .titles_rc "$SOAK_DIR/pub/rc.ndjson"
	assert_line 0
	n=$(cat "$SOAK_DIR"/pub/titles-*.in.ndjson | wc -l)
	[ "$n" -ge "$SOAK_TITLES" ]
	run jq -r .header.publishingComponent "$SOAK_DIR/pub/titles-1.in.ndjson"
	assert_line uktv-titles
	refute_line --partial soak
	# the rest came from the generator, and every title event was published
	[ "$(fig .published_titles)" -eq "$SOAK_RECORDS" ]
}

@test "short soak: records uktv-publish dead-lettered were published again and delivered" {
	soak_ran
	# ten PutRecords calls in a row fail every record (tests/soak/check faults)
	dead=$(cat "$SOAK_DIR"/pub/titles-*.dead.ndjson "$SOAK_DIR"/pub/gen-*.dead.ndjson | wc -l)
	[ "$dead" -ge 1 ]
	run jq -r .error "$SOAK_DIR"/pub/titles-1.dead.ndjson "$SOAK_DIR"/pub/gen-1.dead.ndjson
	assert_line ProvisionedThroughputExceededException
	[ -s "$SOAK_DIR/pub/retry-1.in.ndjson" ]
	run jq -r 'select(.sequence) | .line' "$SOAK_DIR/pub/retry-1.results.ndjson"
	[ "${#lines[@]}" -ge 1 ]
	[ "$(fig .never_delivered)" -eq 0 ]
}

@test "short soak: uktv-notify told each user of every stored title they follow" {
	soak_ran
	[ "$(fig .notifications_expected)" -gt "$SOAK_RECORDS" ]
	[ "$(fig .notifications_lost)" -eq 0 ]
	[ "$(fig .notifications_unexpected)" -eq 0 ]
	[ "$(fig '.notifications_by_kind.new_title')" -ge "$(fig .notifications_expected)" ]
}

@test "short soak: the figures name records, faults by kind, kills, duplicates, lost and wall time" {
	soak_ran
	run cat "$BATS_FILE_TMPDIR/soak.out"
	assert_line --regexp "^soak: records +$SOAK_RECORDS title events"
	assert_line --regexp '^soak: aws calls +[0-9]+, faults injected [1-9][0-9]*:$'
	assert_line --regexp '^soak:   throttle +[1-9]'
	assert_line --regexp "^soak: kills +$SOAK_KILLS "
	assert_line --regexp '^soak: duplicates +[0-9]+ re-processed'
	assert_line --regexp '^soak: wall time +[0-9.]+ s'
}

# doctored COPY: a copy of the soak's directory to break on purpose
doctored() {
	rm -rf "$BATS_TEST_TMPDIR/copy"
	cp -r "$SOAK_DIR" "$BATS_TEST_TMPDIR/copy"
	echo "$BATS_TEST_TMPDIR/copy"
}

@test "the soak's accounting counts a title missing from the table as lost" {
	soak_ran
	d=$(doctored)
	victim=$(jq -r '[.Items[] | select(.SK.S == "record")][0].PK.S' "$d/table/page-1.json")
	jq --arg pk "$victim" '.Items |= map(select(.PK.S != $pk or .SK.S != "record"))' \
	    "$d/table/page-1.json" >"$d/page.json"
	mv "$d/page.json" "$d/table/page-1.json"
	run "$UKTV_ROOT/tests/soak/check" report "$d" --json "$d/f.json"
	assert_failure 1
	assert_line --regexp '^soak: lost +[1-9]'
	assert_line --partial "published titles not in the table (e.g. ${victim#title:})"
	[ "$(jq .titles_missing "$d/f.json")" -eq 1 ]
}

@test "the soak's accounting counts a missing index entry" {
	soak_ran
	d=$(doctored)
	jq '(.Items | map(.PK.S | test("^source:[0-9]+:genre:")) | index(true)) as $i
	    | .Items |= del(.[$i])' "$d/table/page-1.json" >"$d/page.json"
	mv "$d/page.json" "$d/table/page-1.json"
	run "$UKTV_ROOT/tests/soak/check" report "$d" --json "$d/f.json"
	assert_failure 1
	assert_line "soak: FAIL: 1 index entries missing"
	[ "$(jq .index_entries_missing "$d/f.json")" -eq 1 ]
	[ "$(jq .lost "$d/f.json")" -eq 1 ]
}

@test "the soak's accounting counts a delivered record uktv-consume never printed" {
	soak_ran
	d=$(doctored)
	read -r shard seq < <(jq -r 'select(.sequence) | "\(.shard) \(.sequence)"' \
	    "$d/pub/gen-1.results.ndjson" | head -1)
	[ -n "$seq" ]
	for f in "$d"/consume/run-*.out; do
		grep -vF "{\"shard\":\"$shard\",\"sequence\":\"$seq\"," "$f" >"$f.new" || true
		mv "$f.new" "$f"
	done
	run "$UKTV_ROOT/tests/soak/check" report "$d" --json "$d/f.json"
	assert_failure 1
	assert_line --partial "1 delivered records never came out of uktv-consume"
	[ "$(jq .lost_on_stream "$d/f.json")" -eq 1 ]
}

@test "tests/soak/run: --help on stdout exits 0, a bad option value exits 2" {
	run "$UKTV_ROOT/tests/soak/run" --help
	assert_success
	assert_line --partial "usage: tests/soak/run"
	assert_line --partial "--kills N"
	run "$UKTV_ROOT/tests/soak/run" --kills many
	assert_failure 2
	assert_line --index 0 "run: --kills: not a number: many"
	run "$UKTV_ROOT/tests/soak/run" --records 10 --titles 20
	assert_failure 2
	assert_line --index 0 "run: --titles 20 is more than --records 10"
	run "$UKTV_ROOT/tests/soak/run" --bogus
	assert_failure 2
	assert_line --index 0 "run: unknown option: --bogus"
}
