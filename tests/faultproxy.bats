#!/usr/bin/env bats
# The AWS fault proxy (tests/fakes/uktv-faultproxy) in front of moto: each
# fault proven with the AWS CLI v1, curl or python against moto behind it.

load helpers/common
load helpers/faultproxy

setup_file() {
	moto_start
	proxy_start --seed 7
}

teardown_file() {
	proxy_stop
	moto_stop
}

setup() {
	moto_reset
	proxy_script '[]'
	proxy_reset
	# The CLI gets exactly one attempt unless a test says otherwise.
	export AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=1
}

# raw TARGET JSON: POST an unsigned JSON-protocol request to the proxy with
# curl; prints "STATUS CONTENT-TYPE ERRORTYPE" then the body on a new line.
raw() {
	local target=$1 body=$2 ver=1.1 hdr
	case $target in DynamoDB*) ver=1.0 ;; esac
	hdr="$BATS_TEST_TMPDIR/raw.headers"
	curl -sS -o "$BATS_TEST_TMPDIR/raw.body" -D "$hdr" -w '%{http_code}' \
	    -H "X-Amz-Target: $target" -H "Content-Type: application/x-amz-json-$ver" \
	    --data-binary "$body" "$PROXY_URL/" >"$BATS_TEST_TMPDIR/raw.status"
	printf '%s %s %s\n' "$(cat "$BATS_TEST_TMPDIR/raw.status")" \
	    "$(grep -i '^content-type:' "$hdr" | tr -d '\r' | awk '{print $2}')" \
	    "$(grep -i '^x-amzn-errortype:' "$hdr" | tr -d '\r' | awk '{print $2}')"
	cat "$BATS_TEST_TMPDIR/raw.body"
}

# logq JQ-FILTER: run a jq filter over the proxy's log slurped into an array.
logq() {
	proxy_log | jq -sc "$1"
}

# moto_call TARGET JSON: an unsigned JSON-protocol call straight to moto (not
# through the proxy, not logged): quick set-up and read-back while moto's
# checking is off.
moto_call() {
	local ver=1.1 svc=kinesis
	case $1 in DynamoDB*) ver=1.0 svc=dynamodb ;; esac
	# moto takes the region from the credential scope even when it checks nothing
	curl -sSf -H "X-Amz-Target: $1" -H "Content-Type: application/x-amz-json-$ver" \
	    -H "Authorization: AWS4-HMAC-SHA256 Credential=testing/20250101/$AWS_DEFAULT_REGION/$svc/aws4_request, SignedHeaders=host, Signature=00" \
	    --data-binary "$2" "$MOTO_URL/"
}

mk_stream() { # NAME: a one-shard stream (moto makes it ACTIVE at once)
	moto_call Kinesis_20131202.CreateStream "{\"StreamName\":\"$1\",\"ShardCount\":1}" >/dev/null
}

