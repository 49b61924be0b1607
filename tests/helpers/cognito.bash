# cognito.bash: Amazon Cognito user pools in moto for the uktv-api suites,
# and ID tokens as the original page's sign-in got them.  Load after
# helpers/common, with moto started (moto_start):
#
#   load helpers/common
#   load helpers/cognito
#
# cognito_pool NAME                 a pool whose user names are e-mail
#                                   addresses (as the original's); its id on
#                                   stdout
# cognito_client POOL NAME          an app client for scripts (the
#                                   USER_PASSWORD_AUTH flow); its id on stdout
# cognito_user POOL EMAIL           a confirmed user with the password
#                                   $COGNITO_PASSWORD
# cognito_token CLIENT EMAIL FILE   signs in (initiate-auth) and writes the
#                                   ID token to FILE (mode 600), never to
#                                   stdout or argv
# cognito_auth_header TOKEN_FILE FILE  "Authorization: <token>" into FILE,
#                                   for `curl -H @FILE` (the token stays out
#                                   of curl's argv)
# cognito_claim TOKEN_FILE CLAIM    one claim of the token's payload (sub,
#                                   aud, iss, email, ...)
#
# moto signs every pool's tokens with one fixed key (kid "dummy") and serves
# that JWKS at $MOTO_URL/<pool id>/.well-known/jwks.json; its tokens are
# valid for an hour (tests/fixtures/MOTO-NOTES.md, "Cognito user pools").

COGNITO_PASSWORD=${COGNITO_PASSWORD:-'Uktv-test-Passw0rd!'}

cognito_pool() {
	aws cognito-idp create-user-pool --pool-name "$1" \
	    --username-attributes email --auto-verified-attributes email \
	    --query UserPool.Id --output text
}

cognito_client() {
	aws cognito-idp create-user-pool-client --user-pool-id "$1" \
	    --client-name "$2" \
	    --explicit-auth-flows ALLOW_USER_PASSWORD_AUTH ALLOW_REFRESH_TOKEN_AUTH \
	    --query UserPoolClient.ClientId --output text
}

cognito_user() {
	aws cognito-idp admin-create-user --user-pool-id "$1" --username "$2" \
	    --user-attributes Name=email,Value="$2" Name=email_verified,Value=true \
	    --message-action SUPPRESS >/dev/null &&
	aws cognito-idp admin-set-user-password --user-pool-id "$1" \
	    --username "$2" --password "$COGNITO_PASSWORD" --permanent
}

cognito_token() {
	local client=$1 user=$2 file=$3 params
	# The password goes to the CLI in a file, not in its argv.
	# (mktemp: sign-ins may run side by side.)
	params=$(mktemp "$BATS_FILE_TMPDIR/cognito-auth.XXXXXX") || return 1
	jq -n --arg u "$user" --arg p "$COGNITO_PASSWORD" \
	    '{USERNAME: $u, PASSWORD: $p}' >"$params" || return 1
	(umask 077 && aws cognito-idp initiate-auth --client-id "$client" \
	    --auth-flow USER_PASSWORD_AUTH --auth-parameters "file://$params" \
	    --query AuthenticationResult.IdToken --output text >"$file")
	local rc=$?
	rm -f "$params"
	[ $rc -eq 0 ] && [ -s "$file" ] && [ "$(cat "$file")" != None ]
}

cognito_auth_header() {
	(umask 077 && printf 'Authorization: %s\n' "$(cat "$1")" >"$2")
}

cognito_claim() {
	local payload
	payload=$(cut -d. -f2 "$1" | tr '_-' '/+')
	while [ $((${#payload} % 4)) -ne 0 ]; do payload="$payload="; done
	base64 -d <<<"$payload" | jq -r --arg c "$2" '.[$c] // empty'
}
