# emulators.bash: kinesalite (Kinesis) and dynalite (DynamoDB), the npm
# emulators pinned in tests/package-lock.json, for bats suites that run uktv
# against an implementation other than moto.  Load after common:
#
#   load helpers/common
#   load helpers/emulators
#   setup_file()    { emu_start; }
#   teardown_file() { emu_stop; }
#
# emu_start starts both in memory on free loopback ports, with no delay in
# the CREATING/UPDATING/DELETING states (so a test waits for nothing), and
# exports KINESALITE_URL, DYNALITE_URL, the service variables the tools and
# the AWS CLI honour (AWS_ENDPOINT_URL_KINESIS, AWS_ENDPOINT_URL_DYNAMODB;
# lib/aws/auth/awsconf.c), dummy keys, AWS_REGION and AWS_DEFAULT_REGION.  It sets no
# AWS_ENDPOINT_URL: a call to any other service fails rather than reaching
# something else.  Gaps of the two against AWS: tests/fixtures/MOTO-NOTES.md.

EMU_MODULES="$UKTV_ROOT/tests/node_modules"

emu_start() {
	local port
	if ! command -v node >/dev/null 2>&1 ||
	    [ ! -f "$EMU_MODULES/kinesalite/package.json" ] ||
	    [ ! -f "$EMU_MODULES/dynalite/package.json" ]; then
		echo "emulators: node or tests/node_modules missing: run scripts/setup" >&2
		return 1
	fi

	# kinesalite's CLI has no --host and would listen on every interface:
	# start it through its module API on the loopback address instead.
	port=$(free_port)
	start_bg kinesalite node -e '
	    var k = require(process.argv[1] + "/kinesalite");
	    k({createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0})
	        .listen(+process.argv[2], "127.0.0.1");' "$EMU_MODULES" "$port"
	KINESALITE_URL="http://127.0.0.1:$port"

	port=$(free_port)
	start_bg dynalite node "$EMU_MODULES/dynalite/cli.js" --host 127.0.0.1 \
	    --port "$port" --createTableMs 0 --deleteTableMs 0 --updateTableMs 0
	DYNALITE_URL="http://127.0.0.1:$port"

	# Any HTTP answer (curl without -f) means it listens.
	wait_until 20 curl -s -o /dev/null "$KINESALITE_URL/" || {
		cat "$BATS_FILE_TMPDIR/kinesalite.log" >&2
		return 1
	}
	wait_until 20 curl -s -o /dev/null "$DYNALITE_URL/" || {
		cat "$BATS_FILE_TMPDIR/dynalite.log" >&2
		return 1
	}
	export KINESALITE_URL DYNALITE_URL
	export AWS_ENDPOINT_URL_KINESIS="$KINESALITE_URL"
	export AWS_ENDPOINT_URL_DYNAMODB="$DYNALITE_URL"
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_REGION=eu-west-2 AWS_DEFAULT_REGION=eu-west-2
}

emu_stop() {
	stop_bg kinesalite
	stop_bg dynalite
}

# kl ARGS... / dl ARGS...: the AWS CLI v1 against kinesalite / dynalite (it
# reads AWS_ENDPOINT_URL but not the per-service variables).
kl() {
	aws --endpoint-url "$KINESALITE_URL" "$@"
}

dl() {
	aws --endpoint-url "$DYNALITE_URL" "$@"
}
