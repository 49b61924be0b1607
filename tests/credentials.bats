#!/usr/bin/env bats
# The rest of the SDKs' credentials chain in lib/awsconf: IAM Identity Center
# (SSO) profiles in both forms with the token `aws sso login` caches, its
# refresh through SSO-OIDC, assume role (source_profile chains,
# credential_source, external_id, loops, mfa_serial), web identity, and the
# in-memory cache that refreshes temporary credentials before they expire.
#
# moto plays STS and IAM (with signature and IAM checking on, so credentials
# that are not the role's would fail; off only for web identity, which moto
# cannot take unsigned otherwise: tests/fixtures/MOTO-NOTES.md);
# tests/fakes/uktv-sso-double plays the SSO portal and SSO-OIDC.
# uktv-awscall makes the AWS call, uktv-credcheck shows which credentials
# the chain produced and how often it fetched them.  moto accepts expired
# credentials, so refreshes are proven by counting fetches and calls.

load helpers/common

ACCOUNT=123456789012

setup_file() {
	moto_start
	make_stream creds-stream 1
	local read='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:ListStreams","kinesis:DescribeStreamSummary"],"Resource":"*"}]}'
	local assume='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
	moto_iam_user sso-user "$read" >"$BATS_FILE_TMPDIR/sso-user.keys"
	# May assume roles and nothing else: a Kinesis call with its own keys
	# is denied, so a call that works used the role's credentials.
	moto_iam_user role-caller "$assume" >"$BATS_FILE_TMPDIR/role-caller.keys"
	make_role uktv-reader-role "arn:aws:iam::$ACCOUNT:user/role-caller" \
	    '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:ListStreams","kinesis:DescribeStreamSummary","sts:AssumeRole"],"Resource":"*"}]}'
	make_role uktv-hop2-role "arn:aws:sts::$ACCOUNT:assumed-role/uktv-reader-role/uktv-hop1" "$read"
	make_role uktv-ext-role "arn:aws:iam::$ACCOUNT:user/role-caller" "$read" \
	    '"Condition":{"StringEquals":{"sts:ExternalId":"uktv-ext-42"}},'
	make_role uktv-web-role "arn:aws:iam::$ACCOUNT:user/role-caller" "$read"
	moto_enable_auth
	echo "$MOTO_ADMIN_KEY $MOTO_ADMIN_SECRET" >"$BATS_FILE_TMPDIR/admin.keys"
}

teardown_file() {
	moto_stop
}

setup() {
	read -r MOTO_ADMIN_KEY MOTO_ADMIN_SECRET <"$BATS_FILE_TMPDIR/admin.keys"
	read -r SSO_KEY SSO_SECRET <"$BATS_FILE_TMPDIR/sso-user.keys"
	read -r CALLER_KEY CALLER_SECRET <"$BATS_FILE_TMPDIR/role-caller.keys"
	export MOTO_ADMIN_KEY MOTO_ADMIN_SECRET
	# A fresh HOME per test: its own ~/.aws files and SSO cache.
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME/.aws/sso/cache"
	export AWS_CONFIG_FILE="$HOME/.aws/config" AWS_SHARED_CREDENTIALS_FILE="$HOME/.aws/credentials"
	: >"$AWS_CONFIG_FILE"
	: >"$AWS_SHARED_CREDENTIALS_FILE"
	# No credentials from the environment unless a test puts them there.
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
	unset AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ROLE_SESSION_NAME
	unset AWS_CREDENTIALS_REFRESH_MARGIN AWS_ENDPOINT_URL_STS
	SSO_LOG="$BATS_TEST_TMPDIR/sso.log"
	: >"$SSO_LOG"
}

teardown() {
	stop_bg sso-double
	# What a credential_process helper started, should it outlive the test.
	local f
	for f in "$BATS_TEST_TMPDIR"/helper-*.pid; do
		if [ -s "$f" ]; then kill -9 "$(cat "$f")" 2>/dev/null || true; fi
	done
}

