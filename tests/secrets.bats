#!/usr/bin/env bats
# Issue 18: secrets never leak.  Every tool's representative commands run
# with -v -v (HTTP traces on), in working and failing variants, holding
# distinctive secrets: the AWS secret access key and session token (real
# temporary credentials from moto's STS, with signature and IAM checking on,
# so the runs prove the secrets were used), an IAM Identity Center (SSO)
# access token, refresh token and client secret, the Watchmode API key (in
# the header and, with --key-in-query, in the URL), a wrong Watchmode key, a
# wrong AWS secret, and the webhook signing secret.  None may appear in
# stdout, stderr, a dead letter, a state or checkpoint file, the digest
# spool, the stats file, the site, the table, or the argv of a running tool
# (/proc/PID/cmdline; environ legitimately holds what came from the
# environment, so it is not read).
#
# How a leak is found: every file under the test's own temporary directory
# (where all those outputs are written) is searched for every run of 12
# characters of every secret, and for "uktvLeak", the prefix every chosen
# secret starts with, so a truncated, partly redacted or cut-up secret shows
# too.  The files that hold secrets on purpose (key files, the SSO cache,
# ~/.aws) live outside that directory.
#
# Also here: TLS verification is always on, and --ca-bundle and
# AWS_CA_BUNDLE are honoured, per family of HTTPS client: the AWS JSON
# services (uktv-publish), S3 (uktv-guide), the Watchmode client
# (uktv-refdata) and the webhook (uktv-notify), each against a TLS front
# (tests/fixtures/iam/tls-forward.py) with a self-signed certificate.

load helpers/common
load helpers/faultproxy
load helpers/watchmode

bats_require_minimum_version 1.5.0

NF="$FIXTURES/notify"
EVENTS="$FIXTURES/iam/events.ndjson"

# The chosen secrets.  The Watchmode double accepts only WM_KEY, the webhook
# receiver checks signatures with HOOK_SECRET, the SSO double accepts only
# SSO_TOKEN: a run that works used them.
WM_KEY=uktvLeakWatchmodeKey5c1e9a07d3b2f468
WM_WRONG=uktvLeakWrongWatchmodeKey0b7d2e9f41a6
HOOK_SECRET=uktvLeakWebhookSecret8e3f0c5a92d71b46
HOOK_WRONG=uktvLeakWrongWebhookSecret47c0d9e1f3a8
AWS_WRONG=uktvLeakWrongAwsSecretKey2f9b6e0a4c8d1e73
SSO_TOKEN=uktvLeakSsoAccessToken9d4c1b7e06f3a25e
SSO_REFRESH=uktvLeakSsoRefreshToken3a8e5f1c9b0d7264
SSO_CLIENT_SECRET=uktvLeakSsoClientSecret6f2d8a4e1c7b9035

