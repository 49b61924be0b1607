#!/usr/bin/env python3
"""The original app's way of publishing, as the baseline for bench/publish:
boto3's put_records in batches of 500, reading the same NDJSON file as
uktv-publish, each record keyed by its payload.id.

usage: publish-boto3.py FILE STREAM ENDPOINT

Like the original Lambda it does not resend partial failures; it only counts
them, so the figures compare the same work.  Prints {"records", "failed"} on
stderr.
"""

import json
import sys

import boto3


def main():
    path, stream, endpoint = sys.argv[1:4]
    client = boto3.client("kinesis", endpoint_url=endpoint)
    records = []
    sent = failed = 0

    def flush():
        nonlocal sent, failed
        resp = client.put_records(StreamName=stream, Records=records)
        failed += resp["FailedRecordCount"]
        sent += len(records) - resp["FailedRecordCount"]
        records.clear()

    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            if not line:
                continue
            event = json.loads(line)
            records.append({"Data": line,
                            "PartitionKey": str(event["payload"]["id"])})
            if len(records) == 500:
                flush()
    if records:
        flush()
    print(json.dumps({"records": sent, "failed": failed}), file=sys.stderr)


if __name__ == "__main__":
    main()