# make_role NAME TRUSTED_PRINCIPAL_ARN POLICY [CONDITION_JSON_FRAGMENT]
# moto compares the trust policy's principal literally (MOTO-NOTES.md).
make_role() {
	aws iam create-role --role-name "$1" --assume-role-policy-document \
	    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",${4:-}\"Principal\":{\"AWS\":\"$2\"},\"Action\":\"sts:AssumeRole\"}]}" >/dev/null
	aws iam put-role-policy --role-name "$1" --policy-name "$1-policy" \
	    --policy-document "$3" >/dev/null
}

# auth_checking on|off: moto's signature and IAM checking.  "off" is a
# billion unchecked calls from now (reset-auth takes a count, not a flag).
auth_checking() {
	local n=0
	[ "$1" = off ] && n=1000000000
	curl -sf -X POST -H 'Content-Type: text/plain' --data-binary "$n" \
	    "$MOTO_URL/moto-api/reset-auth" >/dev/null
}

iso_in() {
	date -u -d "$1" +%Y-%m-%dT%H:%M:%SZ
}

sha1() {
	printf %s "$1" | sha1sum | cut -d' ' -f1
}

# sso_double_start ARGS...: the SSO double handing out sso-user's keys;
# points the SSO and SSO-OIDC endpoints at it.
sso_double_start() {
	local pf="$BATS_TEST_TMPDIR/sso.port"
	start_bg sso-double python3 "$UKTV_ROOT/tests/fakes/uktv-sso-double" \
	    --port-file "$pf" --log "$SSO_LOG" --access-key-id "$SSO_KEY" \
	    --secret-access-key "$SSO_SECRET" --session-token '' "$@"
	wait_until 10 test -s "$pf"
	export AWS_ENDPOINT_URL_SSO="http://127.0.0.1:$(cat "$pf")"
	export AWS_ENDPOINT_URL_SSO_OIDC="$AWS_ENDPOINT_URL_SSO"
}

# An sso-session profile "streaming", as `aws configure sso` writes it.
sso_session_profile() {
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile streaming]
sso_session = uktv
sso_account_id = $ACCOUNT
sso_role_name = uktv-reader
region = eu-west-2

[sso-session uktv]
sso_start_url = https://d-9067c1a2b3.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access
EOF
}

# sso_cache KEY ACCESS_TOKEN EXPIRES_AT [REFRESH_TOKEN]: the file the AWS
# CLI v2 writes after `aws sso login`.
sso_cache() {
	local f="$HOME/.aws/sso/cache/$(sha1 "$1").json"
	if [ -n "${4:-}" ]; then
		cat >"$f" <<EOF
{"startUrl": "https://d-9067c1a2b3.awsapps.com/start", "region": "eu-west-1", "accessToken": "$2", "expiresAt": "$3", "clientId": "sso-client-id", "clientSecret": "sso-client-secret", "registrationExpiresAt": "$(iso_in '+30 days')", "refreshToken": "$4"}
EOF
	else
		cat >"$f" <<EOF
{"startUrl": "https://d-9067c1a2b3.awsapps.com/start", "region": "eu-west-1", "accessToken": "$2", "expiresAt": "$3"}
EOF
	fi
	chmod 600 "$f"
	echo "$f"
}

caller_profile() {
	cat >>"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[caller]
aws_access_key_id = $CALLER_KEY
aws_secret_access_key = $CALLER_SECRET
EOF
}

json_field() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# ---------------------------------------------------------------- SSO

@test "an sso-session profile gets role credentials with the cached token and then calls moto" {
	auth_checking on
	sso_session_profile
	sso_cache uktv sso-good-token "$(iso_in '+1 hour')" >/dev/null
	sso_double_start --token sso-good-token
	run uktv-awscall --profile streaming kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
	run grep -c 'GetRoleCredentials token=start account=123456789012 role=uktv-reader status=200' "$SSO_LOG"
	assert_output 1
	run uktv-credcheck --profile streaming
	assert_success
	assert_output --partial '"source":"sso"'
	assert_output --partial "\"access_key_id\":\"$SSO_KEY\""
}