setup_file() {
	local in="$BATS_FILE_TMPDIR/in"
	mkdir -p "$in"
	moto_start
	proxy_start
	WATCHMODE_TEST_KEY=$WM_KEY watchmode_start
	# Resources and seed items with checking off, in one boto3 process (an
	# AWS CLI run costs a second here); a user allowed everything, and a
	# role it may assume.
	python3 - "$in" "$FIXTURES" <<'PY' || return 1
import boto3, json, os, sys
d, fx = sys.argv[1:3]
kw = {"endpoint_url": os.environ["MOTO_URL"], "region_name": "eu-west-2"}
ddb = boto3.client("dynamodb", **kw)
ddb.create_table(TableName="Guide", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                          {"AttributeName": "SK", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
               {"AttributeName": "SK", "KeyType": "RANGE"}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
items = []
for f in ("sources", "genres", "titles", "userprefs"):
    items += json.load(open(f"{fx}/seed-data/example_data_{f}.json"))["Items"]
for i in range(0, len(items), 25):
    ddb.batch_write_item(RequestItems={"Guide":
        [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
boto3.client("kinesis", **kw).create_stream(StreamName="Titles", ShardCount=1)
boto3.client("s3", **kw).create_bucket(Bucket="site",
    CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
arn = boto3.client("secretsmanager", **kw).create_secret(
    Name="wm-key", SecretString=os.environ["WATCHMODE_API_KEY"])["ARN"]
open(f"{d}/secret.arn", "w").write(arn + "\n")
iam = boto3.client("iam", **kw)
allow = json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
iam.create_user(UserName="leaker")
iam.put_user_policy(UserName="leaker", PolicyName="all", PolicyDocument=allow)
k = iam.create_access_key(UserName="leaker")["AccessKey"]
open(f"{d}/admin.keys", "w").write(f'{k["AccessKeyId"]} {k["SecretAccessKey"]}\n')
iam.create_role(RoleName="leak-role", AssumeRolePolicyDocument=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
    "Principal": {"AWS": "arn:aws:iam::123456789012:user/leaker"}}]}))
iam.put_role_policy(RoleName="leak-role", PolicyName="all", PolicyDocument=allow)
PY
	# Checking on from the next call; then the role's temporary
	# credentials, signed for with the user's keys.
	curl -sf -X POST -H 'Content-Type: text/plain' --data-binary 0 \
	    "$MOTO_URL/moto-api/reset-auth" >/dev/null || return 1
	python3 - "$in" <<'PY' || return 1
import boto3, os, sys
d = sys.argv[1]
kid, secret = open(f"{d}/admin.keys").read().split()
sts = boto3.client("sts", endpoint_url=os.environ["MOTO_URL"], region_name="eu-west-2",
    aws_access_key_id=kid, aws_secret_access_key=secret)
c = sts.assume_role(RoleArn="arn:aws:iam::123456789012:role/leak-role",
    RoleSessionName="uktv-leak", DurationSeconds=3600)["Credentials"]
open(f"{d}/session.keys", "w").write(f'{c["AccessKeyId"]} {c["SecretAccessKey"]} {c["SessionToken"]}\n')
PY
	printf '%s\n' "$WM_KEY" >"$in/wm.key"
	printf '%s\n' "$HOOK_SECRET" >"$in/hook.secret"
	printf '%s\n' "$HOOK_WRONG" >"$in/hook.wrong"
	# The patterns a leak is searched for (see the top of the file).
	{
		echo uktvLeak
		windows $(cut -d' ' -f2 "$in/admin.keys") $(cut -d' ' -f2- "$in/session.keys") \
		    "$WM_KEY" "$WM_WRONG" "$HOOK_SECRET" "$HOOK_WRONG" "$AWS_WRONG" \
		    "$SSO_TOKEN" "$SSO_REFRESH" "$SSO_CLIENT_SECRET"
	} >"$in/patterns"
}

teardown_file() {
	watchmode_stop
	proxy_stop
	moto_stop
}

setup() {
	IN="$BATS_FILE_TMPDIR/in"
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
	read -r ADMIN_KEY ADMIN_SECRET <"$IN/admin.keys"
	read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <"$IN/session.keys"
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
	SECRET_ARN=$(cat "$IN/secret.arn")
	export WATCHMODE_API_KEY=$WM_KEY
	export AWS_MAX_ATTEMPTS=2
	unset UKTV_TABLE UKTV_WEBHOOK_SECRET
	proxy_script '[]'
	watchmode_reset
}

teardown() {
	stop_bg receiver
	stop_bg tls
	stop_bg sso
	local p
	for p in ${FOLLOWERS:-}; do
		kill -9 "$p" 2>/dev/null || true
	done
}

# admin COMMAND...: COMMAND (an `aws` read-back) as the all-allowed user.
admin() {
	env -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID="$ADMIN_KEY" \
	    AWS_SECRET_ACCESS_KEY="$ADMIN_SECRET" "$@"
}

# stream_active NAME: the Kinesis stream NAME is ACTIVE.
stream_active() {
	[ "$(admin aws kinesis describe-stream-summary --stream-name "$1" \
	    --query StreamDescriptionSummary.StreamStatus --output text)" = ACTIVE ]
}

# t NAME STATUS COMMAND...: COMMAND's stdout in $OUT/NAME.out, its stderr
# (the -v -v trace) in $OUT/NAME.err; it must exit STATUS (each failing
# variant fails the way it is meant to, or the test says so).
t() {
	local name=$1 want=$2 rc=0
	shift 2
	"$@" >"$OUT/$name.out" 2>"$OUT/$name.err" || rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "$name: exit $rc, want $want; stderr:"
		cat "$OUT/$name.err"
		return 1
	fi
}

# traced NAME: NAME's stderr holds -v -v's HTTP trace (the runs are checked
# with tracing really on).
traced() {
	grep -Eq '(GET|POST|PUT|DELETE|HEAD) https?://' "$OUT/$1.err" ||
	    { echo "$1: no HTTP trace on stderr:"; cat "$OUT/$1.err"; return 1; }
}

# windows SECRET...: every run of 12 characters of each SECRET, a line each.
windows() {
	local s i
	for s in "$@"; do
		for ((i = 0; i + 12 <= ${#s}; i++)); do
			printf '%s\n' "${s:i:12}"
		done
	done
}

# no_leaks [SECRET...]: no file under this test's temporary directory holds
# a secret (any 12 characters of one, or the uktvLeak prefix; SECRETs are
# this test's own, searched for likewise).  Prints each hit
# with the file's name; fails when there is one, or when there is nothing
# to search.
no_leaks() {
	local n hits s pat="$BATS_FILE_TMPDIR/patterns$BATS_TEST_NUMBER"
	cp "$IN/patterns" "$pat"
	for s in "$@"; do
		[ ${#s} -ge 16 ] || { echo "no_leaks: a secret of ${#s} characters is too short to search for"; return 1; }
		windows "$s" >>"$pat"
	done
	n=$(find "$BATS_TEST_TMPDIR" -type f | wc -l)
	[ "$n" -gt 0 ] || { echo "no files to search"; return 1; }
	if hits=$(grep -r -a -n -F -f "$pat" "$BATS_TEST_TMPDIR"); then
		echo "secrets leaked:"
		printf '%s\n' "$hits" | cut -c1-400
		return 1
	fi
}

# dump_aws: the tables and the site bucket as the tools left them, into
# $OUT, so no_leaks searches them too.
dump_aws() {
	local tbl
	for tbl in $(admin aws dynamodb list-tables --query TableNames --output text); do
		admin aws dynamodb scan --table-name "$tbl" --output json >"$OUT/table-$tbl.json"
	done
	admin aws s3 sync --quiet s3://site "$OUT/bucket-site"
}

# tls_front UPSTREAM_URL: a TLS front with a fresh self-signed certificate
# for 127.0.0.1 ($CERT); TLS_URL is https://127.0.0.1:PORT.
tls_front() {
	CERT="$BATS_TEST_TMPDIR/cert.pem"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$BATS_TEST_TMPDIR/key.pem" \
	    -out "$CERT" -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	start_bg tls python3 "$FIXTURES/iam/tls-forward.py" --cert "$CERT" \
	    --key "$BATS_TEST_TMPDIR/key.pem" --upstream "${1#http://}" \
	    --port-file "$BATS_TEST_TMPDIR/tls.port"
	wait_until 10 test -s "$BATS_TEST_TMPDIR/tls.port"
	TLS_URL="https://127.0.0.1:$(cat "$BATS_TEST_TMPDIR/tls.port")"
}

# receiver_start [--secret-file FILE] [RECEIVER OPTIONS...]: the webhook
# receiver (checks signatures with $IN/hook.secret); HOOK_URL, HOOK_BASE.
receiver_start() {
	local pf="$BATS_TEST_TMPDIR/receiver.port"
	start_bg receiver uktv-webhook-receiver --port 0 --port-file "$pf" \
	    --secret-file "$IN/hook.secret" "$@"
	wait_until 10 test -s "$pf"
	HOOK_BASE="http://127.0.0.1:$(cat "$pf")"
	HOOK_URL="$HOOK_BASE/hook"
}

@test "-v -v runs of every tool that work leave no secret in stdout, stderr, dead letters, state, checkpoints, spool, stats, the table or the site" {
	receiver_start
	ck="$BATS_TEST_TMPDIR/state"
	mkdir -p "$ck"
	t refdata 0 uktv-refdata -v -v -t Guide
	t refdata-file 0 env -u WATCHMODE_API_KEY uktv-refdata -v -v --api-key-file "$IN/wm.key" genres
	t refdata-query 0 uktv-refdata -v -v --key-in-query sources
	t prefs-put 0 uktv-prefs -v -v -t Guide put alice --sources 349 --genres 4
	t prefs-list 0 uktv-prefs -v -v -t Guide list
	t titles 0 env -u WATCHMODE_API_KEY uktv-titles -v -v -t Guide --state "$ck/titles.state" \
	    --api-key-secret "$SECRET_ARN"
	[ -s "$OUT/titles.out" ]
	t publish 0 uktv-publish -v -v -s Titles --results --dead-letter "$OUT/publish.dead" <"$EVENTS"
	# A line consume cannot store (no title): dead-lettered there.
	echo '{"payload":{"id":"not a number"}}' | uktv-publish -s Titles
	t consume 1 uktv-consume -v -v -s Titles -t Guide -e -n --enrich --checkpoint "$ck/consume" \
	    --dead-letter "$OUT/consume.dead" --stats 1 --stats-file "$OUT/consume.stats" --poll-interval 0.2
	[ -s "$OUT/consume.dead" ]
	t notify 0 uktv-notify -v -v -t Guide -e --from trim-horizon --poll-interval 0.2 \
	    --checkpoint "$ck/notify" --webhook "$HOOK_URL" --webhook-secret-file "$IN/hook.secret"
	[ -s "$OUT/notify.out" ]
	# Every webhook post was signed with the secret (the receiver checked).
	curl -sSf "$HOOK_BASE/__receiver/log" >"$OUT/receiver.log"
	jq -se 'length > 0 and all(.signature_ok)' "$OUT/receiver.log" >/dev/null
	t digest 0 uktv-notify -v -v -t Guide -e --from trim-horizon --poll-interval 0.2 \
	    --checkpoint "$ck/digest" --digest 1d --webhook "$HOOK_URL" \
	    --webhook-secret-file "$IN/hook.secret"
	t guide 0 uktv-guide -v -v -t Guide -o "$BATS_TEST_TMPDIR/site" --s3 s3://site
	for n in refdata refdata-file refdata-query prefs-put titles publish consume notify guide; do
		traced "$n"
	done
	# The trace shows the Watchmode URL, the key in it redacted.
	grep -q 'GET http://127.0.0.1:[0-9]*/v1/sources/?.*apiKey=\*\*\*\*.* -> 200' "$OUT/refdata-query.err"
	dump_aws
	no_leaks
}

@test "-v -v runs that fail (wrong AWS secret, AWS unreachable, Watchmode 401, 5xx and unreachable, a refused or unreachable webhook) leave no secret anywhere" {
	closed=$(free_port)
	# A wrong secret key with the right key id and token: the signature fails.
	t pub-wrong 77 env AWS_SECRET_ACCESS_KEY="$AWS_WRONG" uktv-publish -v -v -s Titles <"$EVENTS"
	grep -q SignatureDoesNotMatch "$OUT/pub-wrong.err"
	t prefs-wrong 77 env AWS_SECRET_ACCESS_KEY="$AWS_WRONG" uktv-prefs -v -v -t Guide get alice
	t guide-wrong 77 env AWS_SECRET_ACCESS_KEY="$AWS_WRONG" uktv-guide -v -v -t Guide --s3 s3://site
	t titles-secret-wrong 77 env -u WATCHMODE_API_KEY AWS_SECRET_ACCESS_KEY="$AWS_WRONG" \
	    uktv-titles -v -v -t Guide --api-key-secret "$SECRET_ARN"
	# Nothing listening.
	t pub-down 69 uktv-publish -v -v --endpoint-url "http://127.0.0.1:$closed" -s Titles \
	    --dead-letter "$OUT/pub-down.dead" <"$EVENTS"
	t notify-down 69 uktv-notify -v -v --endpoint-url "http://127.0.0.1:$closed" -t Guide -e
	# AWS answering 503 to every PutRecords: the records are dead-lettered.
	proxy_script '[{"op":"PutRecords","fault":"503"}]'
	t pub-503 69 uktv-publish -v -v -s Titles --record-attempts 2 --dead-letter "$OUT/pub-503.dead" <"$EVENTS"
	proxy_script '[]'
	# Watchmode: a wrong key (401), in the header and in the URL.
	t wm-401 77 env WATCHMODE_API_KEY="$WM_WRONG" uktv-refdata -v -v genres
	t wm-401-query 77 env WATCHMODE_API_KEY="$WM_WRONG" uktv-refdata -v -v --key-in-query genres
	t titles-401 77 env WATCHMODE_API_KEY="$WM_WRONG" uktv-titles -v -v -t Guide
	# Watchmode failing with 500s, and not listening.
	watchmode_fault '{"path":"/v1/","status":500,"count":1000}'
	t wm-500 69 uktv-refdata -v -v --key-in-query genres
	t titles-500 69 uktv-titles -v -v -t Guide --key-in-query --state "$BATS_TEST_TMPDIR/titles.state"
	watchmode_reset
	t wm-down 69 env WATCHMODE_ENDPOINT_URL="http://127.0.0.1:$closed" uktv-refdata -v -v --key-in-query genres
	# Enrichment with a wrong key while storing new titles (a stream of
	# this test's own: the titles are new whatever ran before).
	admin aws kinesis create-stream --stream-name Enrich401 --shard-count 1
	wait_until 10 stream_active Enrich401
	# Title 323403 (Netflix, genre 6): no other test stores it.
	jq -c '.payload.id = 323403 | .payload.title = "Club de Cuervos"' \
	    "$FIXTURES/iam/new-title-event.ndjson" | uktv-publish -s Enrich401
	# (A failed enrichment never blocks storing: uktv-consume(1).)
	t consume-401 77 env WATCHMODE_API_KEY="$WM_WRONG" uktv-consume -v -v -s Enrich401 -t Guide -e -n \
	    --enrich --checkpoint "$BATS_TEST_TMPDIR/ck" --dead-letter "$OUT/consume.dead" --poll-interval 0.2
	grep -q 'not enriched: Watchmode .*HTTP 401' "$OUT/consume-401.err"
	# The webhook: a wrong secret (401 from the receiver), then nobody there.
	receiver_start
	# (On the table's stream: with --records-from and no AWS client, -v -v
	# does not trace the webhook's own requests.)
	t hook-wrong 77 uktv-notify -v -v -t Guide -e --from trim-horizon --poll-interval 0.2 \
	    --webhook "$HOOK_URL" --webhook-secret-file "$IN/hook.wrong" --dead-letter "$OUT/hook-wrong.dead"
	grep -q 'POST http://127.0.0.1:[0-9]*/hook -> 401' "$OUT/hook-wrong.err"
	t hook-down 1 uktv-notify -v -v --records-from "$NF/records.ndjson" --prefs-from "$NF/prefs.ndjson" \
	    --webhook "http://127.0.0.1:$closed/hook" --webhook-secret-file "$IN/hook.secret" \
	    --webhook-attempts 1 --dead-letter "$OUT/hook-down.dead"
	[ -s "$OUT/hook-down.dead" ]
	for n in pub-wrong pub-503 wm-401 wm-401-query wm-500 hook-wrong; do
		traced "$n"
	done
	no_leaks
}

@test "an SSO profile's token, refresh token and client secret, and the role credentials they buy, appear nowhere" {
	home="$BATS_FILE_TMPDIR/home$BATS_TEST_NUMBER"
	mkdir -p "$home/.aws/sso/cache"
	export HOME=$home AWS_CONFIG_FILE="$home/.aws/config" AWS_SHARED_CREDENTIALS_FILE=/dev/null
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile streaming]
sso_session = uktv
sso_account_id = 123456789012
sso_role_name = uktv-reader
region = eu-west-2

[sso-session uktv]
sso_start_url = https://d-9067c1a2b3.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
EOF
	# The token `aws sso login` cached, expired, with what refreshes it.
	cache="$home/.aws/sso/cache/$(printf uktv | sha1sum | cut -d' ' -f1).json"
	cat >"$cache" <<EOF
{"startUrl": "https://d-9067c1a2b3.awsapps.com/start", "region": "eu-west-1", "accessToken": "$SSO_TOKEN", "expiresAt": "$(date -u -d '-1 hour' +%Y-%m-%dT%H:%M:%SZ)", "clientId": "sso-client-id", "clientSecret": "$SSO_CLIENT_SECRET", "registrationExpiresAt": "$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:%SZ)", "refreshToken": "$SSO_REFRESH"}
EOF
	chmod 600 "$cache"
	# The portal hands out the role's temporary credentials (checked by moto).
	pf="$BATS_TEST_TMPDIR/sso.port"
	start_bg sso python3 "$UKTV_ROOT/tests/fakes/uktv-sso-double" --port-file "$pf" \
	    --log "$BATS_FILE_TMPDIR/sso$BATS_TEST_NUMBER.log" --token "$SSO_TOKEN" \
	    --refresh-token "$SSO_REFRESH" --client-secret "$SSO_CLIENT_SECRET" \
	    --access-key-id "$AWS_ACCESS_KEY_ID" --secret-access-key "$AWS_SECRET_ACCESS_KEY" \
	    --session-token "$AWS_SESSION_TOKEN"
	wait_until 10 test -s "$pf"
	export AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$(cat "$pf")" AWS_ENDPOINT_URL_SSO_OIDC="http://127.0.0.1:$(cat "$pf")"
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
	# Refreshed through SSO-OIDC, then role credentials, then the calls.
	t sso-prefs 0 uktv-prefs -v -v --profile streaming -t Guide list
	t sso-publish 0 uktv-publish -v -v --profile streaming -s Titles <"$EVENTS"
	grep -q 'CreateToken grant=refresh_token client=ok refresh=ok status=200' \
	    "$BATS_FILE_TMPDIR/sso$BATS_TEST_NUMBER.log"
	# A token the portal no longer takes: the login line, 77.
	stop_bg sso
	start_bg sso python3 "$UKTV_ROOT/tests/fakes/uktv-sso-double" --port-file "$pf.2" \
	    --token another-token --access-key-id x --secret-access-key y --session-token z
	wait_until 10 test -s "$pf.2"
	export AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$(cat "$pf.2")" AWS_ENDPOINT_URL_SSO_OIDC="http://127.0.0.1:$(cat "$pf.2")"
	t sso-refused 77 uktv-publish -v -v --profile streaming -s Titles <"$EVENTS"
	grep -q 'aws sso login --profile streaming' "$OUT/sso-refused.err"
	traced sso-prefs
	traced sso-publish
	# The refreshed token and refresh token are secrets too.
	no_leaks "$(jq -r .accessToken "$cache")" "$(jq -r .refreshToken "$cache")"
}

@test "no secret is in the argv of a following uktv-consume or uktv-notify, and none in what they wrote when stopped" {
	receiver_start
	FOLLOWERS=
	uktv-consume -v -v -s Titles -t Guide --enrich --checkpoint "$BATS_TEST_TMPDIR/ck-consume" \
	    --poll-interval 0.2 >"$OUT/follow-consume.out" 2>"$OUT/follow-consume.err" 3>&- &
	cpid=$!
	uktv-notify -v -v -t Guide --checkpoint "$BATS_TEST_TMPDIR/ck-notify" --poll-interval 0.2 \
	    --webhook "$HOOK_URL" --webhook-secret-file "$IN/hook.secret" \
	    >"$OUT/follow-notify.out" 2>"$OUT/follow-notify.err" 3>&- &
	npid=$!
	FOLLOWERS="$cpid $npid"
	# Both at work (traced calls), then a new title for them to handle.
	wait_until 20 grep -q 'POST http' "$OUT/follow-consume.err"
	wait_until 20 grep -q 'POST http' "$OUT/follow-notify.err"
	uktv-publish -s Titles <"$FIXTURES/iam/new-title-event.ndjson"
	wait_until 30 grep -q '"title_id":"368151"' "$OUT/follow-notify.out"
	for p in $cpid $npid; do
		[ -r "/proc/$p/cmdline" ] || { echo "process $p is gone"; false; }
		tr '\0' ' ' <"/proc/$p/cmdline" >"$OUT/cmdline-$p"
		# ... and any child's
		for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
			tr '\0' ' ' <"/proc/$c/cmdline" >"$OUT/cmdline-$p-child-$c"
		done
	done
	# (under make check-valgrind the command line starts with valgrind)
	grep -q 'uktv-consume ' "$OUT/cmdline-$cpid"
	grep -q 'uktv-notify ' "$OUT/cmdline-$npid"
	kill -TERM "$cpid" "$npid"
	rc=0; wait "$cpid" || rc=$?
	[ "$rc" -eq 143 ] || { echo "consume: exit $rc"; cat "$OUT/follow-consume.err"; false; }
	rc=0; wait "$npid" || rc=$?
	[ "$rc" -eq 143 ] || { echo "notify: exit $rc"; cat "$OUT/follow-notify.err"; false; }
	FOLLOWERS=
	no_leaks
}

@test "TLS: uktv-publish refuses a self-signed AWS endpoint and trusts it with --ca-bundle or AWS_CA_BUNDLE" {
	tls_front "$MOTO_URL"
	t pub-tls 69 uktv-publish -v -v --endpoint-url "$TLS_URL" -s Titles <"$EVENTS"
	grep -q 'certificate' "$OUT/pub-tls.err"
	t pub-ca 0 uktv-publish -v -v --endpoint-url "$TLS_URL" --ca-bundle "$CERT" -s Titles --results <"$EVENTS"
	[ "$(jq -s 'length' "$OUT/pub-ca.out")" = 2 ]
	t pub-env 0 env AWS_CA_BUNDLE="$CERT" uktv-publish -v -v --endpoint-url "$TLS_URL" -s Titles <"$EVENTS"
	traced pub-ca
	traced pub-env
	no_leaks
}

@test "TLS: uktv-guide's S3 uploads refuse a self-signed endpoint and trust it with --ca-bundle or AWS_CA_BUNDLE" {
	tls_front "$MOTO_URL"
	t guide-tls 69 uktv-guide -v -v --endpoint-url "$TLS_URL" -t Guide --s3 s3://site
	grep -q 'certificate' "$OUT/guide-tls.err"
	t guide-ca 0 uktv-guide -v -v --endpoint-url "$TLS_URL" --ca-bundle "$CERT" -t Guide --s3 s3://site
	t guide-env 0 env AWS_CA_BUNDLE="$CERT" uktv-guide -v -v --endpoint-url "$TLS_URL" -t Guide --s3 s3://site
	traced guide-ca
	no_leaks
}

@test "TLS: the Watchmode client refuses a self-signed WATCHMODE_ENDPOINT_URL and trusts it with --ca-bundle or AWS_CA_BUNDLE" {
	tls_front "$WATCHMODE_ENDPOINT_URL"
	export WATCHMODE_ENDPOINT_URL=$TLS_URL
	t wm-tls 69 uktv-refdata -v -v genres
	grep -q 'certificate' "$OUT/wm-tls.err"
	t wm-ca 0 uktv-refdata -v -v --ca-bundle "$CERT" genres
	grep -q '"name":"Comedy"' "$OUT/wm-ca.out"
	t wm-env 0 env AWS_CA_BUNDLE="$CERT" uktv-refdata -v -v genres
	grep -q '"name":"Comedy"' "$OUT/wm-env.out"
	traced wm-ca
	no_leaks
}

@test "TLS: uktv-notify's webhook refuses a self-signed https receiver and trusts it with --ca-bundle or AWS_CA_BUNDLE" {
	receiver_start
	tls_front "$HOOK_BASE"
	t hook-tls 69 uktv-notify -v -v --records-from "$NF/records.ndjson" --prefs-from "$NF/prefs.ndjson" \
	    --webhook "$TLS_URL/hook" --webhook-secret-file "$IN/hook.secret" --webhook-attempts 1
	grep -q 'certificate' "$OUT/hook-tls.err"
	t hook-ca 0 uktv-notify -v -v --records-from "$NF/records.ndjson" --prefs-from "$NF/prefs.ndjson" \
	    --webhook "$TLS_URL/hook" --webhook-secret-file "$IN/hook.secret" --ca-bundle "$CERT"
	t hook-env 0 env AWS_CA_BUNDLE="$CERT" uktv-notify -v -v --records-from "$NF/records.ndjson" \
	    --prefs-from "$NF/prefs.ndjson" --webhook "$TLS_URL/hook" --webhook-secret-file "$IN/hook.secret"
	# Six deliveries per working run, each signature checked.
	[ "$(curl -sSf "$HOOK_BASE/__receiver/log" | jq -s '[.[] | select(.signature_ok and .status == 204)] | length')" = 12 ]
	no_leaks
}