mk_table() { # NAME: the design's table, made directly on moto
	moto_call DynamoDB_20120810.CreateTable "$(jq -nc --arg t "$1" '{TableName: $t,
	    AttributeDefinitions: [{AttributeName: "PK", AttributeType: "S"}, {AttributeName: "SK", AttributeType: "S"}],
	    KeySchema: [{AttributeName: "PK", KeyType: "HASH"}, {AttributeName: "SK", KeyType: "RANGE"}],
	    BillingMode: "PAY_PER_REQUEST",
	    StreamSpecification: {StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES"}}')" >/dev/null
}

table_pks() { # TABLE: the sorted PKs in the table, as a JSON list
	moto_call DynamoDB_20120810.Scan "{\"TableName\":\"$1\"}" | jq -c '[.Items[].PK.S] | sort'
}

stream_data() { # STREAM: the first shard's record data from the start, one a line (via moto)
	local it
	it=$(moto_call Kinesis_20131202.GetShardIterator "{\"StreamName\":\"$1\",\"ShardId\":\"shardId-000000000000\",\"ShardIteratorType\":\"TRIM_HORIZON\"}" |
	    jq -r .ShardIterator) || return
	moto_call Kinesis_20131202.GetRecords "{\"ShardIterator\":\"$it\",\"Limit\":100}" |
	    jq -r '.Records[].Data | @base64d'
}

stream_records_cli() { # STREAM: the same records read back with the AWS CLI (JSON list)
	local it
	it=$(aws kinesis get-shard-iterator --stream-name "$1" --shard-id shardId-000000000000 \
	    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text) || return
	aws kinesis get-records --shard-iterator "$it" --limit 100 --query Records --output json
}

records_json() { # N: PutRecords entries r0..r(N-1) (CLI v1 sends blob text as is)
	jq -nc --argjson n "$1" '[range($n) | {Data: "r\(.)", PartitionKey: "k\(.)"}]'
}

@test "pass-through: calls reach moto unchanged and are logged with op, call, records, stream" {
	mk_stream S
	proxy_reset
	run aws kinesis put-records --stream-name S --records "$(records_json 3)"
	assert_success
	assert_equal "$(jq .FailedRecordCount <<<"$output")" 0
	run stream_data S
	assert_output $'r0\nr1\nr2'
	run logq 'map(select(.op=="PutRecords"))'
	assert_equal "$(jq -c '.[0] | [.op,.call,.records,.stream,.service,.fault,.status]' <<<"$output")" \
	    '["PutRecords",1,3,"S","kinesis",null,200]'
	# set-up and read-back went straight to moto: the proxy saw one request
	assert_equal "$(logq 'map(.n)')" '[1]'
}

@test "throttle: Kinesis PutRecords answers ProvisionedThroughputExceededException, then recovers" {
	mk_stream S
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"throttle"}]'
	run aws --cli-read-timeout 5 kinesis put-records --stream-name S --records "$(records_json 2)"
	assert_failure
	assert_output --partial ProvisionedThroughputExceededException
	assert_output --partial 'Rate exceeded for stream S'
	run aws --cli-read-timeout 5 kinesis put-records --stream-name S --records "$(records_json 2)"
	assert_success
	run stream_data S
	assert_output $'r0\nr1'
	assert_equal "$(logq 'map(select(.op=="PutRecords") | [.call,.fault,.status])')" \
	    '[[1,"throttle",400],[2,null,200]]'
}

@test "throttle: wire shape (status, JSON 1.1 vs 1.0 content type, X-Amzn-ErrorType, __type)" {
	proxy_script '[{"op":"ListStreams","fault":"throttle"},
	    {"op":"GetItem","fault":"throttle"},
	    {"op":"DescribeTable","every":true,"fault":"error","status":400,"code":"ThrottlingException","message":"slow down"}]'
	run raw Kinesis_20131202.ListStreams '{}'
	assert_line --index 0 '400 application/x-amz-json-1.1 LimitExceededException'
	run raw Kinesis_20131202.ListStreams '{}'
	assert_line --index 0 '400 application/x-amz-json-1.1 LimitExceededException'
	run raw DynamoDB_20120810.GetItem '{"TableName":"T","Key":{"PK":{"S":"a"},"SK":{"S":"b"}}}'
	assert_line --index 0 '400 application/x-amz-json-1.0 ProvisionedThroughputExceededException'
	assert_equal "$(sed 1d <<<"$output" | jq -r .__type)" ProvisionedThroughputExceededException
	run raw DynamoDB_20120810.DescribeTable '{"TableName":"T"}'
	assert_line --index 0 '400 application/x-amz-json-1.0 ThrottlingException'
	assert_equal "$(sed 1d <<<"$output" | jq -c .)" '{"__type":"ThrottlingException","message":"slow down"}'
	# the CLI reads it as that error code
	run aws dynamodb describe-table --table-name T
	assert_failure
	assert_output --partial '(ThrottlingException)'
	assert_output --partial 'slow down'
}

@test "throttle: the CLI's standard retries see a retryable error and succeed on the third call" {
	mk_table T
	proxy_script '[{"op":"PutItem","calls":[1,2],"fault":"throttle"}]'
	AWS_MAX_ATTEMPTS=3 run aws dynamodb put-item --table-name T \
	    --item '{"PK":{"S":"a"},"SK":{"S":"b"}}'
	assert_success
	assert_equal "$(logq 'map(select(.op=="PutItem") | [.call,.fault,.status,.target_table])')" \
	    '[[1,"throttle",400,"T"],[2,"throttle",400,"T"],[3,null,200,"T"]]'
	run aws dynamodb get-item --table-name T --key '{"PK":{"S":"a"},"SK":{"S":"b"}}' --query Item.PK.S --output text
	assert_output a
}