@test "a legacy SSO profile uses the token cached under its start URL's SHA-1" {
	auth_checking on
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile streaming]
sso_start_url = https://d-9067c1a2b3.awsapps.com/start
sso_region = eu-west-1
sso_account_id = $ACCOUNT
sso_role_name = uktv-reader
region = eu-west-2
EOF
	sso_cache https://d-9067c1a2b3.awsapps.com/start legacy-token "$(iso_in '+1 hour')" >/dev/null
	sso_double_start --token legacy-token
	run uktv-awscall --profile streaming kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
	run grep -c 'GetRoleCredentials token=start .* status=200' "$SSO_LOG"
	assert_output 1
}

@test "a token the SSO portal does not accept fails with the login line, exit 77" {
	sso_session_profile
	sso_cache uktv revoked-token-do-not-print "$(iso_in '+1 hour')" >/dev/null
	sso_double_start --token another-token
	run uktv-awscall --profile streaming kinesis ListStreams
	assert_equal "$status" 77
	assert_output --partial 'profile "streaming"'
	assert_output --partial 'aws sso login --profile streaming'
	refute_output --partial 'revoked-token-do-not-print'
	run grep -c 'GetRoleCredentials token=bad .* status=401' "$SSO_LOG"
	assert_output 1
}

@test "an expired sso-session token is refreshed through SSO-OIDC and the cache rewritten atomically" {
	auth_checking on
	sso_session_profile
	f=$(sso_cache uktv expired-token "$(iso_in '-1 hour')" rt-first)
	sso_double_start --token expired-token --refresh-token rt-first
	run uktv-awscall --profile streaming kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
	run grep -c 'CreateToken grant=refresh_token client=ok refresh=ok status=200' "$SSO_LOG"
	assert_output 1
	run grep -c 'GetRoleCredentials token=issued .* status=200' "$SSO_LOG"
	assert_output 1
	# The new token, its new expiry and the rotated refresh token are in the
	# file; what the CLI wrote besides is kept; no temporary file is left.
	run json_field "$f" accessToken
	assert_output --regexp '^issued-'
	run json_field "$f" refreshToken
	assert_output --regexp '^rt-'
	refute_output rt-first
	run json_field "$f" clientId
	assert_output sso-client-id
	run json_field "$f" startUrl
	assert_output https://d-9067c1a2b3.awsapps.com/start
	exp=$(json_field "$f" expiresAt)
	[ "$(date -u -d "$exp" +%s)" -gt "$(date -u +%s)" ]
	assert_equal "$(stat -c %a "$f")" 600
	assert_equal "$(ls "$HOME/.aws/sso/cache" | wc -l)" 1
	# The next run (a cron job an hour on) uses the refreshed token as it is.
	run uktv-awscall --profile streaming kinesis ListStreams
	assert_success
	assert_equal "$(grep -c CreateToken "$SSO_LOG")" 1
	assert_equal "$(grep -c 'GetRoleCredentials token=issued .* status=200' "$SSO_LOG")" 2
}

