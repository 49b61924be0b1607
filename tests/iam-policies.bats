#!/usr/bin/env bats
# Issue 17: each tool's IAM policy in examples/iam is enough for the tool and
# no bigger than it needs to be where it counts.  Every tool runs against
# moto with signature and IAM checking on, as a user whose only permission is
# that tool's policy, and its representative command works; then the first
# action that command calls is taken out of the policy and the same command
# stops with AccessDenied naming that action, exit 77.
#
# What moto can check and what this file checks itself: moto matches
# Kinesis, DynamoDB, DynamoDB Streams and Secrets Manager actions against
# Resource "*" only (an ARN-scoped Allow never matches there:
# tests/fixtures/MOTO-NOTES.md), so the user's policy is the example with
# every Resource of those services rewritten to "*": moto checks the ACTION
# lists.  S3 resources are kept as they are (moto matches them; the bucket
# is the policy's own uktv-guide).  The ARNs are then checked here: every
# call the fault proxy saw (it sits between the tool and moto and logs the
# operation and the table, stream or bucket of each call) is matched, action
# and resource ARN, against the example policy as written, with IAM's
# wildcards.  The resources carry the names the examples use
# (UKTVProgrammes, ProgrammeDataStream, uktv-consume-leases,
# uktv/watchmode-api-key, uktv-guide), and moto's account and region are the
# examples' placeholders, so the ARNs are the ones the policies name.
#
# An action a policy allows that the command never called is printed as a
# "# note" (one representative command does not walk every path of a tool,
# so that is a finding to read, not a failure).
#
# uktv-api (issue 25) is a service: it runs as user uktv-api and a viewer of
# a Cognito pool in moto (signed in before checking is on; the token stays
# in a file) asks each route the page uses; the answers are compared with
# what uktv-prefs reads as admin.  Its routes together do walk every path
# that touches the table, so there each action must be needed: with the
# service running (moto reads the user's policy on every call), each action
# in turn is taken out and some route must then answer 503 naming it.
# DescribeTable, called once before it listens, is the first-action check.

load helpers/common
load helpers/faultproxy
load helpers/watchmode
load helpers/cognito

bats_require_minimum_version 1.5.0

IAM="$UKTV_ROOT/examples/iam"
EVENTS="$FIXTURES/iam/events.ndjson"
TOOLS="refdata prefs titles publish consume notify guide api"

