#!/usr/bin/env bats
# examples/: the CloudFormation template deployed into moto with
# `aws cloudformation deploy`, the IAM policies checked against it, and the
# crontab, systemd units and digest mail script checked as far as they can be
# without installing them.
#
# The per-tool IAM test (each tool against moto with IAM checking on and only
# its policy attached) is elsewhere; here the policies are compared with the
# template's and checked for shape.  moto matches Resource "*" only for these
# services (MOTO-NOTES.md), which is why that test rewrites Resource.

load helpers/common

EX="$UKTV_ROOT/examples"
TOOLS="refdata prefs titles publish consume notify guide api"

setup_file() {
	moto_start
	# Deployed once for the file; the first test asserts that it worked.
	aws cloudformation deploy --template-file "$EX/cloudformation/uktv.yaml" \
	    --stack-name uktv --capabilities CAPABILITY_NAMED_IAM \
	    >"$BATS_FILE_TMPDIR/deploy.out" 2>&1
	echo $? >"$BATS_FILE_TMPDIR/deploy.rc"
}

teardown_file() {
	moto_stop
}

# policy_lines FILE: one "Effect Action Resource" line per pair, sorted, so
# that two documents compare whatever their Sids, order and list forms.
policy_lines() {
	python3 - "$1" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
out = set()
for st in doc["Statement"]:
    acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
    res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
    for a in acts:
        for r in res:
            out.add(f'{st["Effect"]} {a} {r}')
print("\n".join(sorted(out)))
PY
}

# deployed_policies DIR: every customer managed policy's default document as
# DIR/NAME.json, with one call (moto leaves PolicyName out of this answer,
# so the name is taken from the ARN).
deployed_policies() {
	mkdir -p "$1"
	aws iam get-account-authorization-details --filter LocalManagedPolicy --output json |
	    python3 -c '
import json, sys
for p in json.load(sys.stdin)["Policies"]:
    doc = [v["Document"] for v in p["PolicyVersionList"] if v["IsDefaultVersion"]][0]
    if isinstance(doc, str):
        import urllib.parse
        doc = json.loads(urllib.parse.unquote(doc))
    json.dump(doc, open(sys.argv[1] + "/" + p["Arn"].rsplit("/", 1)[1] + ".json", "w"))
' "$1"
}

@test "aws cloudformation deploy creates the stack: two tables, a stream and eight policies" {
	run cat "$BATS_FILE_TMPDIR/deploy.rc"
	[ "$output" = 0 ] || { cat "$BATS_FILE_TMPDIR/deploy.out"; false; }
	run aws cloudformation describe-stacks --stack-name uktv --query 'Stacks[0].StackStatus' --output text
	assert_success
	assert_output CREATE_COMPLETE
	run aws cloudformation list-stack-resources --stack-name uktv \
	    --query 'StackResourceSummaries[].[ResourceType,ResourceStatus]' --output text
	assert_success
	[ "$(grep -c 'AWS::DynamoDB::Table[[:space:]]CREATE_COMPLETE' <<<"$output")" = 2 ]
	[ "$(grep -c 'AWS::Kinesis::Stream[[:space:]]CREATE_COMPLETE' <<<"$output")" = 1 ]
	[ "$(grep -c 'AWS::IAM::ManagedPolicy[[:space:]]CREATE_COMPLETE' <<<"$output")" = 8 ]
	# moto 5.2.1 lists the four Cognito resources without a type and creates
	# nothing (MOTO-NOTES.md): they are checked in the template below.
	[ "$(grep -c '^[[:space:]]*CREATE_COMPLETE$' <<<"$output")" = 4 ]
	[ "$(wc -l <<<"$output")" = 15 ]
}