@test "an expired token that cannot be refreshed gives one line naming the profile and aws sso login, exit 77, never the token" {
	sso_session_profile
	f=$(sso_cache uktv secret-expired-token-xyz "$(iso_in '-1 hour')")
	sso_double_start --token secret-expired-token-xyz
	run --separate-stderr uktv-awscall --profile streaming kinesis ListStreams
	assert_equal "$status" 77
	assert_equal "$output" ""
	assert_equal "$(printf '%s\n' "$stderr" | wc -l)" 1
	# (awsjson puts the operation in front: "uktv-awscall: Kinesis... ListStreams: ")
	[[ "$stderr" == 'uktv-awscall: '*'profile "streaming": the SSO session has expired; run "aws sso login --profile streaming"' ]]
	# Nowhere in any output, even with every request traced.
	run uktv-awscall -v -v --profile streaming kinesis ListStreams
	assert_equal "$status" 77
	refute_output --partial secret-expired-token-xyz
	# A refresh token the OIDC service rejects: the same advice.
	sso_cache uktv secret-expired-token-xyz "$(iso_in '-1 hour')" rt-revoked-secret >/dev/null
	run uktv-awscall -v -v --profile streaming kinesis ListStreams
	assert_equal "$status" 77
	assert_output --partial 'could not be refreshed (InvalidGrantException); run "aws sso login --profile streaming"'
	refute_output --partial secret-expired-token-xyz
	refute_output --partial rt-revoked-secret
	assert_equal "$(grep -c 'CreateToken .* status=400' "$SSO_LOG")" 1
	# No login at all: the same advice.
	rm -f "$f"
	run uktv-awscall --profile streaming kinesis ListStreams
	assert_equal "$status" 77
	assert_output --partial 'not logged in to IAM Identity Center'
	assert_output --partial 'aws sso login --profile streaming'
	# The portal was never asked with a token known to be dead.
	assert_equal "$(grep -c GetRoleCredentials "$SSO_LOG")" 0
}

@test "SSO role credentials are fetched again as they near expiry, and not while fresh" {
	sso_session_profile
	sso_cache uktv sso-good-token "$(iso_in '+1 hour')" >/dev/null
	sso_double_start --token sso-good-token --expires-in 900
	run uktv-credcheck --profile streaming -n 3
	assert_success
	assert_line --index 2 --partial '"fetches":1'
	assert_equal "$(grep -c 'GetRoleCredentials .* status=200' "$SSO_LOG")" 1
	: >"$SSO_LOG"
	run uktv-credcheck --profile streaming -n 3 --margin 1000
	assert_success
	assert_line --index 2 --partial '"fetches":3'
	assert_equal "$(grep -c 'GetRoleCredentials .* status=200' "$SSO_LOG")" 3
}

# ---------------------------------------------------------------- assume role

@test "assume role from a source profile: the role's credentials make the next call" {
	auth_checking on
	caller_profile
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile reader]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = caller
role_session_name = uktv-test
EOF
	# The source user alone may not read Kinesis ...
	run uktv-awscall --profile caller kinesis ListStreams
	assert_equal "$status" 77
	assert_output --partial AccessDenied
	# ... the role it assumes may.
	run uktv-awscall --profile reader kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
	run uktv-credcheck --profile reader
	assert_success
	assert_output --regexp '"source":"assume-role","access_key_id":"ASIA[A-Z0-9]+","session_token":true'
}

@test "assume role with credential_source Environment signs AssumeRole with the environment's keys" {
	auth_checking on
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile envrole]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
credential_source = Environment
EOF
	export AWS_ACCESS_KEY_ID=$CALLER_KEY AWS_SECRET_ACCESS_KEY=$CALLER_SECRET
	run uktv-awscall --profile envrole kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
	unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
	run uktv-awscall --profile envrole kinesis ListStreams
	assert_equal "$status" 78
	assert_output --partial 'credential_source Environment'
}

@test "a chain of two roles and a role behind an external id are assumed in turn" {
	auth_checking on
	caller_profile
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile hop1]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
role_session_name = uktv-hop1
source_profile = caller

[profile hop2]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-hop2-role
source_profile = hop1

[profile ext]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-ext-role
source_profile = caller
external_id = uktv-ext-42

[profile wrongext]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-ext-role
source_profile = caller
external_id = not-the-id
EOF
	run uktv-awscall --profile hop2 kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
	# A chain is one fetch however many hops it took.
	run uktv-credcheck --profile hop2
	assert_output --partial '"fetches":1'
	run uktv-awscall --profile ext kinesis ListStreams
	assert_success
	run uktv-awscall --profile wrongext kinesis ListStreams
	assert_equal "$status" 77
	assert_output --partial 'profile "wrongext": assume role arn:aws:iam::123456789012:role/uktv-ext-role'
	assert_output --partial AccessDenied
}

