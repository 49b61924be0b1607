# watchmode.bash: the Watchmode double (tests/fakes/uktv-watchmode-double)
# for bats suites.  Load after helpers/common:
#
#   load helpers/common
#   load helpers/watchmode
#   setup_file()    { watchmode_start; }          # or per test in setup()
#   teardown_file() { watchmode_stop; }
#
# watchmode_start [EXTRA ARGS...]  start the double on a free port with the
#     catalogue tests/fixtures/watchmode/catalogue.json (WATCHMODE_CATALOGUE
#     overrides) and one paid key, then export
#       WATCHMODE_ENDPOINT_URL  http://127.0.0.1:PORT   (no /v1, as the tools want)
#       WATCHMODE_API_KEY       the key ($WATCHMODE_TEST_KEY, a fixed default)
#       WATCHMODE_DOUBLE_LOG    the double's own NDJSON request log file
#     EXTRA ARGS go to the double: --rate-limit N --retry-after S --rate-window S
#     --quota N --quota-used N --free-plan-keys KEY --key OTHER ...
#     WATCHMODE_NAME (default "watchmode") names the instance for start_bg, so
#     a test can run a second one beside the file's.
# watchmode_stop                   stop it
# watchmode_reset                  back to the start state (log, counters,
#                                  faults, quota, catalogue, changes)
# watchmode_log                    the request log, NDJSON on stdout
# watchmode_calls [PATH_SUBSTRING] how many API requests (all, or those whose
#                                  path contains the substring) were made
# watchmode_fault 'JSON'           add fault rule(s), see the double's --help
#                                  e.g. '{"path":"/v1/list-titles/","status":500,"count":2}'
# watchmode_change 'JSON'          change the catalogue, e.g.
#                                  '{"upsert":[{...}],"remove":[9100001]}'
# watchmode_quota QUOTA [USED]     set the account quota (and credits used)
# watchmode_fact JQ_PATH           a fact of the catalogue, e.g. .big_pair.total_results
# watchmode_get PATH_AND_QUERY     curl -s with the key in X-API-Key; the body
#                                  on stdout (use curl yourself for headers)

WATCHMODE_TEST_KEY=${WATCHMODE_TEST_KEY:-wmk-test-3f9a1c07e5b24d68}

watchmode_start() {
	local name=${WATCHMODE_NAME:-watchmode}
	local portfile="$BATS_FILE_TMPDIR/$name.port"
	local catalogue=${WATCHMODE_CATALOGUE:-$FIXTURES/watchmode/catalogue.json}
	rm -f "$portfile"
	WATCHMODE_DOUBLE_LOG="$BATS_FILE_TMPDIR/$name-requests.ndjson"
	: >"$WATCHMODE_DOUBLE_LOG"
	start_bg "$name" "$UKTV_ROOT/tests/fakes/uktv-watchmode-double" \
	    --catalogue "$catalogue" --port 0 --port-file "$portfile" \
	    --key "$WATCHMODE_TEST_KEY" --log "$WATCHMODE_DOUBLE_LOG" "$@"
	if ! wait_until 15 test -s "$portfile"; then
		cat "$BATS_FILE_TMPDIR/$name.log" >&2
		return 1
	fi
	WATCHMODE_ENDPOINT_URL="http://127.0.0.1:$(cat "$portfile")"
	WATCHMODE_API_KEY=$WATCHMODE_TEST_KEY
	export WATCHMODE_ENDPOINT_URL WATCHMODE_API_KEY WATCHMODE_DOUBLE_LOG
	wait_until 10 curl -sf "$WATCHMODE_ENDPOINT_URL/__double/health" || {
		cat "$BATS_FILE_TMPDIR/$name.log" >&2
		return 1
	}
}

watchmode_stop() {
	stop_bg "${WATCHMODE_NAME:-watchmode}"
}

_watchmode_post() {
	curl -sf -X POST -H 'Content-Type: application/json' --data-binary "$2" \
	    "$WATCHMODE_ENDPOINT_URL/__double/$1"
}

watchmode_reset() {
	_watchmode_post reset '{}' >/dev/null
}

watchmode_log() {
	curl -sf "$WATCHMODE_ENDPOINT_URL/__double/log"
}

watchmode_calls() {
	watchmode_log | jq -c --arg s "${1:-}" 'select(.path | contains($s))' | wc -l | tr -d ' '
}

watchmode_fault() {
	_watchmode_post faults "$1" >/dev/null
}

watchmode_change() {
	_watchmode_post catalogue "$1"
}

watchmode_quota() {
	_watchmode_post quota "{\"quota\":$1${2:+,\"used\":$2}}" >/dev/null
}

watchmode_fact() {
	jq -c "(.facts)$1" "${WATCHMODE_CATALOGUE:-$FIXTURES/watchmode/catalogue.json}"
}

watchmode_get() {
	curl -s -H "X-API-Key: $WATCHMODE_API_KEY" "$WATCHMODE_ENDPOINT_URL$1"
}
