# faultproxy.bash: the AWS fault proxy (tests/fakes/uktv-faultproxy) in front
# of moto, for bats suites.
#
#   load helpers/common
#   load helpers/faultproxy
#   setup_file()    { moto_start; proxy_start; }
#   teardown_file() { proxy_stop; moto_stop; }
#   setup()         { proxy_reset; proxy_script '[]'; }
#
# proxy_start [ARGS...]  start it in front of $MOTO_URL (extra ARGS such as
#                        --seed N or --script FILE go to the proxy), wait for
#                        its port file, export PROXY_PORT and PROXY_URL and
#                        point AWS_ENDPOINT_URL at it.  The request log is
#                        also appended to $PROXY_LOG_FILE.  PROXY_UPSTREAM,
#                        when set, replaces $MOTO_URL as the upstream.
# proxy_stop             stop it; AWS_ENDPOINT_URL goes back to $MOTO_URL.
# proxy_script 'JSON'    replace the fault script (fails, printing why, on a
#                        bad script).
# proxy_log              print the request log (NDJSON, one request a line).
# proxy_reset            clear the log and the per-operation call counters.
#
# Service-specific endpoint variables (AWS_ENDPOINT_URL_KINESIS, ...) win over
# AWS_ENDPOINT_URL: a suite that sets them points them at $PROXY_URL itself.

proxy_start() {
	local portfile="$BATS_FILE_TMPDIR/faultproxy.port"
	local upstream=${PROXY_UPSTREAM:-${MOTO_URL:-}}
	[ -n "$upstream" ] || {
		echo "proxy_start: MOTO_URL is not set (moto_start first, or set PROXY_UPSTREAM)" >&2
		return 1
	}
	rm -f "$portfile"
	PROXY_LOG_FILE="$BATS_FILE_TMPDIR/faultproxy.ndjson"
	export PROXY_LOG_FILE
	start_bg faultproxy "$UKTV_ROOT/tests/fakes/uktv-faultproxy" --upstream "$upstream" \
	    --port 0 --port-file "$portfile" --log "$PROXY_LOG_FILE" "$@"
	wait_until 15 test -s "$portfile" || {
		cat "$BATS_FILE_TMPDIR/faultproxy.log" >&2
		return 1
	}
	PROXY_PORT=$(cat "$portfile")
	PROXY_URL="http://127.0.0.1:$PROXY_PORT"
	export PROXY_PORT PROXY_URL
	export AWS_ENDPOINT_URL="$PROXY_URL"
}

proxy_stop() {
	stop_bg faultproxy
	if [ -n "${MOTO_URL:-}" ]; then
		export AWS_ENDPOINT_URL="$MOTO_URL"
	fi
}

proxy_script() {
	local out
	out=$(curl -sS -X POST -H 'Content-Type: application/json' --data-binary "$1" \
	    -w '\n%{http_code}' "$PROXY_URL/__proxy/script") || {
		echo "proxy_script: proxy unreachable at $PROXY_URL" >&2
		return 1
	}
	if [ "${out##*$'\n'}" != 200 ]; then
		echo "proxy_script: ${out%$'\n'*}" >&2
		return 1
	fi
}

proxy_log() {
	curl -sSf "$PROXY_URL/__proxy/log"
}

proxy_reset() {
	curl -sSf -X POST "$PROXY_URL/__proxy/reset" >/dev/null
}