@test "500 and 503: JSON error bodies InternalFailure and ServiceUnavailable" {
	proxy_script '[{"op":"ListStreams","calls":[1],"fault":"500"},{"op":"ListStreams","calls":[2],"fault":"503"},
	    {"op":"ListTables","fault":"500"}]'
	run raw Kinesis_20131202.ListStreams '{}'
	assert_line --index 0 '500 application/x-amz-json-1.1 InternalFailure'
	assert_equal "$(sed 1d <<<"$output" | jq -r .__type)" InternalFailure
	run aws kinesis list-streams
	assert_failure
	assert_output --partial '(ServiceUnavailable)'
	run aws kinesis list-streams
	assert_success
	run aws dynamodb list-tables
	assert_failure
	assert_output --partial '(InternalFailure)'
	assert_equal "$(logq 'map([.op,.call,.status])')" \
	    '[["ListStreams",1,500],["ListStreams",2,503],["ListStreams",3,200],["ListTables",1,500]]'
}

@test "reset: the connection is reset (RST), not closed cleanly, and nothing is answered" {
	proxy_script '[{"op":"ListStreams","calls":[1,2],"fault":"reset"}]'
	# curl: 56 is "connection reset by peer"; a clean close without an answer would be 52
	run curl -sS -H 'X-Amz-Target: Kinesis_20131202.ListStreams' \
	    -H 'Content-Type: application/x-amz-json-1.1' --data '{}' "$PROXY_URL/"
	assert_equal "$status" 56
	run python3 - "$PROXY_PORT" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "Kinesis_20131202.ListStreams"})
try:
    c.getresponse()
    print("answered")
except ConnectionResetError:
    print("reset")
PY
	assert_output reset
	run aws kinesis list-streams
	assert_success
	assert_equal "$(logq 'map([.call,.fault,.status])')" '[[1,"reset",null],[2,"reset",null],[3,null,200]]'
}

@test "reset after forwarding: the write happens, the answer is lost" {
	mk_stream S
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"reset","after_forward":true}]'
	run aws kinesis put-records --stream-name S --records "$(records_json 1)"
	assert_failure
	run stream_data S
	assert_output r0
}

@test "stall: the client's read timeout fires; the next call goes through" {
	proxy_script '[{"op":"ListStreams","calls":[1],"fault":"stall","seconds":30}]'
	start=$(date +%s%N)
	run aws --cli-read-timeout 2 kinesis list-streams
	assert_failure
	assert_output --partial 'Read timeout'
	elapsed=$((($(date +%s%N) - start) / 1000000))
	# well under the stall: the timeout cut it (the bound allows for a slow CLI start)
	[ "$elapsed" -lt 20000 ]
	assert_equal "$(logq 'map([.call,.fault,.status])')" '[[1,"stall",null]]'
	run aws --cli-read-timeout 10 kinesis list-streams
	assert_success
}

@test "fail_records: failed indices answered in place, moto receives only the others" {
	mk_stream S
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"fail_records","records":[0,2]}]'
	run aws kinesis put-records --stream-name S --records "$(records_json 5)"
	assert_success
	resp=$output
	assert_equal "$(jq .FailedRecordCount <<<"$resp")" 2
	assert_equal "$(jq -c '[.Records[] | .ErrorCode // "ok"]' <<<"$resp")" \
	    '["ProvisionedThroughputExceededException","ok","ProvisionedThroughputExceededException","ok","ok"]'
	assert_equal "$(jq -r '.Records[0].ErrorMessage' <<<"$resp")" \
	    'Rate exceeded for shard shardId-000000000000 in stream S under account 123456789012.'
	assert_equal "$(jq -r '[.Records[1,3,4] | .ShardId] | unique | .[]' <<<"$resp")" shardId-000000000000
	# moto holds only the others, under the sequence numbers answered, in order
	run stream_records_cli S
	assert_equal "$(jq -c '[.[].Data | @base64d]' <<<"$output")" '["r1","r3","r4"]'
	assert_equal "$(jq -c '[.[].SequenceNumber]' <<<"$output")" \
	    "$(jq -c '[.Records[1,3,4].SequenceNumber]' <<<"$resp")"
	assert_equal "$(logq 'map(select(.op=="PutRecords")) | .[0] | [.records,.fault,.failed,.status]')" \
	    '[5,"fail_records",[0,2],200]'
}

