#!/usr/bin/env bats
# libuktv against moto with signature and IAM checking on: a user's allowed
# calls work, the rest are denied, and a wrong secret fails at once.

load helpers/common

setup_file() {
	moto_start
	make_stream auth-stream 1
	make_table auth-table
	keys=$(moto_iam_user core-user '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["kinesis:DescribeStreamSummary","dynamodb:PutItem","dynamodb:GetItem"],"Resource":"*"}]}')
	echo "$keys" >"$BATS_FILE_TMPDIR/user.keys"
	moto_enable_auth
	echo "$MOTO_ADMIN_KEY $MOTO_ADMIN_SECRET" >"$BATS_FILE_TMPDIR/admin.keys"
}

teardown_file() {
	moto_stop
}

setup() {
	read -r MOTO_ADMIN_KEY MOTO_ADMIN_SECRET <"$BATS_FILE_TMPDIR/admin.keys"
	read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY <"$BATS_FILE_TMPDIR/user.keys"
	export MOTO_ADMIN_KEY MOTO_ADMIN_SECRET AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
}

@test "a user's allowed Kinesis and DynamoDB calls work with checking on" {
	run uktv-awscall kinesis DescribeStreamSummary '{"StreamName":"auth-stream"}'
	assert_success
	run uktv-awscall dynamodb PutItem '{"TableName":"auth-table","Item":{"PK":{"S":"title:2"},"SK":{"S":"record"}}}'
	assert_success
	run as_admin aws dynamodb get-item --table-name auth-table --key '{"PK":{"S":"title:2"},"SK":{"S":"record"}}' --output json
	assert_output --partial '"title:2"'
}

@test "an action outside the user's policy is AccessDenied, exit 77, not retried" {
	run uktv-awscall -v kinesis ListShards '{"StreamName":"auth-stream"}'
	assert_equal "$status" 77
	assert_output --partial 'AccessDenied'
	assert_output --partial 'requests=1 retries=0'
}

@test "a wrong secret key fails at once with SignatureDoesNotMatch and never shows the secret" {
	export AWS_SECRET_ACCESS_KEY='Wr0ngS3cretKeyValueThatMustNeverBePrinted'
	run uktv-awscall -v -v kinesis DescribeStreamSummary '{"StreamName":"auth-stream"}'
	assert_equal "$status" 77
	assert_output --partial 'SignatureDoesNotMatch'
	assert_output --partial 'requests=1 retries=0'
	refute_output --partial 'Wr0ngS3cretKeyValueThatMustNeverBePrinted'
}