setup_file() {
	local t
	moto_start
	proxy_start
	watchmode_start
	for t in $TOOLS; do
		moto_policy "$t" >"$BATS_FILE_TMPDIR/uktv-$t.moto.json" || return 1
	done
	# Resources, seed items, title events on the stream, one user per tool
	# and a viewer of uktv-api's Cognito pool signed in (initiate-auth is
	# unsigned, as on AWS: moto cannot take it with checking on), all in
	# one boto3 process straight to moto (an AWS CLI run costs a second
	# here), with checking still off.
	COGNITO_PASSWORD=$COGNITO_PASSWORD python3 - "$BATS_FILE_TMPDIR" "$FIXTURES" "$TOOLS" <<'PY' || return 1
import boto3, json, os, sys
d, fx, tools = sys.argv[1:4]
kw = {"endpoint_url": os.environ["MOTO_URL"], "region_name": "eu-west-2"}
ddb = boto3.client("dynamodb", **kw)
ddb.create_table(TableName="UKTVProgrammes", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                          {"AttributeName": "SK", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
               {"AttributeName": "SK", "KeyType": "RANGE"}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
items = []
for f in ("sources", "genres", "titles", "userprefs"):
    items += json.load(open(f"{fx}/seed-data/example_data_{f}.json"))["Items"]
for i in range(0, len(items), 25):
    ddb.batch_write_item(RequestItems={"UKTVProgrammes":
        [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]})
kin = boto3.client("kinesis", **kw)
kin.create_stream(StreamName="ProgrammeDataStream", ShardCount=1)
kin.create_stream(StreamName="OtherStream", ShardCount=1)
lines = [l for l in open(f"{fx}/iam/events.ndjson") if l.strip()]
kin.put_records(StreamName="ProgrammeDataStream", Records=[
    {"Data": l.encode(), "PartitionKey": str(json.loads(l)["payload"]["id"])} for l in lines])
boto3.client("s3", **kw).create_bucket(Bucket="uktv-guide",
    CreateBucketConfiguration={"LocationConstraint": "eu-west-2"})
arn = boto3.client("secretsmanager", **kw).create_secret(
    Name="uktv/watchmode-api-key", SecretString=os.environ["WATCHMODE_API_KEY"])["ARN"]
open(f"{d}/secret.arn", "w").write(arn + "\n")
iam = boto3.client("iam", **kw)
def user(name, doc):
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName=name, PolicyDocument=json.dumps(doc))
    k = iam.create_access_key(UserName=name)["AccessKey"]
    open(f"{d}/{name}.keys", "w").write(f'{k["AccessKeyId"]} {k["SecretAccessKey"]}\n')
user("admin", {"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
for t in tools.split():
    user(f"uktv-{t}", json.load(open(f"{d}/uktv-{t}.moto.json")))
idp = boto3.client("cognito-idp", **kw)
pool = idp.create_user_pool(PoolName="viewers", UsernameAttributes=["email"],
    AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
client = idp.create_user_pool_client(UserPoolId=pool, ClientName="scripts",
    ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
viewer, pw = "viewer@example.org", os.environ["COGNITO_PASSWORD"]
idp.admin_create_user(UserPoolId=pool, Username=viewer, MessageAction="SUPPRESS",
    UserAttributes=[{"Name": "email", "Value": viewer}, {"Name": "email_verified", "Value": "true"}])
idp.admin_set_user_password(UserPoolId=pool, Username=viewer, Password=pw, Permanent=True)
token = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
    AuthParameters={"USERNAME": viewer, "PASSWORD": pw})["AuthenticationResult"]["IdToken"]
with open(os.open(f"{d}/viewer.token", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    f.write(token + "\n")
open(f"{d}/cognito", "w").write(f"{pool} {client}\n")
PY
	cognito_auth_header "$BATS_FILE_TMPDIR/viewer.token" "$BATS_FILE_TMPDIR/viewer.auth" || return 1
	# Checking on from the next call.
	curl -sf -X POST -H 'Content-Type: text/plain' --data-binary 0 \
	    "$MOTO_URL/moto-api/reset-auth" >/dev/null
}

teardown_file() {
	watchmode_stop
	proxy_stop
	moto_stop
}

setup() {
	read -r MOTO_ADMIN_KEY MOTO_ADMIN_SECRET <"$BATS_FILE_TMPDIR/admin.keys"
	export MOTO_ADMIN_KEY MOTO_ADMIN_SECRET
	SECRET_ARN=$(cat "$BATS_FILE_TMPDIR/secret.arn")
	export SECRET_ARN
	proxy_script '[]'
	watchmode_reset
	unset UKTV_TABLE
	read -r POOL CLIENT <"$BATS_FILE_TMPDIR/cognito"
}

# A uktv-api a test started (api_serve).
teardown() {
	stop_bg api
}

# moto_policy TOOL [ACTION]: examples/iam/uktv-TOOL.json with every
# non-S3 Resource rewritten to "*" (what moto can match), less ACTION when
# one is given (from every statement; a statement left with no action goes).
moto_policy() {
	jq -c --arg drop "${2:-}" '
	    .Statement |= (map(
	        (if (.Resource | tostring | test("arn:aws:s3:")) then . else .Resource = "*" end)
	        | .Action |= (if type == "array" then map(select(ascii_downcase != ($drop | ascii_downcase)))
	                     elif ascii_downcase == ($drop | ascii_downcase) then [] else . end))
	      | map(select((.Action | type) == "string" or (.Action | length) > 0)))
	    # IAM refuses a policy with no statement: a one-action policy that
	    # lost its action becomes one that allows nothing the tool uses.
	    | if (.Statement | length) == 0 then
	        .Statement = [{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]
	      else . end' \
	    "$IAM/uktv-$1.json"
}

# as_tool TOOL: from now on this test calls AWS as user uktv-TOOL.
as_tool() {
	read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY <"$BATS_FILE_TMPDIR/uktv-$1.keys"
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

# set_policy TOOL [ACTION]: user uktv-TOOL's policy becomes moto_policy's.
set_policy() {
	local doc
	doc=$(moto_policy "$@")
	AWS_ENDPOINT_URL=$MOTO_URL as_admin aws iam put-user-policy --user-name "uktv-$1" \
	    --policy-name "uktv-$1" --policy-document "$doc"
}

# calls: one "ACTION RESOURCE-ARN" line per request the proxy logged since
# the last proxy_reset, in order.  The IAM action is the operation under
# its service's IAM prefix (DynamoDB Streams: dynamodb); the resource is
# the table, stream, secret or bucket (object) the request named, and for
# calls that name none (GetRecords takes only an iterator) the last one of
# that service.  An unsigned request (no service: uktv-api's GET of the
# Cognito pool's public keys) is no action and no line.
calls() {
	proxy_log | python3 -c '
import json, sys, urllib.parse
region, acct = "eu-west-2", "123456789012"
secret = sys.argv[1]
last = {}
for line in sys.stdin:
    e = json.loads(line)
    svc, op = e.get("service") or "", e["op"]
    if not svc:
        continue
    res = []
    if svc == "dynamodb":
        t = e.get("target_table")
        res = [f"arn:aws:dynamodb:{region}:{acct}:table/{x}" for x in
               ([t] if isinstance(t, str) else (t or []))]
    elif svc == "dynamodbstreams":
        if e.get("stream"):
            res = [e["stream"]]
    elif svc == "kinesis":
        if e.get("stream"):
            name = e["stream"]
            res = [f"arn:aws:kinesis:{region}:{acct}:stream/{name}"]
    elif svc == "secretsmanager":
        res = [secret]
    elif svc == "s3":
        u = urllib.parse.urlsplit(e["path"])
        q = urllib.parse.parse_qs(u.query, keep_blank_values=True)
        bucket, _, key = u.path.lstrip("/").partition("/")
        m = e["method"]
        if not key:
            op = {"GET": "ListBucket", "HEAD": "ListBucket", "PUT": "CreateBucket"}.get(m, m)
            if m == "POST" and "delete" in q:
                op = "DeleteObject"
            res = [f"arn:aws:s3:::{bucket}"]
        else:
            op = {"GET": "GetObject", "HEAD": "GetObject", "PUT": "PutObject",
                  "DELETE": "DeleteObject"}.get(m, m)
            res = [f"arn:aws:s3:::{bucket}/{key}"]
    prefix = "dynamodb" if svc == "dynamodbstreams" else svc
    if not res:
        res = [last.get(svc, "*")]
    last[svc] = res[-1]
    for r in res:
        print(f"{prefix}:{op} {r}")
' "$SECRET_ARN"
}

# first_action: the IAM action of the first request since proxy_reset.
first_action() {
	calls | head -1 | cut -d' ' -f1
}

# check_calls TOOL [--no-note]: every logged call is allowed, action AND resource ARN,
# by examples/iam/uktv-TOOL.json as written (IAM wildcards: * any run of
# characters, ? one character; actions case-insensitive).  Prints each call
# the policy does not allow and fails; prints the policy's actions the
# calls never used as a "# note" line on fd 3 (unless --no-note: a test of
# one narrow path).
check_calls() {
	local out rc=0
	out=$(calls | python3 -c '
import fnmatch, json, sys
doc = json.load(open(sys.argv[1]))
allowed, bad, used = [], [], set()
for st in doc["Statement"]:
    acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
    res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
    allowed += [(a, r) for a in acts for r in res]
for line in sys.stdin:
    action, resource = line.split()
    ok = [(a, r) for a, r in allowed
          if fnmatch.fnmatchcase(action.lower(), a.lower()) and fnmatch.fnmatchcase(resource, r)]
    used.update(ok)
    if not ok:
        bad.append(f"not allowed by {sys.argv[2]}: {action} on {resource}")
# Named with the resource where one action is allowed on several.
unused = []
for a, r in allowed:
    if (a, r) not in used:
        several = sum(1 for x, _ in allowed if x == a) > 1
        unused.append(a + (" on " + r.rsplit(":", 1)[-1] if several else ""))
for b in bad:
    print(b)
if unused:
    print("# note: " + sys.argv[2] + ": allowed, never called by this command: " + ", ".join(unused))
sys.exit(1 if bad else 0)
' "$IAM/uktv-$1.json" "uktv-$1") || rc=$?
	[ "${2:-}" = --no-note ] || grep '^# note' <<<"$out" >&3 || true
	grep -v '^# note' <<<"$out" || true
	return $rc
}

# denied_without_first TOOL COMMAND...: the first action of the run just
# logged, taken out of TOOL's policy; COMMAND must then stop with exit 77
# and AccessDenied naming that action on stderr.  The policy is put back.
denied_without_first() {
	local tool=$1 first
	shift
	first=$(first_action)
	[ -n "$first" ] || { echo "no AWS call was logged"; return 1; }
	set_policy "$tool" "$first"
	run --separate-stderr "$@"
	set_policy "$tool"
	[ "$status" -eq 77 ] || { echo "without $first: exit $status, want 77"; echo "$stderr"; return 1; }
	[[ $stderr == *AccessDenied* ]] || { echo "without $first: no AccessDenied: $stderr"; return 1; }
	[[ $stderr == *"not authorized to perform: $first"* ]] ||
	    { echo "without $first: the action is not named: $stderr"; return 1; }
}

@test "uktv-refdata stores reference data with only its policy; without dynamodb:DescribeTable it fails with AccessDenied, 77" {
	as_tool refdata
	# A reference item Watchmode lists is missing: refdata puts it back.
	as_admin aws dynamodb delete-item --table-name UKTVProgrammes \
	    --key '{"PK":{"S":"genre:4"},"SK":{"S":"Comedy"}}'
	proxy_reset
	run --separate-stderr env -u WATCHMODE_API_KEY \
	    uktv-refdata -t UKTVProgrammes -n --prune --api-key-secret "$SECRET_ARN"
	assert_success
	check_calls refdata
	calls | grep -q '^dynamodb:BatchWriteItem '
	run as_admin aws dynamodb get-item --table-name UKTVProgrammes --output text \
	    --key '{"PK":{"S":"genre:4"},"SK":{"S":"Comedy"}}' --query Item.PK.S
	assert_output genre:4
	# The table is checked before Watchmode is asked (its key fetched).
	[ "$(first_action)" = dynamodb:DescribeTable ]
	denied_without_first refdata env -u WATCHMODE_API_KEY \
	    uktv-refdata -t UKTVProgrammes -n --api-key-secret "$SECRET_ARN"
}

@test "uktv-prefs puts, lists and recommends with only its policy; without dynamodb:DescribeTable it fails with AccessDenied, 77" {
	as_tool prefs
	proxy_reset
	run --separate-stderr uktv-prefs put alice --sources 349 --genres 4 --favourites 1615420
	assert_success
	run --separate-stderr uktv-prefs get alice
	assert_success
	assert_output '{"user":"alice","sources":["349"],"genres":["4"],"favourites":["1615420"]}'
	run --separate-stderr uktv-prefs list
	assert_success
	assert_line --partial '"user":"alice"'
	run --separate-stderr uktv-prefs recommendations alice --min-rating 0
	assert_success
	run --separate-stderr uktv-prefs sources
	assert_success
	check_calls prefs
	[ "$(first_action)" = dynamodb:DescribeTable ]
	denied_without_first prefs uktv-prefs put alice --add-genre 6
}

@test "uktv-titles lists titles for the stored preferences with only its policy; without dynamodb:DescribeTable it fails with AccessDenied, 77" {
	as_tool titles
	proxy_reset
	run --separate-stderr env -u WATCHMODE_API_KEY \
	    uktv-titles -t UKTVProgrammes --api-key-secret "$SECRET_ARN"
	assert_success
	# The seed user follows 203 and 349 x 4 and 6: the catalogue has titles there.
	[ "${#lines[@]}" -ge 1 ]
	jq -e '.payload.id > 0' <<<"${lines[0]}"
	check_calls titles
	[ "$(first_action)" = dynamodb:DescribeTable ]
	denied_without_first titles env -u WATCHMODE_API_KEY \
	    uktv-titles -t UKTVProgrammes --api-key-secret "$SECRET_ARN"
}

@test "uktv-publish puts title events on the stream with only its policy; without kinesis:PutRecords it fails with AccessDenied, 77" {
	as_tool publish
	proxy_reset
	run --separate-stderr uktv-publish -s ProgrammeDataStream --results <"$EVENTS"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	check_calls publish
	[ "$(first_action)" = kinesis:PutRecords ]
	denied_without_first publish uktv-publish -s ProgrammeDataStream <"$EVENTS"
}

@test "uktv-consume stores and enriches through a lease table with only its policy; without dynamodb:DescribeTable it fails with AccessDenied, 77" {
	as_tool consume
	proxy_reset
	run --separate-stderr env -u WATCHMODE_API_KEY uktv-consume -s ProgrammeDataStream \
	    -t UKTVProgrammes -e -n --enrich --api-key-secret "$SECRET_ARN" \
	    --lease-table uktv-consume-leases --worker-id iam-w1 --poll-interval 0.2
	assert_success
	# Its other modes: the lease table's positions, and enriching what the
	# table holds unenriched.
	run --separate-stderr uktv-consume --show-checkpoints --lease-table uktv-consume-leases
	assert_success
	assert_output --partial '"shardId-000000000000"'
	run --separate-stderr env -u WATCHMODE_API_KEY uktv-consume --enrich-missing \
	    -t UKTVProgrammes --api-key-secret "$SECRET_ARN"
	assert_success
	check_calls consume
	# The lease table was made by the tool, the titles stored and enriched.
	calls | grep -q '^dynamodb:CreateTable arn:aws:dynamodb:eu-west-2:123456789012:table/uktv-consume-leases$'
	run as_admin aws dynamodb get-item --table-name UKTVProgrammes --output json \
	    --key '{"PK":{"S":"title:9100246"},"SK":{"S":"record"}}'
	assert_success
	jq -e '.Item.data.M.enriched_at.S and .Item.data.M.plot_overview.S' <<<"$output"
	[ "$(first_action)" = dynamodb:DescribeTable ]
	denied_without_first consume env -u WATCHMODE_API_KEY uktv-consume -s ProgrammeDataStream \
	    -t UKTVProgrammes -e -n --enrich --api-key-secret "$SECRET_ARN" \
	    --lease-table uktv-consume-leases --worker-id iam-w2 --poll-interval 0.2
}

@test "uktv-consume's policy covers re-reading a title (GetItem on the guide table) after a lost conditional update" {
	# The proxy answers the first UpdateItem with ConditionalCheckFailed (as
	# when another writer got there first); the tool then reads the record
	# again with GetItem on UKTVProgrammes and updates it.  moto cannot tell
	# the table's GetItem from the lease table's (Resource "*"), so the ARN
	# check is check_calls'.
	as_tool consume
	ck="$BATS_TEST_TMPDIR/ck"
	run --separate-stderr uktv-consume -s ProgrammeDataStream -t UKTVProgrammes -e -n \
	    --checkpoint "$ck" --poll-interval 0.2
	assert_success
	as_admin uktv-publish -s ProgrammeDataStream <"$FIXTURES/iam/changed-event.ndjson"
	proxy_script '[{"op":"UpdateItem","fault":"error","status":400,
	    "code":"ConditionalCheckFailedException","message":"The conditional request failed",
	    "type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","calls":[1]}]'
	proxy_reset
	run --separate-stderr uktv-consume -s ProgrammeDataStream -t UKTVProgrammes -e -n \
	    --checkpoint "$ck" --poll-interval 0.2
	assert_success
	calls | grep -q '^dynamodb:GetItem arn:aws:dynamodb:eu-west-2:123456789012:table/UKTVProgrammes$'
	check_calls consume --no-note
	run as_admin aws dynamodb get-item --table-name UKTVProgrammes --output json \
	    --key '{"PK":{"S":"title:1615420"},"SK":{"S":"record"}}'
	jq -e '.Item.data.M.title.S == "Bullet Train (2022)"' <<<"$output"
}

@test "uktv-notify reads the table's stream with only its policy; without dynamodb:DescribeTable it fails with AccessDenied, 77" {
	as_tool notify
	proxy_reset
	run --separate-stderr uktv-notify -t UKTVProgrammes -e --from trim-horizon --poll-interval 0.2
	assert_success
	# The seed's writes include titles its user follows.
	[ "${#lines[@]}" -ge 1 ]
	jq -e '.user == "a1b2c3d4-e5f6-7890-1234-567890abcdef"' <<<"${lines[0]}"
	check_calls notify
	calls | grep -q '^dynamodb:GetRecords arn:aws:dynamodb:eu-west-2:123456789012:table/UKTVProgrammes/stream/'
	[ "$(first_action)" = dynamodb:DescribeTable ]
	denied_without_first notify uktv-notify -t UKTVProgrammes -e --from trim-horizon --poll-interval 0.2
}

@test "uktv-guide writes and uploads the site with only its policy; without dynamodb:DescribeTable it fails with AccessDenied, 77" {
	as_tool guide
	proxy_reset
	# An object the site does not have, to be deleted.
	as_admin aws s3api put-object --bucket uktv-guide --key stale.html >/dev/null
	proxy_reset
	run --separate-stderr uktv-guide -t UKTVProgrammes -o "$BATS_TEST_TMPDIR/site" --s3 s3://uktv-guide
	assert_success
	assert_line '{"action":"uploaded","url":"s3://uktv-guide/index.html"}'
	assert_line '{"action":"deleted","url":"s3://uktv-guide/stale.html"}'
	check_calls guide
	[ "$(first_action)" = dynamodb:DescribeTable ]
	denied_without_first guide uktv-guide -t UKTVProgrammes --s3 s3://uktv-guide
}

# api_serve: uktv-api as user uktv-api (its credentials read at start), for
# the suite's pool and client, on a free port; API_URL once it answers
# (OPTIONS: no token, no AWS call).
api_serve() {
	as_tool api
	API_URL="http://127.0.0.1:$(free_port)"
	start_bg api uktv-api -t UKTVProgrammes --user-pool "$POOL" --client-id "$CLIENT" \
	    --listen "${API_URL#http://}"
	wait_until 20 curl -sf -X OPTIONS "$API_URL/" || {
		cat "$BATS_FILE_TMPDIR/api.log" >&2
		return 1
	}
}

# api METHOD PATH [BODY]: one request signed in as the viewer (the token
# read by curl from a file, never in argv); sets api_status and api_body.
api() {
	local out="$BATS_TEST_TMPDIR/api.body" args
	args=(-s -o "$out" -w '%{http_code}' -X "$1" -H "@$BATS_FILE_TMPDIR/viewer.auth")
	if [ $# -ge 3 ]; then
		printf '%s' "$3" >"$BATS_TEST_TMPDIR/api.request"
		args+=(-H 'Content-Type: application/json' --data-binary "@$BATS_TEST_TMPDIR/api.request")
	fi
	api_status=$(curl "${args[@]}" "$API_URL$2")
	api_body=$(cat "$out")
}

# api_routes: every route the page uses, once, the PUT twice (pairs the
# catalogue has titles for and a favourite more, then that favourite taken
# away: each writes, as a PUT that changes nothing would not); one
# "METHOD PATH STATUS BODY" line for each answer that is not 200.
api_routes() {
	local r method path body
	for r in "GET /sources" "GET /genres" "GET /preferences" \
	    'PUT /preferences {"sources":["203","349"],"genres":["4","6"],"favourites":["1615420","552585"]}' \
	    'PUT /preferences {"favourites":["1615420"]}' \
	    "GET /titles" "GET /recommendations"; do
		read -r method path body <<<"$r"
		api "$method" "$path" ${body:+"$body"}
		[ "$api_status" = 200 ] || echo "$method $path $api_status $api_body"
	done
}

# titles_of WHAT: `uktv-prefs WHAT <viewer> --enriched-only` (as admin) as
# the page gets its lines (tests/api-data.bats).
titles_of() {
	as_admin uktv-prefs "$1" "$(cognito_claim "$BATS_FILE_TMPDIR/viewer.token" sub)" --enriched-only |
	    jq -cS '. + {title: (.title // ""), user_rating: (.user_rating // 0),
		source_ids: (.source_ids // []), genre_ids: (.genre_ids // [])}'
}

@test "uktv-api answers every route with the right data with only its policy; without dynamodb:DescribeTable it fails with AccessDenied, 77" {
	proxy_reset
	api_serve
	api GET /sources
	assert_equal "$api_status" 200
	sources=$api_body
	api GET /genres
	assert_equal "$api_status" 200
	genres=$api_body
	# The seed's user follows these pairs: the catalogue has titles there.
	api PUT /preferences '{"sources":["349","203"],"genres":["6","4"],"favourites":["1615420"]}'
	assert_equal "$api_status" 200
	assert_equal "$api_body" '{"message":"Preferences updated successfully"}'
	api GET /preferences
	assert_equal "$api_status" 200
	assert_equal "$api_body" '{"sources":["203","349"],"genres":["4","6"],"favourites":["1615420"]}'
	api GET /titles
	assert_equal "$api_status" 200
	titles=$api_body
	api GET /recommendations
	assert_equal "$api_status" 200
	recommendations=$api_body
	check_calls api
	[ "$(first_action)" = dynamodb:DescribeTable ]
	first_api_call=$(calls | head -1)
	# What uktv-prefs, as admin, reads from the same items.
	for kind in sources genres; do
		want=$(as_admin uktv-prefs "$kind" | jq -c .)
		[ "$(wc -l <<<"$want")" -ge 3 ]
		assert_equal "$(jq -c '.[]' <<<"${!kind}")" "$want"
	done
	assert_equal "$(as_admin uktv-prefs get "$(cognito_claim "$BATS_FILE_TMPDIR/viewer.token" sub)" |
	    jq -c 'del(.user)')" '{"sources":["203","349"],"genres":["4","6"],"favourites":["1615420"]}'
	for what in titles recommendations; do
		want=$(titles_of "$what")
		[ -n "$want" ]
		assert_equal "$(jq -cS '.[]' <<<"${!what}")" "$want"
	done
	[ "$(jq length <<<"$titles")" -gt "$(jq length <<<"$recommendations")" ]
	# The table is checked before the service listens: without
	# DescribeTable it never starts.
	stop_bg api
	[ "$first_api_call" = "dynamodb:DescribeTable arn:aws:dynamodb:eu-west-2:123456789012:table/UKTVProgrammes" ]
	denied_without_first api timeout 20 uktv-api -t UKTVProgrammes --user-pool "$POOL" \
	    --client-id "$CLIENT" --listen "127.0.0.1:$(free_port)"
}

@test "uktv-api's policy names no action it does not need: without any one, some route fails with AccessDenied naming it" {
	api_serve
	run api_routes
	assert_output ""
	actions=$(jq -r '[.Statement[].Action] | flatten | .[]' "$IAM/uktv-api.json")
	for a in $actions; do
		# Called once, before the service listens: the test above.
		[ "$a" != dynamodb:DescribeTable ] || continue
		set_policy api "$a"
		broken=$(api_routes)
		set_policy api
		[ -n "$broken" ] || fail "without $a every route still answers 200"
		# 503 naming the action (the store's error), for every route
		# that failed.
		while read -r method path status body; do
			[ "$status" = 503 ] || fail "without $a: $method $path answered $status: $body"
			[[ $body == *"not authorized to perform: $a"* ]] ||
			    fail "without $a: $method $path does not name it: $body"
		done <<<"$broken"
		echo "# without $a: $(cut -d' ' -f1,2 <<<"$broken" | paste -sd, -)" >&3
	done
	run api_routes
	assert_output ""
}

@test "the ARN check finds a call on a resource the policy does not name, which moto lets through" {
	# moto allows it (the user's policy says Resource "*"); the example
	# names ProgrammeDataStream only, and check_calls says so.
	as_tool publish
	proxy_reset
	run --separate-stderr uktv-publish -s OtherStream <"$EVENTS"
	assert_success
	run check_calls publish --no-note
	assert_failure
	assert_output "not allowed by uktv-publish: kinesis:PutRecords on arn:aws:kinesis:eu-west-2:123456789012:stream/OtherStream"
}
