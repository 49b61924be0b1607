# moto.bash: moto_server in server mode for bats suites (see MOTO notes in
# tests/fixtures/MOTO-NOTES.md).
#
#   setup_file()    { moto_start; }
#   teardown_file() { moto_stop; }
#
# moto_start exports AWS_ENDPOINT_URL, dummy keys, AWS_REGION and
# AWS_DEFAULT_REGION (the AWS CLI v1 reads only the latter).  moto_enable_auth
# turns on signature and IAM checking after creating an admin user whose keys
# are kept in MOTO_ADMIN_KEY/MOTO_ADMIN_SECRET for read-backs with `aws`.

moto_start() {
	local bin
	bin=$(command -v moto_server) || {
		echo "moto_server not on PATH: it comes with the machine's Python (pyenv)" >&2
		return 1
	}
	MOTO_PORT=$(free_port)
	export MOTO_PORT
	start_bg moto "$bin" -H 127.0.0.1 -p "$MOTO_PORT"
	export MOTO_URL="http://127.0.0.1:$MOTO_PORT"
	wait_until 30 curl -sf "$MOTO_URL/moto-api/" || {
		cat "$BATS_FILE_TMPDIR/moto.log" >&2
		return 1
	}
	export AWS_ENDPOINT_URL="$MOTO_URL"
	export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
	export AWS_REGION=eu-west-2 AWS_DEFAULT_REGION=eu-west-2
}

moto_stop() {
	stop_bg moto
}

# moto_reset: forget every resource (between tests of one file).
moto_reset() {
	curl -sf -X POST "$MOTO_URL/moto-api/reset" >/dev/null
}

# moto_iam_user NAME POLICY_JSON: create a user with an inline policy and
# print "ACCESS_KEY_ID SECRET_ACCESS_KEY".  Use before moto_enable_auth, or
# with admin keys after.
moto_iam_user() {
	local name=$1 policy=$2
	aws iam create-user --user-name "$name" >/dev/null
	aws iam put-user-policy --user-name "$name" --policy-name "$name-policy" \
	    --policy-document "$policy" >/dev/null
	aws iam create-access-key --user-name "$name" \
	    --query 'AccessKey.[AccessKeyId,SecretAccessKey]' --output text
}

# moto_enable_auth: admin user first (so read-backs keep working), then
# POST /moto-api/reset-auth with the plain-text body 0: from the next call on,
# moto checks signatures and IAM policies.
moto_enable_auth() {
	local keys
	keys=$(moto_iam_user admin '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
	MOTO_ADMIN_KEY=${keys%%[[:space:]]*}
	MOTO_ADMIN_SECRET=${keys##*[[:space:]]}
	export MOTO_ADMIN_KEY MOTO_ADMIN_SECRET
	curl -sf -X POST -H 'Content-Type: text/plain' --data-binary 0 \
	    "$MOTO_URL/moto-api/reset-auth" >/dev/null
	export AWS_ACCESS_KEY_ID=$MOTO_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$MOTO_ADMIN_SECRET
}

# as_admin COMMAND...: run COMMAND (usually `aws ...`) with the admin keys.
as_admin() {
	AWS_ACCESS_KEY_ID=$MOTO_ADMIN_KEY AWS_SECRET_ACCESS_KEY=$MOTO_ADMIN_SECRET "$@"
}

# make_table NAME: the design's table (PK/SK strings, stream NEW_AND_OLD_IMAGES).
make_table() {
	aws dynamodb create-table --table-name "$1" \
	    --attribute-definitions AttributeName=PK,AttributeType=S AttributeName=SK,AttributeType=S \
	    --key-schema AttributeName=PK,KeyType=HASH AttributeName=SK,KeyType=RANGE \
	    --billing-mode PAY_PER_REQUEST \
	    --stream-specification StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES >/dev/null
}

# make_stream NAME [SHARDS]
make_stream() {
	aws kinesis create-stream --stream-name "$1" --shard-count "${2:-1}" >/dev/null
	wait_until 10 bash -c "aws kinesis describe-stream-summary --stream-name '$1' --query StreamDescriptionSummary.StreamStatus --output text | grep -q ACTIVE"
}