@test "fail_records: every_nth and InternalFailure; all failed means moto is never called" {
	mk_stream S
	proxy_script '[{"op":"PutRecords","calls":[1],"fault":"fail_records","every_nth":2,"error_code":"InternalFailure"},
	    {"op":"PutRecords","calls":[2],"fault":"fail_records","records":[0,1,2]}]'
	run aws kinesis put-records --stream-name S --records "$(records_json 4)"
	assert_success
	assert_equal "$(jq -c '[.FailedRecordCount, [.Records[] | .ErrorCode // .SequenceNumber[0:0]]]' <<<"$output")" \
	    '[2,["","InternalFailure","","InternalFailure"]]'
	run aws kinesis put-records --stream-name S --records "$(records_json 3)"
	assert_success
	assert_equal "$(jq -c '[.FailedRecordCount, [.Records[].ErrorCode]]' <<<"$output")" \
	    '[3,["ProvisionedThroughputExceededException","ProvisionedThroughputExceededException","ProvisionedThroughputExceededException"]]'
	run stream_data S
	assert_output $'r0\nr2'
}

@test "BatchWriteItem unprocessed: held-back items come back as UnprocessedItems and are absent from the table" {
	mk_table T
	mk_table U
	items=$(jq -nc '{T: [range(3) | {PutRequest: {Item: {PK: {S: "p\(.)"}, SK: {S: "s"}}}}],
	                 U: [range(2) | {PutRequest: {Item: {PK: {S: "q\(.)"}, SK: {S: "s"}}}}]}')
	proxy_script '[{"op":"BatchWriteItem","calls":[1],"fault":"unprocessed","items":[0,3]}]'
	run aws dynamodb batch-write-item --request-items "$items"
	assert_success
	assert_equal "$(jq -c .UnprocessedItems <<<"$output")" \
	    '{"T":[{"PutRequest":{"Item":{"PK":{"S":"p0"},"SK":{"S":"s"}}}}],"U":[{"PutRequest":{"Item":{"PK":{"S":"q0"},"SK":{"S":"s"}}}}]}'
	assert_equal "$(table_pks T)" '["p1","p2"]'
	assert_equal "$(table_pks U)" '["q1"]'
	# count: all held back, moto not called, the table stays as it was
	proxy_script '[{"op":"BatchWriteItem","fault":"unprocessed","count":10}]'
	run aws dynamodb batch-write-item --request-items \
	    '{"T":[{"DeleteRequest":{"Key":{"PK":{"S":"p1"},"SK":{"S":"s"}}}}]}'
	assert_success
	assert_equal "$(jq -c . <<<"$output")" \
	    '{"UnprocessedItems":{"T":[{"DeleteRequest":{"Key":{"PK":{"S":"p1"},"SK":{"S":"s"}}}}]}}'
	assert_equal "$(table_pks T)" '["p1","p2"]'
	assert_equal "$(logq 'map(select(.op=="BatchWriteItem") | [.call,.records,.unprocessed,.target_table])')" \
	    '[[1,5,[0,3],["T","U"]],[2,1,[0],"T"]]'
}

@test "BatchGetItem unprocessed: UnprocessedKeys keep the table's other fields; moto's Responses are merged" {
	mk_table T
	moto_call DynamoDB_20120810.BatchWriteItem "$(jq -nc '{RequestItems: {T: [range(3) |
	    {PutRequest: {Item: {PK: {S: "p\(.)"}, SK: {S: "s"}, v: {N: "\(.)"}}}}]}}')" >/dev/null
	req=$(jq -nc '{T: {Keys: [range(3) | {PK: {S: "p\(.)"}, SK: {S: "s"}}], ProjectionExpression: "PK, v", ConsistentRead: true}}')
	proxy_script '[{"op":"BatchGetItem","calls":[1],"fault":"unprocessed","keys":[1]}]'
	run aws dynamodb batch-get-item --request-items "$req"
	assert_success
	assert_equal "$(jq -c '[.Responses.T[].PK.S] | sort' <<<"$output")" '["p0","p2"]'
	assert_equal "$(jq -c '.Responses.T[0] | keys' <<<"$output")" '["PK","v"]'
	assert_equal "$(jq -cS .UnprocessedKeys <<<"$output")" \
	    '{"T":{"ConsistentRead":true,"Keys":[{"PK":{"S":"p1"},"SK":{"S":"s"}}],"ProjectionExpression":"PK, v"}}'
	# retrying the unprocessed keys (call 2, no fault) gets the last one
	run aws dynamodb batch-get-item --request-items "$(jq -c .UnprocessedKeys <<<"$output")"
	assert_success
	assert_equal "$(jq -c '[.Responses.T[].PK.S]' <<<"$output")" '["p1"]'
	assert_equal "$(logq 'map(select(.op=="BatchGetItem") | [.call,.records,.fault])')" \
	    '[[1,3,"unprocessed"],[2,1,null]]'
}