# template_json: the template as JSON, its short-form tags (!Ref, !Sub,
# !GetAtt) as {"Ref": ...} objects, as CloudFormation reads them.
template_json() {
	python3 - "$EX/cloudformation/uktv.yaml" <<'PY'
import json, sys, yaml
class L(yaml.SafeLoader):
    pass
def tag(name):
    def f(loader, node):
        if isinstance(node, yaml.ScalarNode):
            v = loader.construct_scalar(node)
            if name == "GetAtt":
                v = v.split(".", 1)
        else:
            v = loader.construct_sequence(node)
        return {("Ref" if name == "Ref" else "Fn::" + name): v}
    return f
for n in ("Ref", "Sub", "GetAtt", "Join", "Select", "Split", "If", "Equals"):
    L.add_constructor("!" + n, tag(n))
json.dump(yaml.load(open(sys.argv[1]), Loader=L), sys.stdout)
PY
}

@test "the template's Cognito user pool signs people in with e-mail, a hosted UI, a page client and a scripts client" {
	# moto's CloudFormation creates no Cognito resource (MOTO-NOTES.md), so
	# their properties are checked as written.
	template_json >"$BATS_TEST_TMPDIR/t.json"
	q() { jq -e "$1" "$BATS_TEST_TMPDIR/t.json" >/dev/null || fail "template: $1"; }
	q '[.Resources[] | select(.Type | startswith("AWS::Cognito::")) | .Type] | sort ==
	    ["AWS::Cognito::UserPool","AWS::Cognito::UserPoolClient","AWS::Cognito::UserPoolClient","AWS::Cognito::UserPoolDomain"]'
	q '.Resources.UserPool.Properties.UsernameAttributes == ["email"]'
	q '.Resources.UserPool.Properties.AutoVerifiedAttributes == ["email"]'
	q '.Resources.UserPoolDomain.Properties == {"Domain":{"Ref":"CognitoDomainPrefix"},"UserPoolId":{"Ref":"UserPool"}}'
	# The page: public, implicit flow (the ID token in the fragment), the
	# scopes its hosted-UI URL asks for, back to the page after sign-in and
	# sign-out.
	q '.Resources.PageClient.Properties | .UserPoolId == {"Ref":"UserPool"} and .GenerateSecret == false
	    and .AllowedOAuthFlowsUserPoolClient == true and .AllowedOAuthFlows == ["implicit"]
	    and .AllowedOAuthScopes == ["openid","email","profile"] and .SupportedIdentityProviders == ["COGNITO"]
	    and .CallbackURLs == [{"Ref":"AppUrl"}] and .LogoutURLs == [{"Ref":"AppUrl"}]'
	# Scripts: user name and password to InitiateAuth, no OAuth.
	q '.Resources.ScriptsClient.Properties | .UserPoolId == {"Ref":"UserPool"} and .GenerateSecret == false
	    and (.ExplicitAuthFlows | index("ALLOW_USER_PASSWORD_AUTH") != null)
	    and (has("AllowedOAuthFlows") | not)'
	q '.Outputs.UserPoolId.Value == {"Ref":"UserPool"} and .Outputs.PageClientId.Value == {"Ref":"PageClient"}
	    and .Outputs.ScriptsClientId.Value == {"Ref":"ScriptsClient"}'
	q '.Outputs.CognitoDomain.Value == {"Fn::Sub":"${CognitoDomainPrefix}.auth.${AWS::Region}.amazoncognito.com"}'
	q '.Parameters.AppUrl.Default | startswith("https://")'
	# A template that drops a property fails this test: the check reads the
	# same file the stack was deployed from.
	sed '/AllowedOAuthFlows:/,+1d' "$EX/cloudformation/uktv.yaml" >"$BATS_TEST_TMPDIR/broken.yaml"
	EX_SAVED=$EX; EX=$BATS_TEST_TMPDIR/ex; mkdir -p "$EX/cloudformation"
	cp "$BATS_TEST_TMPDIR/broken.yaml" "$EX/cloudformation/uktv.yaml"
	run template_json
	EX=$EX_SAVED
	jq -e '.Resources.PageClient.Properties.AllowedOAuthFlows == ["implicit"]' <<<"$output" && fail "a dropped property went unseen"
	true
}