@test "a source_profile loop is named with its whole chain, exit 78" {
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile loopa]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = loopb

[profile loopb]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = loopc

[profile loopc]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = loopa

[profile selfish]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = selfish

[profile nosource]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = nowhere
EOF
	run uktv-awscall --profile loopa kinesis ListStreams
	assert_equal "$status" 78
	assert_equal "${#lines[@]}" 1
	assert_output --partial 'profile "loopa": source_profile loop: loopa -> loopb -> loopc -> loopa'
	run uktv-awscall --profile selfish kinesis ListStreams
	assert_equal "$status" 78
	assert_output --partial 'source_profile loop: selfish -> selfish'
	run uktv-awscall --profile nosource kinesis ListStreams
	assert_equal "$status" 78
	assert_output --partial 'source_profile "nowhere" is not in'
}

@test "a profile may be its own source_profile for its static keys" {
	auth_checking on
	cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[self]
aws_access_key_id = $CALLER_KEY
aws_secret_access_key = $CALLER_SECRET
EOF
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile self]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = self
EOF
	run uktv-awscall --profile self kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
}

@test "mfa_serial is refused with a clear message instead of a prompt" {
	caller_profile
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile mfa]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = caller
mfa_serial = arn:aws:iam::$ACCOUNT:mfa/role-caller
EOF
	run uktv-awscall --profile mfa kinesis ListStreams </dev/null
	assert_equal "$status" 78
	assert_output --partial 'profile "mfa" has mfa_serial: uktv never prompts for an MFA code'
}

@test "assumed credentials are refreshed as they near expiry and reused while fresh" {
	auth_checking on
	caller_profile
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile reader]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = caller
duration_seconds = 900
EOF
	# Fresh (900 s left, 300 s margin): one AssumeRole for three asks.
	run uktv-credcheck --profile reader -n 3
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -o '"access_key_id":"[^"]*"' | sort -u | wc -l)" 1
	assert_line --index 2 --partial '"fetches":1'
	# A margin longer than the credentials live: each ask is a refresh,
	# each gets new keys from STS.
	run uktv-credcheck --profile reader -n 3 --margin 1000
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | grep -o '"access_key_id":"[^"]*"' | sort -u | wc -l)" 3
	assert_line --index 2 --partial '"fetches":3'
	# A long run whose credentials expire between calls keeps working.
	AWS_CREDENTIALS_REFRESH_MARGIN=1000 run uktv-awscall --profile reader -n 3 kinesis ListStreams
	assert_success
	assert_equal "$(grep -c creds-stream <<<"$output")" 3
}

@test "AWS_ENDPOINT_URL_STS is where AssumeRole goes" {
	caller_profile
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile reader]
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-reader-role
source_profile = caller
EOF
	export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$(free_port)"
	AWS_MAX_ATTEMPTS=1 run uktv-awscall --profile reader kinesis ListStreams
	assert_equal "$status" 69
	assert_output --partial "STS AssumeRole at $AWS_ENDPOINT_URL_STS"
}

# ---------------------------------------------------------------- web identity

@test "web identity from a profile's token file and role_arn gets credentials from moto's STS" {
	auth_checking off
	echo "eyJhbGciOiJSUzI1NiJ9.web-identity-token.sig" >"$HOME/token.jwt"
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile web]
web_identity_token_file = ~/token.jwt
role_arn = arn:aws:iam::$ACCOUNT:role/uktv-web-role
role_session_name = uktv-web
EOF
	run uktv-credcheck --profile web
	assert_success
	assert_output --regexp '"source":"web-identity","access_key_id":"ASIA[A-Z0-9]+","session_token":true'
	run uktv-awscall --profile web kinesis ListStreams
	assert_success
	assert_output --partial '"creds-stream"'
}