@test "expired_iterator: Kinesis and DynamoDB Streams GetRecords answer ExpiredIteratorException" {
	mk_stream S
	mk_table T
	proxy_script '[{"op":"DynamoDBStreams_20120810.GetRecords","fault":"expired_iterator"},
	    {"op":"GetRecords","service":"kinesis","calls":[1],"fault":"expired_iterator"}]'
	it=$(moto_call Kinesis_20131202.GetShardIterator '{"StreamName":"S","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}' |
	    jq -r .ShardIterator)
	run aws kinesis get-records --shard-iterator "$it" --limit 10
	assert_failure
	assert_output --partial '(ExpiredIteratorException)'
	run aws kinesis get-records --shard-iterator "$it" --limit 10
	assert_success
	arn=$(moto_call DynamoDB_20120810.DescribeTable '{"TableName":"T"}' | jq -r .Table.LatestStreamArn)
	shard=$(moto_call DynamoDBStreams_20120810.DescribeStream "{\"StreamArn\":\"$arn\"}" |
	    jq -r '.StreamDescription.Shards[0].ShardId')
	sit=$(moto_call DynamoDBStreams_20120810.GetShardIterator \
	    "{\"StreamArn\":\"$arn\",\"ShardId\":\"$shard\",\"ShardIteratorType\":\"TRIM_HORIZON\"}" | jq -r .ShardIterator)
	run aws dynamodbstreams get-records --shard-iterator "$sit" --limit 10
	assert_failure
	assert_output --partial '(ExpiredIteratorException)'
	run raw DynamoDBStreams_20120810.GetRecords "{\"ShardIterator\":\"$sit\"}"
	assert_line --index 0 '400 application/x-amz-json-1.0 ExpiredIteratorException'
	# Kinesis and DynamoDB Streams GetRecords are counted apart
	assert_equal "$(logq 'map(select(.op=="GetRecords") | [.service,.call,.fault])')" \
	    '[["kinesis",1,"expired_iterator"],["kinesis",2,null],["dynamodbstreams",1,"expired_iterator"],["dynamodbstreams",2,"expired_iterator"]]'
}