@test "the table has PK/SK string keys, on-demand billing and a NEW_AND_OLD_IMAGES stream" {
	run aws dynamodb describe-table --table-name UKTVProgrammes --output json
	assert_success
	jq -e '.Table.KeySchema == [{"AttributeName":"PK","KeyType":"HASH"},{"AttributeName":"SK","KeyType":"RANGE"}]' <<<"$output"
	jq -e '[.Table.AttributeDefinitions[] | "\(.AttributeName)=\(.AttributeType)"] | sort == ["PK=S","SK=S"]' <<<"$output"
	jq -e '.Table.BillingModeSummary.BillingMode == "PAY_PER_REQUEST"' <<<"$output"
	jq -e '.Table.StreamSpecification == {"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}' <<<"$output"
	jq -e '.Table.LatestStreamArn | startswith("arn:aws:dynamodb:eu-west-2:123456789012:table/UKTVProgrammes/stream/")' <<<"$output"
}

@test "the Kinesis stream is active with ShardCount's default of one shard" {
	run aws kinesis describe-stream-summary --stream-name ProgrammeDataStream --output json
	assert_success
	jq -e '.StreamDescriptionSummary.StreamStatus == "ACTIVE"' <<<"$output"
	jq -e '.StreamDescriptionSummary.OpenShardCount == 1' <<<"$output"
	jq -e '.StreamDescriptionSummary.RetentionPeriodHours == 24' <<<"$output"
	run aws kinesis list-shards --stream-name ProgrammeDataStream --query 'length(Shards)' --output text
	assert_output 1
}

@test "the lease table has the KCL's schema: hash key leaseKey (S), on demand" {
	run aws dynamodb describe-table --table-name uktv-consume-leases --output json
	assert_success
	jq -e '.Table.KeySchema == [{"AttributeName":"leaseKey","KeyType":"HASH"}]' <<<"$output"
	jq -e '.Table.AttributeDefinitions == [{"AttributeName":"leaseKey","AttributeType":"S"}]' <<<"$output"
	jq -e '.Table.BillingModeSummary.BillingMode == "PAY_PER_REQUEST"' <<<"$output"
}

@test "one managed policy per tool, named uktv-TOOL, and no other" {
	run aws iam list-policies --scope Local --query 'Policies[].PolicyName' --output text
	assert_success
	got=$(tr '\t' '\n' <<<"$output" | sort)
	want=$(for t in $TOOLS; do echo "uktv-$t"; done | sort)
	[ "$got" = "$want" ] || { echo "got: $got"; false; }
	# ... and examples/iam has one file per tool, the same seven.
	files=$(cd "$EX/iam" && ls *.json | sed 's/\.json$//' | sort)
	[ "$files" = "$want" ] || { echo "files: $files"; false; }
}

@test "each examples/iam policy is the template's policy for its tool, action by action and ARN by ARN" {
	# moto's account and region are the ones the JSON files use as
	# placeholders, so the deployed documents must match them exactly.
	deployed_policies "$BATS_TEST_TMPDIR/deployed"
	for t in $TOOLS; do
		policy_lines "$BATS_TEST_TMPDIR/deployed/uktv-$t.json" >"$BATS_TEST_TMPDIR/$t.deployed"
		policy_lines "$EX/iam/uktv-$t.json" >"$BATS_TEST_TMPDIR/$t.file"
		[ -s "$BATS_TEST_TMPDIR/$t.file" ]
		diff -u "$BATS_TEST_TMPDIR/$t.deployed" "$BATS_TEST_TMPDIR/$t.file" ||
		    { echo "uktv-$t: template and examples/iam/uktv-$t.json differ"; false; }
	done
}

