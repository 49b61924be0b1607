#!/usr/bin/env bats
# fuzz-regress.bats: every fuzz target's kept crashers (tests/fuzz/regress/
# <target>) and seed corpus (tests/fuzz/corpus/<target>) replayed without
# libFuzzer on every `make check`, through the tests/tools/fuzz-replay-<target>
# binaries the Makefile builds with the project's own flags (and ASan+UBSan
# under SANITIZE=1).  A replay runs the target's checks too (every record
# settled once, no secret in a message, canonicalisation idempotent, ...),
# so a fixed bug that comes back fails here.  `make fuzz` is the long run.

load helpers/common

targets() {
	ls "$UKTV_ROOT"/tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||'
}

# replay TARGET: the target's regress inputs and seeds, each fed once.
replay() {
	local t=$1 bin="$UKTV_BUILD/tests/tools/fuzz-replay-$1" dirs=()
	[ -x "$bin" ] || { echo "missing $bin: run make tools" >&2; return 1; }
	[ -d "$UKTV_ROOT/tests/fuzz/regress/$t" ] &&
	    dirs+=("$UKTV_ROOT/tests/fuzz/regress/$t")
	dirs+=("$UKTV_ROOT/tests/fuzz/corpus/$t")
	run "$bin" "${dirs[@]}"
	[ "$status" -eq 0 ] || { echo "$output" | tail -40 >&2; return 1; }
	# At least one input ran: an empty corpus proves nothing.
	[[ "$output" =~ ([0-9]+)\ inputs ]] && [ "${BASH_REMATCH[1]}" -gt 0 ]
}

@test "every fuzz target has a replay tool, a seed corpus and a place in make fuzz" {
	local t missing=0
	for t in $(targets); do
		[ -f "$UKTV_ROOT/tests/tools/fuzz-replay-$t.c" ] ||
		    { echo "no tests/tools/fuzz-replay-$t.c"; missing=1; }
		[ -n "$(ls "$UKTV_ROOT/tests/fuzz/corpus/$t" 2>/dev/null)" ] ||
		    { echo "no seeds in tests/fuzz/corpus/$t"; missing=1; }
	done
	[ "$missing" -eq 0 ]
}

@test "the fake transport stands in for every public function of lib/net/http.c" {
	# A replay tool links libuktv.a without http.o only while fakehttp.c
	# defines every symbol http.o exports.
	local obj="$UKTV_BUILD/lib/net/http.o" sym missing=0
	[ -f "$obj" ]
	for sym in $(nm -g --defined-only "$obj" | awk '$2 == "T" {print $3}'); do
		grep -q "^$sym(" "$UKTV_ROOT/tests/fuzz/fakehttp.c" ||
		    { echo "fakehttp.c lacks $sym"; missing=1; }
	done
	[ "$missing" -eq 0 ]
}

@test "replay tools keep libcurl out: answers come from the fake transport" {
	run nm "$UKTV_BUILD/tests/tools/fuzz-replay-kinesis"
	[ "$status" -eq 0 ]
	refute_output --partial ' curl_easy_perform'
}

@test "a replay that cannot read an input fails instead of passing empty" {
	run "$UKTV_BUILD/tests/tools/fuzz-replay-kpl" "$BATS_TEST_TMPDIR/no-such-input"
	[ "$status" -ne 0 ]
}

@test "fuzz regressions: awsconf (profile files, credentials chain)" { replay awsconf; }
@test "fuzz regressions: awserror (AWS error answers, JSON and XML)" { replay awserror; }
@test "fuzz regressions: dynamodb (Query/Scan/BatchGet/BatchWrite, typed values)" { replay dynamodb; }
@test "fuzz regressions: jsonscan (strict scanner agrees with the reader)" { replay jsonscan; }
@test "fuzz regressions: jwt (JWS parsing, RS256, JWK keys, Cognito claims and JWKS)" { replay jwt; }
@test "fuzz regressions: kinesis (PutRecords settles every record once)" { replay kinesis; }
@test "fuzz regressions: kpl (aggregated records)" { replay kpl; }
@test "fuzz regressions: ndjson (line reader drops nothing silently)" { replay ndjson; }
@test "fuzz regressions: prefs (preference lines and keys)" { replay prefs; }
@test "fuzz regressions: s3 (ListObjectsV2 XML, entities, keys, URLs)" { replay s3; }
@test "fuzz regressions: sigv4 (canonicalisation idempotent, vectors)" { replay sigv4; }
@test "fuzz regressions: streams (DynamoDB Streams answers, stream reader sessions)" { replay streams; }
@test "fuzz regressions: sts (STS XML, SSO cache and answers)" { replay sts; }
@test "fuzz regressions: values (title events, positions, times, ids, base64)" { replay values; }
@test "fuzz regressions: watchmode (envelope, paging, key never in messages)" { replay watchmode; }
@test "fuzz regressions: webapi (uktv-api's routes: statuses, JSON bodies, 401 before the path, no write on a 400)" { replay webapi; }
