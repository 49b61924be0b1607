#!/usr/bin/env bats
# The resharding double (tests/fakes/uktv-kinesis-double) does what moto
# cannot (tests/fixtures/MOTO-NOTES.md): closed parents, children, ChildShards and a
# null iterator at a closed shard's end, ListShards paging with NextToken
# alone, trimming, expiring iterators, DynamoDB Streams lineage.  Proved here
# with the AWS CLI v1 and boto3, which is what the C tools are measured by.

load helpers/common
load helpers/kinesis-double

setup_file() {
	# shared by the python snippets: clients with retries off, small helpers
	cat >"$BATS_FILE_TMPDIR/kd.py" <<'PY'
import base64, hashlib, json, os, sys, urllib.error, urllib.request
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"})
k = boto3.client("kinesis", config=cfg)
ds = boto3.client("dynamodbstreams", config=cfg)
ddb = boto3.client("dynamodb", config=cfg)
URL = os.environ["KDOUBLE_URL"]


def check(cond, *msg):
    if not cond:
        raise AssertionError(" ".join(str(m) for m in msg))


def err(fn, **kw):
    """Call fn expecting an AWS error: (code, message, http status)."""
    try:
        fn(**kw)
    except ClientError as e:
        return (e.response["Error"]["Code"], e.response["Error"].get("Message", ""),
                e.response["ResponseMetadata"]["HTTPStatusCode"])
    raise AssertionError("%s(%s) succeeded, an error was expected" % (fn.__name__, kw))


def ctl(path, body=None):
    req = urllib.request.Request(URL + "/__double/" + path,
                                 data=json.dumps(body or {}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read())


def shards(stream):
    out, resp = [], k.list_shards(StreamName=stream)
    out += resp["Shards"]
    while resp.get("NextToken"):
        resp = k.list_shards(NextToken=resp["NextToken"])
        out += resp["Shards"]
    return {s["ShardId"]: s for s in out}


def put(stream, key, data, ehk=None):
    kw = {"StreamName": stream, "PartitionKey": key, "Data": data.encode()}
    if ehk is not None:
        kw["ExplicitHashKey"] = str(ehk)
    return k.put_record(**kw)


def read_shard(stream, shard, itype="TRIM_HORIZON", limit=100, **kw):
    """Read a Kinesis shard until the end or nothing new: (records, last response)."""
    it = k.get_shard_iterator(StreamName=stream, ShardId=shard,
                              ShardIteratorType=itype, **kw)["ShardIterator"]
    recs = []
    for _ in range(1000):
        resp = k.get_records(ShardIterator=it, Limit=limit)
        recs += resp["Records"]
        it = resp.get("NextShardIterator")
        if it is None or not resp["Records"]:
            return recs, resp
    raise AssertionError("shard %s never ended" % shard)


def ddb_read(arn, shard, itype="TRIM_HORIZON", **kw):
    it = ds.get_shard_iterator(StreamArn=arn, ShardId=shard,
                               ShardIteratorType=itype, **kw)["ShardIterator"]
    recs = []
    for _ in range(1000):
        resp = ds.get_records(ShardIterator=it, Limit=100)
        recs += resp["Records"]
        it = resp.get("NextShardIterator")
        if it is None or not resp["Records"]:
            return recs, resp
    raise AssertionError("shard %s never ended" % shard)


def raw(target, body):
    """One unsigned call (any Authorization will do): (status, parsed body, text)."""
    req = urllib.request.Request(URL + "/", data=json.dumps(body).encode(), headers={
        "X-Amz-Target": target, "Authorization": "x",
        "Content-Type": "application/x-amz-json-1.1"})
    try:
        with urllib.request.urlopen(req) as r:
            text = r.read().decode()
            return r.status, json.loads(text), text
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, json.loads(text), text


def in_range(shard, h):
    r = shard["HashKeyRange"]
    return int(r["StartingHashKey"]) <= h <= int(r["EndingHashKey"])
PY
}

setup() {
	export PYTHONPATH="$BATS_FILE_TMPDIR${PYTHONPATH:+:$PYTHONPATH}"
	kdouble_start
}

teardown() {
	kdouble_stop
}

# py: run the python on stdin with the helpers above imported.
py() {
	python3 -c 'from kd import *
exec(compile(sys.stdin.read(), "test", "exec"))'
}

# kraw TARGET JSON: one raw Kinesis call with curl; prints "STATUS BODY".
kraw() {
	curl -sS -o "$BATS_TEST_TMPDIR/raw" -w '%{http_code}' -X POST \
	    -H "X-Amz-Target: $1" -H 'Content-Type: application/x-amz-json-1.1' \
	    -H 'Authorization: AWS4-HMAC-SHA256 Credential=testing/20250101/eu-west-2/kinesis/aws4_request, SignedHeaders=host, Signature=0' \
	    --data-binary "$2" "$KDOUBLE_URL/"
	printf ' '
	cat "$BATS_TEST_TMPDIR/raw"
}

@test "usage: --help exits 0, a bad option exits 2 with the usage" {
	run uktv-kinesis-double --help
	assert_success
	assert_output --partial "usage: uktv-kinesis-double [--port N] [--port-file FILE]"
	run uktv-kinesis-double --no-such-option
	assert_failure 2
	assert_output --partial "usage:"
	run uktv-kinesis-double --describe-rate -1
	assert_failure 2
}

@test "AWS calls need an Authorization header (not checked further); control calls need none" {
	run curl -sS -w ' %{http_code}' -X POST -H 'X-Amz-Target: Kinesis_20131202.ListStreams' \
	    -H 'Content-Type: application/x-amz-json-1.1' --data-binary '{}' "$KDOUBLE_URL/"
	assert_output --partial MissingAuthenticationTokenException
	assert_output --regexp ' 403$'
	run kraw Kinesis_20131202.ListStreams '{}'
	assert_output --regexp '^200 .*"StreamNames":\[\]'
	run kraw Kinesis_20131202.NoSuchThing '{}'
	assert_output --regexp '^400 .*UnknownOperationException'
	run kdouble_ctl config '{"describe_rate": 0}'
	assert_success
	run kdouble_ctl no/such/endpoint '{}'
	assert_failure
}

@test "split mid-stream with the AWS CLI: parent closes, children get the new records, parent ends with ChildShards" {
	aws kinesis create-stream --stream-name tv --shard-count 1
	for i in 1 2 3; do
		aws kinesis put-record --stream-name tv --partition-key "title:$i" \
		    --data "old $i" --query SequenceNumber --output text
	done >"$BATS_TEST_TMPDIR/parent-seqs"
	aws kinesis split-shard --stream-name tv --shard-to-split shardId-000000000000 \
	    --new-starting-hash-key 170141183460469231731687303715884105728
	aws kinesis put-records --stream-name tv --records \
	    "Data=new low,PartitionKey=x,ExplicitHashKey=1" \
	    "Data=new high,PartitionKey=y,ExplicitHashKey=170141183460469231731687303715884105729" \
	    --query 'Records[].ShardId' --output text >"$BATS_TEST_TMPDIR/new-shards"
	run cat "$BATS_TEST_TMPDIR/new-shards"
	assert_output "shardId-000000000001	shardId-000000000002"

	aws kinesis list-shards --stream-name tv >"$BATS_TEST_TMPDIR/shards.json"
	it=$(aws kinesis get-shard-iterator --stream-name tv --shard-id shardId-000000000000 \
	    --shard-iterator-type TRIM_HORIZON --query ShardIterator --output text)
	aws kinesis get-records --shard-iterator "$it" --limit 100 >"$BATS_TEST_TMPDIR/parent.json"
	run python3 - "$BATS_TEST_TMPDIR" <<'PY'
import base64, json, sys
d = sys.argv[1]
seqs = open(d + "/parent-seqs").read().split()
shards = {s["ShardId"]: s for s in json.load(open(d + "/shards.json"))["Shards"]}
assert sorted(shards) == ["shardId-000000000000", "shardId-000000000001",
                          "shardId-000000000002"], shards
p = shards["shardId-000000000000"]
assert p["SequenceNumberRange"]["EndingSequenceNumber"] == seqs[-1], p
for c in ("shardId-000000000001", "shardId-000000000002"):
    assert shards[c]["ParentShardId"] == "shardId-000000000000", shards[c]
    assert "EndingSequenceNumber" not in shards[c]["SequenceNumberRange"]
    # a child's numbers are longer (and larger) than the parent's
    assert len(shards[c]["SequenceNumberRange"]["StartingSequenceNumber"]) > len(seqs[0])
g = json.load(open(d + "/parent.json"))
assert [r["SequenceNumber"] for r in g["Records"]] == seqs, g["Records"]
assert [base64.b64decode(r["Data"]).decode() for r in g["Records"]] == ["old 1", "old 2", "old 3"]
assert g.get("NextShardIterator") is None, g
kids = sorted(g["ChildShards"], key=lambda c: c["ShardId"])
assert [c["ShardId"] for c in kids] == ["shardId-000000000001", "shardId-000000000002"], kids
assert all(c["ParentShards"] == ["shardId-000000000000"] for c in kids), kids
assert kids[0]["HashKeyRange"]["EndingHashKey"] == "170141183460469231731687303715884105727"
assert kids[1]["HashKeyRange"]["StartingHashKey"] == "170141183460469231731687303715884105728"
print("ok")
PY
	assert_success
	assert_output ok
}

@test "after a split every new record goes to the open child holding MD5(partition key); none to the parent" {
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=1)
for i in range(3):
    put("s", "before-%d" % i, "b%d" % i)
k.split_shard(StreamName="s", ShardToSplit="shardId-000000000000",
              NewStartingHashKey=str(2 ** 127))
sh = shards("s")
seen = set()
for i in range(40):
    pk = "title:%d" % i
    r = put("s", pk, "n%d" % i)
    h = int(hashlib.md5(pk.encode()).hexdigest(), 16)
    check(r["ShardId"] != "shardId-000000000000", "record went to the closed parent")
    check(in_range(sh[r["ShardId"]], h), pk, "routed to", r["ShardId"])
    seen.add(r["ShardId"])
check(seen == {"shardId-000000000001", "shardId-000000000002"}, seen)
recs, last = read_shard("s", "shardId-000000000000")
check(len(recs) == 3, "parent holds", len(recs))
check(last.get("NextShardIterator") is None and len(last["ChildShards"]) == 2, last)
n = sum(len(read_shard("s", c)[0]) for c in seen)
check(n == 40, "children hold", n)
# splitting a closed shard is refused
code, msg, status = err(k.split_shard, StreamName="s", ShardToSplit="shardId-000000000000",
                        NewStartingHashKey="5")
check(code == "ResourceInUseException" and status == 400, code, msg)
print("ok")
PY
	assert_success
	assert_output ok
}

