#!/usr/bin/env bats
# bench/publish (make bench): its figures come from what the endpoint
# received, and it prints no ratio from a run that failed; bench/api: its
# canned rows have figures from right answers.  Tiny sizes, the null
# endpoints only (no moto).

load helpers/common

bench() {
	run env B="$1" BENCH_SMALL=40 BENCH_LARGE=60 BENCH_BOTO3_LARGE=50 BENCH_SKIP_MOTO=1 \
	    "$UKTV_ROOT/bench/publish"
}

@test "bench/publish: a good run gives records/s and ratios" {
	bench "$UKTV_BUILD"
	assert_success
	assert_line --regexp '^  uktv-publish +60 +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9.]+$'
	assert_line --regexp '^  boto3 +50 +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9.]+$'
	assert_line --regexp '^  records/s, uktv-publish 60 / boto3 50: [0-9.]+x '
	refute_output --partial 'no ratio'
}

@test "bench/publish: records/s counts what arrived, and a failed run gives no ratio" {
	# A uktv-publish that sends the first 10 records, then fails.
	fake="$BATS_TEST_TMPDIR/build"
	mkdir -p "$fake/bin"
	printf '#!/bin/sh\nhead -n 10 | "%s" "$@"\nexit 1\n' "$UKTV_BUILD/bin/uktv-publish" \
	    >"$fake/bin/uktv-publish"
	chmod +x "$fake/bin/uktv-publish"
	bench "$fake"
	assert_success
	assert_line --regexp '^  uktv-publish +10 .*\(exit 1, 10 of 40 records arrived\)$'
	assert_line --regexp '^  uktv-publish +10 .*\(exit 1, 10 of 60 records arrived\)$'
	assert_line --regexp '^  boto3 +50 +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9.]+$'
	assert_line "  records/s and CPU per record, uktv-publish / boto3: no ratio: uktv-publish 60 (exit 1)"
	refute_output --regexp '[0-9.]+x \('
}

@test "bench/api: the canned endpoint's rows have figures, and every answer was the right one" {
	command -v wrk >/dev/null || skip "wrk not installed (make setup)"
	run env B="$UKTV_BUILD" BENCH_SKIP_MOTO=1 BENCH_DURATION=1s BENCH_CONNECTIONS=2 \
	    "$UKTV_ROOT/bench/api"
	assert_success
	assert_line '  moto    (skipped: BENCH_SKIP_MOTO=1)'
	# A row: ready ms, first ms, req/s, p50, p99, CPU us/req, peak RSS,
	# and no "(...)" flag (a wrong answer, a non-200, a socket error).
	for r in 'GET /sources' 'GET /preferences' 'GET /titles \(300\)' \
	    'GET /preferences, --threads 1'; do
		assert_line --regexp "^  canned  $r +[0-9]+ +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9.]+\$"
	done
	assert_line --regexp '^    >= 5,000 req/s on one core: [0-9]+ (met|MISSED) '
	assert_line --regexp '^    p99 < 5 ms: [0-9.]+ (met|MISSED); peak RSS < 16 MiB: [0-9.]+ (met|MISSED)$'
}