@test "each policy allows only its tool's services, names every action, and only real ARNs" {
	run python3 - "$EX/iam" <<'PY'
import json, os, re, sys
services = {
    "refdata": {"dynamodb", "secretsmanager"},
    "prefs": {"dynamodb"},
    "titles": {"dynamodb", "secretsmanager"},
    "publish": {"kinesis"},
    "consume": {"kinesis", "dynamodb", "secretsmanager"},
    "notify": {"dynamodb"},
    "guide": {"dynamodb", "s3"},
}
arn = {
    "dynamodb": r"arn:aws:dynamodb:eu-west-2:123456789012:table/(UKTVProgrammes|UKTVProgrammes/stream/\*|uktv-consume-leases)",
    "kinesis": r"arn:aws:kinesis:eu-west-2:123456789012:stream/ProgrammeDataStream",
    "secretsmanager": r"arn:aws:secretsmanager:eu-west-2:123456789012:secret:uktv/watchmode-api-key-\?{6}",
    "s3": r"arn:aws:s3:::uktv-guide(/\*)?",
}
bad = []
for tool, allowed in services.items():
    path = os.path.join(sys.argv[1], f"uktv-{tool}.json")
    doc = json.load(open(path))
    if doc.get("Version") != "2012-10-17":
        bad.append(f"{tool}: Version")
    used = set()
    for st in doc["Statement"]:
        if st.get("Effect") != "Allow" or "NotAction" in st or "NotResource" in st:
            bad.append(f"{tool}: only plain Allow statements")
        acts = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        res = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        for a in acts:
            svc, _, name = a.partition(":")
            used.add(svc)
            if svc not in allowed:
                bad.append(f"{tool}: {a}: not a service it calls")
            if not re.fullmatch(r"[A-Z][A-Za-z0-9]+", name):
                bad.append(f"{tool}: {a}: not one named action")
            for r in res:
                if not re.fullmatch(arn.get(svc, "^$"), r):
                    bad.append(f"{tool}: {a} on {r}: not this service's resource ARN")
    if used != allowed:
        bad.append(f"{tool}: services {sorted(used)}, expected {sorted(allowed)}")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "the parameters rename every resource and the outputs name them" {
	# Outputs through create-stack: moto 5.2.1 leaves a stack made by
	# change sets (aws cloudformation deploy) without Outputs.
	run aws cloudformation create-stack --stack-name other \
	    --template-body "file://$EX/cloudformation/uktv.yaml" --capabilities CAPABILITY_NAMED_IAM \
	    --parameters ParameterKey=TableName,ParameterValue=OtherTable \
	    ParameterKey=StreamName,ParameterValue=OtherStream ParameterKey=ShardCount,ParameterValue=3 \
	    ParameterKey=LeaseTableName,ParameterValue=other-leases \
	    ParameterKey=WatchmodeSecretName,ParameterValue=other/key \
	    ParameterKey=GuideBucketName,ParameterValue=other-bucket
	assert_success
	run aws cloudformation describe-stacks --stack-name other --query 'Stacks[0].Outputs' --output json
	assert_success
	outs=$output
	out() { jq -r --arg k "$1" '.[] | select(.OutputKey == $k) | .OutputValue' <<<"$outs"; }
	[ "$(out TableName)" = OtherTable ]
	[ "$(out TableArn)" = arn:aws:dynamodb:eu-west-2:123456789012:table/OtherTable ]
	[[ "$(out TableStreamArn)" == arn:aws:dynamodb:eu-west-2:123456789012:table/OtherTable/stream/* ]]
	[ "$(out StreamName)" = OtherStream ]
	[ "$(out StreamArn)" = arn:aws:kinesis:eu-west-2:123456789012:stream/OtherStream ]
	[ "$(out LeaseTableName)" = other-leases ]
	[ "$(out LeaseTableArn)" = arn:aws:dynamodb:eu-west-2:123456789012:table/other-leases ]
	for t in Refdata Prefs Titles Publish Consume Notify Guide Api; do
		lower=$(tr '[:upper:]' '[:lower:]' <<<"$t")
		[ "$(out "${t}PolicyArn")" = "arn:aws:iam::123456789012:policy/other-$lower" ]
	done
	run aws kinesis list-shards --stream-name OtherStream --query 'length(Shards)' --output text
	assert_output 3
	# The renamed stack's policies name the renamed resources, and nothing of
	# the first stack's.
	deployed_policies "$BATS_TEST_TMPDIR/deployed"
	run policy_lines "$BATS_TEST_TMPDIR/deployed/other-consume.json"
	assert_output --partial "kinesis:GetRecords arn:aws:kinesis:eu-west-2:123456789012:stream/OtherStream"
	assert_output --partial "dynamodb:UpdateItem arn:aws:dynamodb:eu-west-2:123456789012:table/OtherTable"
	assert_output --partial "dynamodb:UpdateItem arn:aws:dynamodb:eu-west-2:123456789012:table/other-leases"
	assert_output --partial "secretsmanager:GetSecretValue arn:aws:secretsmanager:eu-west-2:123456789012:secret:other/key-??????"
	refute_output --partial UKTVProgrammes
	refute_output --partial ProgrammeDataStream
	run policy_lines "$BATS_TEST_TMPDIR/deployed/other-api.json"
	assert_output --partial "dynamodb:BatchWriteItem arn:aws:dynamodb:eu-west-2:123456789012:table/OtherTable"
	refute_output --partial UKTVProgrammes
	run policy_lines "$BATS_TEST_TMPDIR/deployed/other-guide.json"
	assert_output --partial "s3:PutObject arn:aws:s3:::other-bucket/*"
	assert_output --partial "s3:ListBucket arn:aws:s3:::other-bucket"
}

@test "uktv-prefs works on the stack's table and the table's stream records the writes" {
	# Built by make all, which make check runs first: missing is a failure.
	[ -x "$UKTV_BUILD/bin/uktv-prefs" ] || fail "uktv-prefs is not built"
	run uktv-prefs -t UKTVProgrammes --no-validate put alice --sources 203,349 --genres 4 --favourites 3184039
	assert_success
	run uktv-prefs -t UKTVProgrammes get alice
	assert_success
	jq -e '.user == "alice" and .sources == ["203","349"] and .genres == ["4"] and .favourites == ["3184039"]' <<<"$output"
	stream=$(aws dynamodb describe-table --table-name UKTVProgrammes --query Table.LatestStreamArn --output text)
	shard=$(aws dynamodbstreams describe-stream --stream-arn "$stream" \
	    --query 'StreamDescription.Shards[0].ShardId' --output text)
	it=$(aws dynamodbstreams get-shard-iterator --stream-arn "$stream" --shard-id "$shard" \
	    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
	run aws dynamodbstreams get-records --shard-iterator "$it" --output json
	assert_success
	# One INSERT per choice, each with both images' view type.
	jq -e '[.Records[] | select(.eventName == "INSERT" and .dynamodb.NewImage.PK.S == "userpref:alice") | .dynamodb.NewImage.SK.S] | sort
	    == ["favourite:3184039","genre:4","source:203","source:349"]' <<<"$output"
	jq -e 'all(.Records[]; .dynamodb.StreamViewType == "NEW_AND_OLD_IMAGES")' <<<"$output"
}

@test "title events reach the stack's Kinesis stream" {
	# uktv-publish when it is built, else the AWS CLI, so the stream is
	# proved either way; the publish suite tests the tool itself.
	event='{"header":{"publishingComponent":"uktv-titles"},"payload":{"id":3184039,"title":"MaveriX","source_ids":["203"],"genre_ids":["4"]}}'
	if [ -x "$UKTV_BUILD/bin/uktv-publish" ]; then
		run uktv-publish -s ProgrammeDataStream <<<"$event"
	else
		# CLI v1 base64-encodes a blob argument itself.
		run aws kinesis put-record --stream-name ProgrammeDataStream --partition-key 3184039 --data "$event"
	fi
	assert_success
	shard=$(aws kinesis list-shards --stream-name ProgrammeDataStream --query 'Shards[0].ShardId' --output text)
	it=$(aws kinesis get-shard-iterator --stream-name ProgrammeDataStream --shard-id "$shard" \
	    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
	run aws kinesis get-records --shard-iterator "$it" --limit 10 --query 'Records[].Data' --output text
	assert_success
	[ "$(base64 -d <<<"$output" | jq -c .payload.id)" = 3184039 ]
}

@test "the systemd units pass systemd-analyze verify" {
	# systemd is part of every machine make check runs on: missing is a failure.
	command -v systemd-analyze >/dev/null || fail "no systemd-analyze"
	# The tools are not installed here: the units are checked with
	# /bin/true in their place (systemd-analyze checks that binaries exist).
	mkdir -p "$BATS_TEST_TMPDIR/units"
	for f in "$EX"/systemd/*.service "$EX"/systemd/*.timer; do
		sed 's|/usr/local/bin/uktv-[a-z]*|/bin/true|g' "$f" >"$BATS_TEST_TMPDIR/units/$(basename "$f")"
	done
	cd "$BATS_TEST_TMPDIR/units"
	cp "$EX/systemd/uktv-api.socket" .
	run systemd-analyze verify --man=no ./uktv-titles.timer ./uktv-titles.service \
	    ./uktv-consume.service ./uktv-notify.service ./uktv-api.socket ./uktv-api.service
	assert_success
	assert_output ""
	# The services restart on failure but not on errors a restart cannot
	# mend, keep checkpoints in a state directory and read uktv.env.
	for s in uktv-consume uktv-notify; do
		grep -qx 'Restart=on-failure' "$s.service"
		grep -qx 'RestartPreventExitStatus=2 77 78' "$s.service"
		grep -qx "StateDirectory=$s" "$s.service"
		grep -q "checkpoint %S/$s" "$s.service"
		grep -qx 'EnvironmentFile=/etc/uktv/uktv.env' "$s.service"
	done
	# uktv-api: socket-activated on loopback, drains on SIGTERM (exit 0).
	grep -qx 'ListenStream=127.0.0.1:8080' uktv-api.socket
	grep -qx 'Requires=uktv-api.socket' uktv-api.service
	grep -qx 'KillSignal=SIGTERM' uktv-api.service
	if grep '^ExecStart=' uktv-api.service | grep -q -- '--listen'; then fail "the socket unit listens, not --listen"; fi
	grep -qx 'OnCalendar=hourly' uktv-titles.timer
	grep -qx 'Type=oneshot' uktv-titles.service
}

@test "every crontab job runs under flock -n, logs through logger and has five time fields" {
	run awk '
	    /^[[:space:]]*(#|$)/ { next }
	    /^[A-Za-z_][A-Za-z0-9_]*=/ { next }
	    {
		jobs++
		if (NF < 6) { print "short line " NR; bad++ }
		for (i = 1; i <= 5; i++) if ($i !~ /^[0-9*\/,-]+$/) { print "field " i " of line " NR; bad++ }
		if ($0 ~ /%/) { print "% in line " NR " (cron makes it a newline)"; bad++ }
		if ($0 !~ /flock -n /) { print "no flock -n on line " NR; bad++ }
		if ($0 !~ /2>&1 \| logger -t uktv-/) { print "no logger on line " NR; bad++ }
	    }
	    END { if (jobs < 5) { print "only " jobs " jobs"; bad++ } exit bad > 0 }' "$EX/crontab"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	# The jobs the design schedules are there.
	grep -q '^5 4 \* \* \*.*uktv-refdata ' "$EX/crontab"
	grep -q '^17 \* \* \* \*.*uktv-titles .*| uktv-publish ' "$EX/crontab"
	grep -q '^47 \* \* \* \*.*uktv-guide ' "$EX/crontab"
	grep -q 'digest-mail.sh' "$EX/crontab"
}

@test "the examples use only options the tools have" {
	# Checked for each tool that is built in this tree; a tool not built yet
	# is named and left out (the test fails if none is built).
	run python3 - "$EX" "$UKTV_BUILD/bin" <<'PY'
import os, re, subprocess, sys
ex, bindir = sys.argv[1], sys.argv[2]
files = ["crontab", "digest-mail.sh"] + [os.path.join("systemd", f)
    for f in sorted(os.listdir(os.path.join(ex, "systemd"))) if f.endswith(".service")]
helps, bad, checked, missing = {}, [], 0, set()
for f in files:
    for line in open(os.path.join(ex, f)):
        if line.lstrip().startswith("#"):
            continue
        for m in re.finditer(r"(?:^|[\s'/])uktv-(refdata|prefs|titles|publish|consume|notify|guide|api)\b([^|'\n;]*)", line):
            tool, args = "uktv-" + m.group(1), m.group(2)
            exe = os.path.join(bindir, tool)
            if not os.access(exe, os.X_OK):
                missing.add(tool)
                continue
            if tool not in helps:
                helps[tool] = subprocess.run([exe, "--help"], capture_output=True, text=True).stdout
            for opt in re.findall(r"(?:^|\s)(--?[A-Za-z][A-Za-z0-9-]*)", args):
                checked += 1
                h = helps[tool]
                if opt.startswith("--"):
                    ok = re.search(re.escape(opt) + r"\b", h)
                else:
                    c = opt[1]
                    ok = re.search(r"(?<![\w-])-" + c + r"\b", h) or re.search(r"\[-[A-Za-z]*" + c, h)
                if not ok:
                    bad.append(f"{f}: {tool} {opt}: not in {tool} --help")
for t in sorted(missing):
    print(f"not built here, not checked: {t}")
print("\n".join(bad))
sys.exit(1 if bad or checked == 0 else 0)
PY
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "digest-mail.sh mails each user's digest once, and keeps what it could not send" {
	command -v shellcheck >/dev/null && shellcheck "$EX/digest-mail.sh"
	d=$BATS_TEST_TMPDIR
	# A mail(1) double: records each message; fails for refuse@example.com.
	cat >"$d/mailer" <<EOF
#!/bin/sh
[ "\$1" = -s ] || exit 64
[ "\$3" = refuse@example.com ] && [ ! -e "$d/accept-all" ] && exit 1
{ echo "To: \$3"; echo "Subject: \$2"; cat; echo "."; } >>"$d/sent"
EOF
	chmod +x "$d/mailer"
	cat >"$d/digests.ndjson" <<'EOF'
{"user":"alice@example.com","kind":"digest","period_start":"2025-07-04T00:00:00Z","period_end":"2025-07-05T00:00:00Z","items":[{"user":"alice@example.com","kind":"new_title","title_id":"3184039","title":"MaveriX","changes":{},"sources":[{"source_id":"203","name":"Netflix","web_url":"https://www.netflix.com/title/81435227"}],"event_id":"e1","at":"2025-07-04T16:02:51.855Z"},{"user":"alice@example.com","kind":"favourite_changed","title_id":"345534","title":"The Crown","changes":{"sources_added":["349"],"sources_removed":["203"],"user_rating":[7.9,8.5]},"sources":[{"source_id":"349","name":"Apple TV+"}],"event_id":"e2","at":null}],"event_ids":["e1","e2"]}
{"user":"bob","kind":"digest","period_start":"2025-07-04T00:00:00Z","period_end":"2025-07-05T00:00:00Z","items":[{"user":"bob","kind":"title_removed","title_id":"1","title":"Gone","changes":{},"sources":[],"event_id":"e3","at":null}],"event_ids":["e3"]}
{"user":"carol","kind":"digest","period_start":"2025-07-04T00:00:00Z","period_end":"2025-07-05T00:00:00Z","items":[{"user":"carol","kind":"new_title","title_id":"2","title":"Two","changes":{},"sources":[],"event_id":"e4","at":null}],"event_ids":["e4"]}
{"user":"dave","kind":"digest","period_start":"2025-07-04T00:00:00Z","period_end":"2025-07-05T00:00:00Z","items":[{"user":"dave","kind":"new_title","title_id":"3","title":"Three","changes":{},"sources":[],"event_id":"e5","at":null}],"event_ids":["e5"]}
{"user":"alice@example.com","kind":"new_title","title_id":"9"}
EOF
	printf '# user address\nbob bob@example.org\ndave refuse@example.com\n' >"$d/addresses"
	export UKTV_MAILER="$d/mailer"
	run "$EX/digest-mail.sh" -s "$d/state" -a "$d/addresses" -f "$d/digests.ndjson"
	[ "$status" -eq 1 ]
	# alice by her id, bob by the address file; carol has no address, dave's
	# mailer refused: both said, neither lost.
	assert_output --partial "no address for user 'carol'"
	assert_output --partial "mailing dave's digest to refuse@example.com failed"
	[ "$(grep -c '^To: ' "$d/sent")" = 2 ]
	grep -qx 'To: alice@example.com' "$d/sent"
	grep -qx 'Subject: uktv: 2 updates for 2025-07-04' "$d/sent"
	grep -qx 'New: MaveriX (3184039)' "$d/sent"
	grep -qx '  where to watch: Netflix <https://www.netflix.com/title/81435227>' "$d/sent"
	grep -qx 'Changed: The Crown (345534)' "$d/sent"
	grep -qx '  now also on: Apple TV+' "$d/sent"
	grep -qx '  no longer on: source 203' "$d/sent"
	grep -qx '  rating: 7.9 -> 8.5' "$d/sent"
	grep -qx 'To: bob@example.org' "$d/sent"
	grep -qx 'Gone: Gone (1)' "$d/sent"
	# A single notification is not a digest: not mailed.
	if grep -q 'title_id.*"9"' "$d/sent"; then fail "a single notification was mailed"; fi
	[ "$(jq -r .user "$d/state/undeliverable.ndjson")" = carol ]
	[ "$(jq -r .user "$d/state/outbox.ndjson")" = dave ]
	# Next run, the mailer takes it: dave's digest goes out once, nobody
	# else's again.
	touch "$d/accept-all"
	: >"$d/sent"
	run "$EX/digest-mail.sh" -s "$d/state" -a "$d/addresses" -f /dev/null
	assert_success
	[ "$(grep -c '^To: ' "$d/sent")" = 1 ]
	grep -qx 'To: refuse@example.com' "$d/sent"
	[ ! -s "$d/state/outbox.ndjson" ]
}

@test "digest-mail.sh refuses a bad option with its usage and exit 2" {
	run "$EX/digest-mail.sh" -x
	[ "$status" -eq 2 ]
	assert_output --partial "usage: digest-mail.sh"
	run "$EX/digest-mail.sh" -a /nonexistent/addresses -f /dev/null
	[ "$status" -eq 2 ]
	assert_output --partial "cannot read /nonexistent/addresses"
}

@test "examples/README.md describes every file in examples/" {
	cd "$EX"
	for f in $(find . -type f ! -name README.md | sed 's|^\./||'); do
		case $f in
		iam/*) grep -q 'iam/' README.md && grep -q "$(basename "$f" .json)" README.md ;;
		*) grep -qF "$(basename "$f")" README.md ;;
		esac || { echo "not in examples/README.md: $f"; false; }
	done
}