@test "sequence numbers must be compared as numbers: a child's are longer and string-smaller" {
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=2)
s0 = [put("s", "a", "x", ehk=0)["SequenceNumber"] for _ in range(3)]
s1 = put("s", "b", "y", ehk=2 ** 128 - 1)["SequenceNumber"]
check(len(s1) != len(s0[0]), "sibling shards have numbers of one length", s0[0], s1)
check([int(x) for x in s0] == sorted(int(x) for x in s0), "not increasing", s0)
k.split_shard(StreamName="s", ShardToSplit="shardId-000000000000", NewStartingHashKey="1000")
c = put("s", "a", "z", ehk=0)
check(c["ShardId"] == "shardId-000000000002", c)
later = c["SequenceNumber"]
check(int(later) > int(s0[-1]), "child number not larger")
check(len(later) > len(s0[-1]), "child number not longer")
check(later < s0[-1], "a string comparison would get this right; it must not")
print("ok")
PY
	assert_success
	assert_output ok
}

@test "merge: both parents close, the child has ParentShardId and AdjacentParentShardId" {
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=2)
a = [put("s", "a%d" % i, "a", ehk=0)["SequenceNumber"] for i in range(2)]
b = [put("s", "b%d" % i, "b", ehk=2 ** 128 - 1)["SequenceNumber"] for i in range(3)]
k.merge_shards(StreamName="s", ShardToMerge="shardId-000000000000",
               AdjacentShardToMerge="shardId-000000000001")