@test "log: keep-alive requests share a conn id, new connections get new ones; reset clears; --log file" {
	mk_stream S
	proxy_reset
	run python3 - "$PROXY_PORT" <<'PY'
import http.client, json, sys
port = int(sys.argv[1])
def call(c, target, body):
    c.request("POST", "/", body=json.dumps(body).encode(),
              headers={"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1"})
    r = c.getresponse()
    r.read()
    return r.status
a = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
print(call(a, "Kinesis_20131202.ListStreams", {}))
sock = a.sock
print(call(a, "Kinesis_20131202.ListStreams", {}))
assert a.sock is sock, "client had to reconnect"
b = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
put = {"StreamName": "S", "Records": [{"Data": "eA==", "PartitionKey": "k"}] * 4}
print(call(b, "Kinesis_20131202.PutRecords", put), len(json.dumps(put).encode()))
PY
	assert_success
	assert_line --index 0 200
	assert_line --index 1 200
	assert_line --index 2 --regexp '^200 [0-9]+$'
	putbytes=${lines[2]#* }
	log=$(proxy_log)
	assert_equal "$(jq -sc 'map([.n,.op,.call,.bytes,.records])' <<<"$log")" \
	    '[[1,"ListStreams",1,2,null],[2,"ListStreams",2,2,null],[3,"PutRecords",1,'"$putbytes"',4]]'
	assert_equal "$(jq -s '.[0].conn == .[1].conn and .[1].conn != .[2].conn' <<<"$log")" true
	assert_equal "$(jq -s '.[2].stream' <<<"$log")" '"S"'
	# the same lines went to the --log file
	tail -n 3 "$PROXY_LOG_FILE" >"$BATS_TEST_TMPDIR/file.ndjson"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/file.ndjson")" "$log"
	proxy_reset
	assert_equal "$(proxy_log)" ""
	aws kinesis list-streams >/dev/null
	assert_equal "$(logq 'map([.n,.call])')" '[[1,1]]'
}

@test "log: query protocol and REST requests are named by Action= or METHOD path" {
	aws iam list-users >/dev/null
	aws s3api create-bucket --bucket guide-bucket --create-bucket-configuration LocationConstraint=eu-west-2 >/dev/null
	echo hello >"$BATS_TEST_TMPDIR/o.txt"
	aws s3 cp "$BATS_TEST_TMPDIR/o.txt" s3://guide-bucket/dir/o.txt >/dev/null
	assert_equal "$(aws s3 cp s3://guide-bucket/dir/o.txt -)" hello
	run logq 'map([.op,.service])'
	assert_output --partial '["ListUsers","iam"]'
	assert_output --partial '["PUT /guide-bucket","s3"]'
	assert_output --partial '["PUT /guide-bucket/dir/o.txt","s3"]'
	assert_output --partial '["GET /guide-bucket/dir/o.txt","s3"]'
}

@test "script: probability with --seed repeats after reset; bad scripts are refused" {
	proxy_script '[{"op":"ListStreams","probability":0.5,"fault":"500"}]'
	pattern() {
		python3 - "$PROXY_PORT" <<'PY'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
out = ""
for _ in range(24):
    c.request("POST", "/", body=b"{}", headers={"X-Amz-Target": "Kinesis_20131202.ListStreams"})
    r = c.getresponse(); r.read()
    out += "x" if r.status == 500 else "."
print(out)
PY
	}
	first=$(pattern)
	proxy_reset
	second=$(pattern)
	assert_equal "$first" "$second"
	[[ $first == *x* && $first == *.* ]]
	run proxy_script '[{"op":"ListStreams","fault":"explode"}]'
	assert_failure
	assert_output --partial 'unknown fault'
	run proxy_script 'not json'
	assert_failure
	run proxy_script '[{"op":"PutRecords","fault":"fail_records"}]'
	assert_failure
	assert_output --partial 'fail_records needs'
}

@test "a fault that does not fit the operation is answered loudly, not ignored" {
	proxy_script '[{"op":"ListStreams","fault":"fail_records","records":[0]}]'
	run raw Kinesis_20131202.ListStreams '{}'
	assert_line --index 0 --partial '500 '
	assert_output --partial 'fail_records applies to PutRecords'
}

# Last: turns moto's signature checking on (and off again in teardown).
@test "signature checking on: an untouched signed body verifies; a body changed by a fault does not" {
	mk_stream S
	mk_table T
	moto_enable_auth
	run aws kinesis put-records --stream-name S --records "$(records_json 2)"
	assert_success
	run aws dynamodb batch-write-item --request-items \
	    '{"T":[{"PutRequest":{"Item":{"PK":{"S":"a"},"SK":{"S":"b"}}}}]}'
	assert_success
	run aws s3api create-bucket --bucket auth-bucket --create-bucket-configuration LocationConstraint=eu-west-2
	assert_success
	# wrong keys are refused: checking is really on
	AWS_SECRET_ACCESS_KEY=wrong run aws kinesis list-streams
	assert_failure
	assert_output --partial SignatureDoesNotMatch
	proxy_script '[{"op":"PutRecords","fault":"fail_records","records":[0]}]'
	run aws kinesis put-records --stream-name S --records "$(records_json 2)"
	assert_failure
	assert_output --partial SignatureDoesNotMatch
	run stream_records_cli S
	assert_equal "$(jq -c '[.[].Data | @base64d]' <<<"$output")" '["r0","r1"]'
}

teardown() {
	# moto's checking off again (a float: "inf" actions may pass unchecked)
	curl -sf -X POST -H 'Content-Type: text/plain' --data-binary inf \
	    "$MOTO_URL/moto-api/reset-auth" >/dev/null || true
}