@test "web identity from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN; a missing token file is named" {
	auth_checking off
	echo "eyJhbGciOiJSUzI1NiJ9.env-token.sig" >"$BATS_TEST_TMPDIR/token.jwt"
	export AWS_WEB_IDENTITY_TOKEN_FILE="$BATS_TEST_TMPDIR/token.jwt"
	export AWS_ROLE_ARN="arn:aws:iam::$ACCOUNT:role/uktv-web-role" AWS_ROLE_SESSION_NAME=uktv-env
	run uktv-credcheck
	assert_success
	assert_output --partial '"source":"web-identity"'
	run uktv-awscall kinesis ListStreams
	assert_success
	export AWS_WEB_IDENTITY_TOKEN_FILE="$BATS_TEST_TMPDIR/gone.jwt"
	run uktv-credcheck
	assert_equal "$status" 78
	assert_output --partial "web identity token file $BATS_TEST_TMPDIR/gone.jwt does not exist"
}

# ---------------------------------------------------------------- credential_process

# hanging_helper: a credential_process that never exits and has a child of
# its own; their pids go to helper-sh.pid and helper-sleep.pid.
hanging_helper() {
	cat >"$BATS_TEST_TMPDIR/hang.sh" <<EOF
#!/bin/sh
echo \$\$ >"$BATS_TEST_TMPDIR/helper-sh.pid"
sleep 100000 &
echo \$! >"$BATS_TEST_TMPDIR/helper-sleep.pid"
wait
EOF
}

# gone PID: no such process, or a zombie (dead, waiting to be reaped).
gone() {
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"
}

@test "a credential_process that never exits is killed with its children after credential_process_timeout, exit 78" {
	hanging_helper
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile hang]
region = eu-west-2
credential_process = /bin/sh $BATS_TEST_TMPDIR/hang.sh
credential_process_timeout = 1
EOF
	# one line on stderr, nothing on stdout
	run timeout 30 uktv-consume --profile hang -s creds-stream -e
	assert_equal "$status" 78
	assert_output 'uktv-consume: profile "hang": credential_process did not finish within 1 s (credential_process_timeout): killed'
	wait_until 10 gone "$(cat "$BATS_TEST_TMPDIR/helper-sh.pid")"
	wait_until 10 gone "$(cat "$BATS_TEST_TMPDIR/helper-sleep.pid")"
}

@test "UKTV_CREDENTIAL_PROCESS_TIMEOUT wins over the profile's; a timeout that is not 1 to 3600 s is named, exit 78" {
	hanging_helper
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile hang]
credential_process = /bin/sh $BATS_TEST_TMPDIR/hang.sh
credential_process_timeout = 3600
EOF
	UKTV_CREDENTIAL_PROCESS_TIMEOUT=1 run timeout 30 uktv-credcheck --profile hang
	assert_equal "$status" 78
	assert_output --partial 'profile "hang": credential_process did not finish within 1 s'
	wait_until 10 gone "$(cat "$BATS_TEST_TMPDIR/helper-sleep.pid")"
	sed -i 's/= 3600/= soon/' "$AWS_CONFIG_FILE"
	run timeout 30 uktv-credcheck --profile hang
	assert_equal "$status" 78
	assert_output 'uktv-credcheck: profile "hang": credential_process_timeout "soon" is not a number of seconds from 1 to 3600'
}

@test "credentials from credential_process that have already expired are refused, exit 78, the secret never shown" {
	exp=$(iso_in '-1 hour')
	cat >"$BATS_TEST_TMPDIR/old.sh" <<EOF
#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "ASIAOLDKEY", "SecretAccessKey": "old-secret", "SessionToken": "old-token", "Expiration": "$exp"}'
EOF
	cat >"$AWS_CONFIG_FILE" <<EOF
[profile old]
region = eu-west-2
credential_process = /bin/sh $BATS_TEST_TMPDIR/old.sh
EOF
	run uktv-consume --profile old -s creds-stream -e
	assert_equal "$status" 78
	assert_output "uktv-consume: profile \"old\": credential_process gave credentials that expired at $exp"
}