sh = shards("s")
check(sorted(sh) == ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"], sh)
check(sh["shardId-000000000000"]["SequenceNumberRange"]["EndingSequenceNumber"] == a[-1], sh)
check(sh["shardId-000000000001"]["SequenceNumberRange"]["EndingSequenceNumber"] == b[-1], sh)
c = sh["shardId-000000000002"]
check(c["ParentShardId"] == "shardId-000000000000", c)
check(c["AdjacentParentShardId"] == "shardId-000000000001", c)
check(c["HashKeyRange"] == {"StartingHashKey": "0", "EndingHashKey": str(2 ** 128 - 1)}, c)
for i in range(5):
    check(put("s", "k%d" % i, "new")["ShardId"] == "shardId-000000000002", "not routed to child")
for parent, seqs in (("shardId-000000000000", a), ("shardId-000000000001", b)):
    recs, last = read_shard("s", parent, limit=1)
    check([r["SequenceNumber"] for r in recs] == seqs, parent, recs)
    check(last.get("NextShardIterator") is None, last)
    check(last["ChildShards"] == [{"ShardId": "shardId-000000000002",
                                   "ParentShards": ["shardId-000000000000", "shardId-000000000001"],
                                   "HashKeyRange": c["HashKeyRange"]}], last["ChildShards"])
check(len(read_shard("s", "shardId-000000000002")[0]) == 5, "child")
check(k.describe_stream_summary(StreamName="s")["StreamDescriptionSummary"]["OpenShardCount"] == 1, "open")
# shards that do not touch cannot merge
k.split_shard(StreamName="s", ShardToSplit="shardId-000000000002", NewStartingHashKey=str(2 ** 126))
k.split_shard(StreamName="s", ShardToSplit="shardId-000000000004", NewStartingHashKey=str(2 ** 127))
code, msg, _ = err(k.merge_shards, StreamName="s", ShardToMerge="shardId-000000000003",
                   AdjacentShardToMerge="shardId-000000000006")
check(code == "InvalidArgumentException", code, msg)
print("ok")
PY
	assert_success
	assert_output ok
}

@test "ListShards pages with NextToken alone; NextToken with StreamName is a 400 (AWS CLI and boto3)" {
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=5)
pages, resp = [], k.list_shards(StreamName="s", MaxResults=2)
pages.append([s["ShardId"] for s in resp["Shards"]])
while "NextToken" in resp:
    resp = k.list_shards(NextToken=resp["NextToken"], MaxResults=2)
    pages.append([s["ShardId"] for s in resp["Shards"]])
check(pages == [["shardId-000000000000", "shardId-000000000001"],
                ["shardId-000000000002", "shardId-000000000003"],
                ["shardId-000000000004"]], pages)
tok = k.list_shards(StreamName="s", MaxResults=1)["NextToken"]
code, msg, status = err(k.list_shards, StreamName="s", NextToken=tok)
check((code, status) == ("InvalidArgumentException", 400), code, status)
code, _, status = err(k.list_shards, NextToken="garbage")
check((code, status) == ("InvalidArgumentException", 400), code, status)
code, _, _ = err(k.list_shards)
check(code == "InvalidArgumentException", code)
# ShardFilter: AT_LATEST lists open shards only, AFTER_SHARD_ID skips
k.split_shard(StreamName="s", ShardToSplit="shardId-000000000001",
              NewStartingHashKey=str(2 ** 128 // 5 + 10))
ids = [s["ShardId"] for s in k.list_shards(StreamName="s",
       ShardFilter={"Type": "AT_LATEST"})["Shards"]]
check("shardId-000000000001" not in ids and len(ids) == 6, ids)
ids = [s["ShardId"] for s in k.list_shards(StreamName="s",
       ShardFilter={"Type": "AFTER_SHARD_ID", "ShardId": "shardId-000000000004"})["Shards"]]
check(ids == ["shardId-000000000005", "shardId-000000000006"], ids)
# a filter survives paging
resp = k.list_shards(StreamName="s", MaxResults=4, ShardFilter={"Type": "AT_LATEST"})
more = k.list_shards(NextToken=resp["NextToken"], MaxResults=4)
check(len(resp["Shards"]) + len(more["Shards"]) == 6 and "NextToken" not in more, more)
print("ok")
PY
	assert_success
	assert_output ok

	tok=$(aws kinesis list-shards --stream-name s --max-results 2 --no-paginate \
	    --query NextToken --output text)
	run aws kinesis list-shards --next-token "$tok" --max-results 2 --no-paginate \
	    --query 'Shards[].ShardId' --output text
	assert_success
	assert_output "shardId-000000000002	shardId-000000000003"
	run aws kinesis list-shards --stream-name s --next-token "$tok" --no-paginate
	assert_failure
	assert_output --partial "InvalidArgumentException"
	assert_output --partial "NextToken and StreamName cannot be provided together"
}

@test "GetRecords honours Limit (max 10000) and MillisBehindLatest; LATEST, AT/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP" {
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=1)
seqs = [put("s", "p", "r%d" % i)["SequenceNumber"] for i in range(7)]
sid = "shardId-000000000000"
latest = k.get_shard_iterator(StreamName="s", ShardId=sid, ShardIteratorType="LATEST")["ShardIterator"]
it = k.get_shard_iterator(StreamName="s", ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
r = k.get_records(ShardIterator=it, Limit=3)
check([x["SequenceNumber"] for x in r["Records"]] == seqs[:3], r)
check(r["MillisBehindLatest"] >= 0 and r["NextShardIterator"], r)
x = r["Records"][0]
check(x["Data"] == b"r0", x)
check(x["PartitionKey"] == "p" and x["ApproximateArrivalTimestamp"].year >= 2024, x)
r = k.get_records(ShardIterator=r["NextShardIterator"], Limit=10000)
check([x["SequenceNumber"] for x in r["Records"]] == seqs[3:], r)
check(r["MillisBehindLatest"] == 0 and r["NextShardIterator"], "open shard keeps an iterator")
code, _, status = err(k.get_records, ShardIterator=r["NextShardIterator"], Limit=10001)
check(code == "ValidationException" and status == 400, code)
check(k.get_records(ShardIterator=latest)["Records"] == [], "LATEST saw old records")
new = put("s", "p", "after")["SequenceNumber"]
check([x["SequenceNumber"] for x in k.get_records(ShardIterator=latest)["Records"]] == [new], "LATEST")
recs, _ = read_shard("s", sid, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
check([x["SequenceNumber"] for x in recs] == seqs[2:] + [new], recs)
recs, _ = read_shard("s", sid, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
check([x["SequenceNumber"] for x in recs] == seqs[3:] + [new], recs)
# AT_TIMESTAMP to the millisecond (boto3 would send whole seconds: raw call)
st, it, _ = raw("Kinesis_20131202.GetShardIterator", {"StreamName": "s", "ShardId": sid,
                "ShardIteratorType": "AT_SEQUENCE_NUMBER", "StartingSequenceNumber": seqs[4]})
st, r, text = raw("Kinesis_20131202.GetRecords", {"ShardIterator": it["ShardIterator"], "Limit": 1})
ts = r["Records"][0]["ApproximateArrivalTimestamp"]
check(isinstance(ts, float) and '"ApproximateArrivalTimestamp":%s' % ts in text, text)
st, it, _ = raw("Kinesis_20131202.GetShardIterator", {"StreamName": "s", "ShardId": sid,
                "ShardIteratorType": "AT_TIMESTAMP", "Timestamp": ts})
st, r, _ = raw("Kinesis_20131202.GetRecords", {"ShardIterator": it["ShardIterator"]})
check([x["SequenceNumber"] for x in r["Records"]] == seqs[4:] + [new], r)
recs, _ = read_shard("s", sid, "AT_TIMESTAMP", Timestamp=0)
check(len(recs) == 8, "AT_TIMESTAMP 0 reads all", recs)
# a sequence number from another stream's shard range is refused
code, _, _ = err(k.get_shard_iterator, StreamName="s", ShardId=sid,
                 ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="12345")
check(code == "InvalidArgumentException", code)
print("ok")
PY
	assert_success
	assert_output ok
}

@test "trimming: reading below the trim horizon is a 400, closed trimmed shards vanish from ListShards" {
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=1)
p = "shardId-000000000000"
seqs = [put("s", "k", "r%d" % i)["SequenceNumber"] for i in range(4)]
old_it = k.get_shard_iterator(StreamName="s", ShardId=p, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
out = ctl("trim", {"stream": "s", "shard": p, "through": seqs[1]})
check(out["trimmed"] == 2, out)
code, msg, status = err(k.get_shard_iterator, StreamName="s", ShardId=p,
                        ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[0])
check((code, status) == ("InvalidArgumentException", 400) and "trimmed" in msg, code, msg)
code, msg, status = err(k.get_shard_iterator, StreamName="s", ShardId=p,
                        ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[0])
check(code == "InvalidArgumentException", code)
code, msg, status = err(k.get_records, ShardIterator=old_it)
check((code, status) == ("InvalidArgumentException", 400) and "trimmed" in msg, code, msg)
recs, _ = read_shard("s", p)
check([r["SequenceNumber"] for r in recs] == seqs[2:], "TRIM_HORIZON after a trim", recs)
recs, _ = read_shard("s", p, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
check(len(recs) == 2, recs)

k.split_shard(StreamName="s", ShardToSplit=p, NewStartingHashKey=str(2 ** 127))
kid = put("s", "k", "child", ehk=1)
check(p in shards("s"), "parent listed while it still holds records")
ctl("trim", {"stream": "s", "shard": p, "all": True})
sh = shards("s")
check(sorted(sh) == ["shardId-000000000001", "shardId-000000000002"], "parent should vanish", sorted(sh))
check(all("ParentShardId" in s for s in sh.values()), "children keep naming their parent")
code, _, _ = err(k.get_shard_iterator, StreamName="s", ShardId=p, ShardIteratorType="TRIM_HORIZON")
check(code == "ResourceNotFoundException", code)
# trimming by age: records older than a point go, the open child stays listed
a = put("s", "k", "a", ehk=1)
b = put("s", "k", "b", ehk=1)
recs, _ = read_shard("s", kid["ShardId"])
tb = [r for r in recs if r["SequenceNumber"] == b["SequenceNumber"]][0]["ApproximateArrivalTimestamp"]
out = ctl("trim", {"stream": "s", "before": tb.timestamp()})
recs, _ = read_shard("s", kid["ShardId"])
check([r["SequenceNumber"] for r in recs] == [b["SequenceNumber"]], recs)
ctl("trim", {"stream": "s", "older_than": 0})
check(len(shards("s")) == 2, "open shards never vanish")
check(read_shard("s", kid["ShardId"])[0] == [], "all trimmed")
print("ok")
PY
	assert_success
	assert_output ok
}

@test "DynamoDB: DescribeTable gives LatestStreamArn; Streams records have the AWS shape" {
	run kdouble_ctl ddb/table '{"table": "UKTVProgrammes"}'
	assert_success
	run py <<'PY'
arn = ddb.describe_table(TableName="UKTVProgrammes")["Table"]["LatestStreamArn"]
check(arn.startswith("arn:aws:dynamodb:eu-west-2:123456789012:table/UKTVProgrammes/stream/"), arn)
check(ds.list_streams(TableName="UKTVProgrammes")["Streams"][0]["StreamArn"] == arn, "ListStreams")
code, _, status = err(ddb.describe_table, TableName="nope")
check((code, status) == ("ResourceNotFoundException", 400), code)
alice = {"PK": {"S": "userpref:alice"}, "SK": {"S": "source:203"}}
out = ctl("ddb/records", {"stream": arn, "records": [
    {"eventName": "INSERT", "NewImage": alice},
    {"eventName": "MODIFY", "Keys": alice, "OldImage": alice, "NewImage": dict(alice, x={"N": "1"})},
    {"OldImage": alice}]})
check(len(out["records"]) == 3, out)
desc = ds.describe_stream(StreamArn=arn)["StreamDescription"]
check(desc["StreamViewType"] == "NEW_AND_OLD_IMAGES" and desc["TableName"] == "UKTVProgrammes", desc)
sid = desc["Shards"][0]["ShardId"]
recs, last = ddb_read(arn, sid)
check([r["eventName"] for r in recs] == ["INSERT", "MODIFY", "REMOVE"], recs)
r = recs[1]
check(r["eventSource"] == "aws:dynamodb" and r["awsRegion"] == "eu-west-2" and r["eventVersion"], r)
check(len(r["eventID"]) == 32 and r["eventID"] == out["records"][1]["eventID"], r)
d = r["dynamodb"]
check(d["Keys"] == alice and d["OldImage"] == alice and d["NewImage"]["x"] == {"N": "1"}, d)
check(d["SequenceNumber"] == out["records"][1]["SequenceNumber"] and d["SizeBytes"] > 0, d)
check(d["StreamViewType"] == "NEW_AND_OLD_IMAGES" and d["ApproximateCreationDateTime"].year >= 2024, d)
check("NewImage" not in recs[2]["dynamodb"] and recs[2]["dynamodb"]["Keys"] == alice, recs[2])
check(last.get("NextShardIterator"), "an open shard always has a next iterator")
print("ok")
PY
	assert_success
	assert_output ok
}

@test "DynamoDB Streams: DescribeStream paging (Limit, ExclusiveStartShardId) and lineage after rotates" {
	run py <<'PY'
arn = ctl("ddb/table", {"table": "T"})["StreamArn"]
item = lambda i: {"NewImage": {"PK": {"S": "title:%d" % i}, "SK": {"S": "record"}}}
first = ctl("ddb/records", {"stream": "T", "records": [item(1), item(2)]})["records"]
rot = ctl("ddb/rotate", {"stream": arn})
check(rot["closed"][0]["EndingSequenceNumber"] == first[-1]["SequenceNumber"], rot)
for i in range(3, 6):
    ctl("ddb/records", {"stream": "T", "records": [item(i)]})
    ctl("ddb/rotate", {"stream": "T"})
later = ctl("ddb/records", {"stream": "T", "records": [item(9)]})["records"][0]
pages, kw = [], {}
while True:
    d = ds.describe_stream(StreamArn=arn, Limit=1, **kw)["StreamDescription"]
    pages.append(d["Shards"])
    if "LastEvaluatedShardId" not in d:
        break
    check(d["LastEvaluatedShardId"] == d["Shards"][-1]["ShardId"], d)
    kw = {"ExclusiveStartShardId": d["LastEvaluatedShardId"]}
check(len(pages) == 5 and all(len(p) == 1 for p in pages), pages)
sh = [p[0] for p in pages]
check(sh == ds.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"], "one page differs")
check("ParentShardId" not in sh[0], sh[0])
for parent, child in zip(sh, sh[1:]):
    check(child["ParentShardId"] == parent["ShardId"], "lineage", parent, child)
    check("EndingSequenceNumber" in parent["SequenceNumberRange"], parent)
    check(len(child["SequenceNumberRange"]["StartingSequenceNumber"]) >
          len(parent["SequenceNumberRange"]["StartingSequenceNumber"]), "child numbers not longer")
check("EndingSequenceNumber" not in sh[-1]["SequenceNumberRange"], sh[-1])
check(later["ShardId"] == sh[-1]["ShardId"], "new records go to the open shard only")
recs, last = ddb_read(arn, sh[0]["ShardId"])
check([r["dynamodb"]["SequenceNumber"] for r in recs] == [x["SequenceNumber"] for x in first], recs)
check("NextShardIterator" not in last, "a closed shard's end has no NextShardIterator", last)
code, _, _ = err(ds.describe_stream, StreamArn=arn, Limit=101)
check(code == "ValidationException", code)
# a rotate into two children (a partition split)
two = ctl("ddb/rotate", {"stream": "T", "children": 2})
check(len(two["opened"]) == 2 and all(o["ParentShardId"] == sh[-1]["ShardId"] for o in two["opened"]), two)
print("ok")
PY
	assert_success
	assert_output ok
}

@test "DynamoDB Streams: positions below the trim horizon are TrimmedDataAccessException" {
	run py <<'PY'
arn = ctl("ddb/table", {"table": "T"})["StreamArn"]
recs = ctl("ddb/records", {"stream": arn, "records": [
    {"NewImage": {"PK": {"S": "title:%d" % i}, "SK": {"S": "record"}}} for i in range(4)]})["records"]
sid, seqs = recs[0]["ShardId"], [r["SequenceNumber"] for r in recs]
old_it = ds.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
ctl("trim", {"table": "T", "through": seqs[1]})
code, msg, status = err(ds.get_records, ShardIterator=old_it)
check((code, status) == ("TrimmedDataAccessException", 400), code, msg)
for t in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
    code, _, status = err(ds.get_shard_iterator, StreamArn=arn, ShardId=sid,
                          ShardIteratorType=t, SequenceNumber=seqs[0])
    check((code, status) == ("TrimmedDataAccessException", 400), t, code)
got, _ = ddb_read(arn, sid, "AT_SEQUENCE_NUMBER", SequenceNumber=seqs[2])
check([r["dynamodb"]["SequenceNumber"] for r in got] == seqs[2:], got)
got, _ = ddb_read(arn, sid)
check([r["dynamodb"]["SequenceNumber"] for r in got] == seqs[2:], "TRIM_HORIZON", got)
# a closed, fully trimmed shard leaves DescribeStream
ctl("ddb/rotate", {"stream": arn})
ctl("trim", {"stream": arn, "shard": sid, "all": True})
ids = [s["ShardId"] for s in ds.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]]
check(sid not in ids and len(ids) == 1, ids)
print("ok")
PY
	assert_success
	assert_output ok
}

@test "iterators expire after --iterator-expiry: ExpiredIteratorException (Kinesis and Streams)" {
	kdouble_stop
	kdouble_start --iterator-expiry 1
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=1)
put("s", "k", "x")
arn = ctl("ddb/table", {"table": "T"})["StreamArn"]
ctl("ddb/records", {"stream": arn, "records": [{"NewImage": {"PK": {"S": "a"}, "SK": {"S": "b"}}}]})
sid = ds.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
ki = k.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
di = ds.get_shard_iterator(StreamArn=arn, ShardId=sid, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
check(len(k.get_records(ShardIterator=ki)["Records"]) == 1, "fresh kinesis iterator")
check(len(ds.get_records(ShardIterator=di)["Records"]) == 1, "fresh streams iterator")
print(json.dumps({"k": ki, "d": di}))
PY
	assert_success
	printf '%s' "$output" >"$BATS_TEST_TMPDIR/its.json"
	ki=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["k"])' "$BATS_TEST_TMPDIR/its.json")
	di=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["d"])' "$BATS_TEST_TMPDIR/its.json")
	wait_until 5 bash -c "curl -s -X POST -H 'X-Amz-Target: Kinesis_20131202.GetRecords' \
	    -H 'Authorization: x' --data-binary '{\"ShardIterator\":\"$ki\"}' '$KDOUBLE_URL/' |
	    grep -q ExpiredIteratorException"
	run py <<PY
code, msg, status = err(k.get_records, ShardIterator="$ki")
check((code, status) == ("ExpiredIteratorException", 400), code)
check("tolerated delay of 1000 milliseconds" in msg, msg)
code, msg, status = err(ds.get_records, ShardIterator="$di")
check((code, status) == ("ExpiredIteratorException", 400), code)
print("ok")
PY
	assert_success
	assert_output ok
}

@test "DescribeStream above --describe-rate is LimitExceededException, and passes again a second later" {
	kdouble_stop
	kdouble_start --describe-rate 2
	arn=$(kdouble_ctl ddb/table '{"table":"T"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["StreamArn"])')
	run py <<PY
ds.describe_stream(StreamArn="$arn")
ds.describe_stream(StreamArn="$arn")
code, _, status = err(ds.describe_stream, StreamArn="$arn")
check((code, status) == ("LimitExceededException", 400), code)
print("ok")
PY
	assert_output ok
	# the window is one second: a bounded poll (raw calls, no SDK retries)
	wait_until 5 curl -sf -o /dev/null -X POST -H 'Authorization: x' \
	    -H 'X-Amz-Target: DynamoDBStreams_20120810.DescribeStream' \
	    -H 'Content-Type: application/x-amz-json-1.0' \
	    --data-binary "{\"StreamArn\":\"$arn\"}" "$KDOUBLE_URL/"
	run kdouble_log
	assert_output --partial '"error":"LimitExceededException"'
}

@test "shard ends: end_iterator null sends an explicit null; shard_end lazy ends on the following empty call" {
	run kraw Kinesis_20131202.CreateStream '{"StreamName":"s","ShardCount":1}'
	assert_output --regexp '^200 '
	run kraw Kinesis_20131202.PutRecord '{"StreamName":"s","PartitionKey":"k","Data":"eA=="}'
	kdouble_ctl kinesis/split '{"stream":"s","shard":"shardId-000000000000"}'
	kdouble_ctl config '{"end_iterator":"null"}'
	run py <<'PY'
# boto3 drops nulls: look at the wire
st, it, _ = raw("Kinesis_20131202.GetShardIterator", {"StreamName": "s",
                "ShardId": "shardId-000000000000", "ShardIteratorType": "TRIM_HORIZON"})
st, r, text = raw("Kinesis_20131202.GetRecords", {"ShardIterator": it["ShardIterator"]})
check(st == 200 and len(r["Records"]) == 1 and '"NextShardIterator":null' in text, text)
check(len(r["ChildShards"]) == 2, r)
ctl("config", {"end_iterator": "absent", "shard_end": "lazy"})
it = k.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
r = k.get_records(ShardIterator=it)
check(len(r["Records"]) == 1 and r.get("NextShardIterator"), "lazy: records come with an iterator", r)
r = k.get_records(ShardIterator=r["NextShardIterator"])
check(r["Records"] == [] and "NextShardIterator" not in r and len(r["ChildShards"]) == 2, r)
print("ok")
PY
	assert_success
	assert_output ok
}

@test "shard ends: shard_end caught_up (kinesalite's shape) answers one empty caught-up page with an iterator before the end" {
	run kraw Kinesis_20131202.CreateStream '{"StreamName":"s","ShardCount":1}'
	assert_output --regexp '^200 '
	run kraw Kinesis_20131202.PutRecord '{"StreamName":"s","PartitionKey":"k","Data":"eA=="}'
	kdouble_ctl kinesis/split '{"stream":"s","shard":"shardId-000000000000"}'
	kdouble_ctl config '{"shard_end":"caught_up"}'
	run py <<'PY2'
it = k.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
r = k.get_records(ShardIterator=it)
check(len(r["Records"]) == 1 and r.get("NextShardIterator") and "ChildShards" not in r, "records, then more", r)
r = k.get_records(ShardIterator=r["NextShardIterator"])
check(r["Records"] == [] and r.get("NextShardIterator") and r["MillisBehindLatest"] == 0
      and "ChildShards" not in r, "an empty caught-up page that is not the end", r)
r = k.get_records(ShardIterator=r["NextShardIterator"])
check(r["Records"] == [] and "NextShardIterator" not in r and len(r["ChildShards"]) == 2, "the end", r)
# a fresh iterator past the last record meets the caught-up page again
it = k.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                          ShardIteratorType="LATEST")["ShardIterator"]
r = k.get_records(ShardIterator=it)
check(r["Records"] == [] and r.get("NextShardIterator"), "LATEST: caught up first", r)
ctl("config", {"shard_end": "eager"})
print("ok")
PY2
	assert_success
	assert_output ok
	run kdouble_ctl config '{"shard_end":"early"}'
	assert_failure
}

@test "the log: one NDJSON line per AWS request with op, shard and status" {
	run py <<'PY'
k.create_stream(StreamName="s", ShardCount=1)
put("s", "k", "x")
it = k.get_shard_iterator(StreamName="s", ShardId="shardId-000000000000",
                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
k.get_records(ShardIterator=it, Limit=5)
err(k.get_shard_iterator, StreamName="s", ShardId="shardId-000000000009", ShardIteratorType="LATEST")
print("ok")
PY
	assert_output ok
	run kdouble_log
	assert_success
	run python3 -c '
import json, sys
lines = [json.loads(l) for l in sys.stdin.read().splitlines()]
got = [(l["op"], l["shard"], l["status"]) for l in lines]
want = [("CreateStream", None, 200), ("PutRecord", "shardId-000000000000", 200),
        ("GetShardIterator", "shardId-000000000000", 200),
        ("GetRecords", "shardId-000000000000", 200),
        ("GetShardIterator", "shardId-000000000009", 400)]
assert got == want, got
assert lines[3]["limit"] == 5 and lines[3]["records"] == 1, lines[3]
assert lines[4]["error"] == "ResourceNotFoundException", lines[4]
print("ok")' <<<"$output"
	assert_output ok
}
