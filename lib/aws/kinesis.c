/*
 * kinesis.c: see kinesis.h.  Request shapes and limits are the Amazon
 * Kinesis Data Streams API Reference's (API version 2013-12-02).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/sha.h>

#include "awsjson.h"
#include "backoff.h"
#include "base64.h"
#include "jsonscan.h"
#include "kinesis.h"
#include "private/kinesis.h"
#include "private/shardread.h"
#include "time.h"

/* What GetShardIterator and GetRecords differ in on Kinesis. */
const struct uktv_shardread_api uktv_shardread_kinesis = {
	&uktv_svc_kinesis, "Kinesis", "StreamARN", "StartingSequenceNumber",
	UKTV_KINESIS_GET_RECORDS_MAX, 1
};

/* Open addressing for --strict-order's "is this key in the batch": twice
 * the largest batch keeps probes short. */
#define KEY_SLOTS	1024

/* Kept per record while its batch is in flight. */
struct rec {
	uint64_t	 tag;
	size_t		 frag_off;	/* its {"Data":...} in the body */
	size_t		 frag_len;
	size_t		 b64_off;	/* its base64 data, inside the fragment */
	size_t		 b64_len;
	size_t		 data_len;
	size_t		 side_off;	/* partition key, then note, in side */
	size_t		 pk_len;
	size_t		 note_len;
	uint32_t	 key_hash;
	int		 attempts;
	int		 failed;	/* the last answer failed it */
	char		 code[64];
	char		 message[256];
};

struct uktv_kinesis_batch {
	char				*prefix;	/* {"StreamName":"..","Records":[ */
	size_t				 prefix_len;
	char				*body;		/* prefix, fragments */
	size_t				 len;
	size_t				 cap;
	char				*side;		/* partition keys and notes */
	size_t				 side_len;
	size_t				 side_cap;
	struct rec			*recs;
	size_t				 n;
	size_t				 data_bytes;	/* data + keys, for the 5 MiB limit */
	int				 max_records;
	int				 max_attempts;
	double				 max_rate;
	int				 brief_success;
	double				 next_send_ms;	/* pacing, monotonic */
	unsigned short			 slots[KEY_SLOTS];	/* rec index + 1 */
	char				*scratch;	/* decoded data for a failure */
	size_t				 scratch_cap;
	char				*text;		/* a decoded answer string */
	size_t				 text_cap;
	struct uktv_kinesis_batch_stats	 stats;
};

/* A growable buffer append; -1 on ENOMEM. */
static int
grow(char **buf, size_t *cap, size_t need)
{
	size_t ncap;
	char *nb;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 4096;
	while (ncap < need)
		ncap *= 2;
	if ((nb = realloc(*buf, ncap)) == NULL)
		return -1;
	*buf = nb;
	*cap = ncap;
	return 0;
}

/* Longest JSON escape of one byte: \u00XX. */
#define ESC_MAX	6

/* Writes s[0, n) JSON-escaped (without quotes) at out; returns the length. */
static size_t
json_escape(const char *s, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	char *o = out;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			*o++ = '\\';
			*o++ = (char)c;
		} else if (c < 0x20) {
			*o++ = '\\';
			switch (c) {
			case '\n': *o++ = 'n'; break;
			case '\r': *o++ = 'r'; break;
			case '\t': *o++ = 't'; break;
			case '\b': *o++ = 'b'; break;
			case '\f': *o++ = 'f'; break;
			default:
				*o++ = 'u';
				*o++ = '0';
				*o++ = '0';
				*o++ = hex[c >> 4];
				*o++ = hex[c & 15];
			}
		} else
			*o++ = (char)c;
	}
	return (size_t)(o - out);
}

static struct json_object *
stream_request(const struct uktv_kinesis_stream *st)
{
	struct json_object *req;

	if ((req = json_object_new_object()) == NULL)
		return NULL;
	if (st != NULL && st->arn != NULL)
		json_object_object_add(req, "StreamARN",
		    json_object_new_string(st->arn));
	else if (st != NULL && st->name != NULL)
		json_object_object_add(req, "StreamName",
		    json_object_new_string(st->name));
	return req;
}

static int
no_stream(const struct uktv_kinesis_stream *st, struct uktv_error *err)
{
	if (st == NULL || (st->name == NULL && st->arn == NULL))
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "no Kinesis stream named (a name or an ARN)");
	return 0;
}

int
uktv_kinesis_describe_stream_summary(struct uktv_aws *aws,
    const struct uktv_kinesis_stream *st, struct json_object **summary,
    struct uktv_error *err)
{
	struct json_object *req, *resp = NULL, *v;
	int rc;

	*summary = NULL;
	if (no_stream(st, err) == -1)
		return -1;
	if ((req = stream_request(st)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	rc = uktv_awsjson_call(aws, &uktv_svc_kinesis, "DescribeStreamSummary",
	    req, &resp, err);
	json_object_put(req);
	if (rc == -1)
		return -1;
	if (!json_object_object_get_ex(resp, "StreamDescriptionSummary", &v) ||
	    !json_object_is_type(v, json_type_object)) {
		json_object_put(resp);
		return uktv_error_set(err, UKTV_ERR_SERVICE, "Kinesis "
		    "DescribeStreamSummary: no StreamDescriptionSummary in the answer");
	}
	*summary = json_object_get(v);
	json_object_put(resp);
	return 0;
}

int
uktv_kinesis_list_shards(struct uktv_aws *aws,
    const struct uktv_kinesis_stream *st, struct json_object *filter,
    int page_size, uktv_kinesis_shard_fn fn, void *arg, struct uktv_error *err)
{
	struct json_object *req, *resp;
	char *next = NULL;
	int rc;

	if (no_stream(st, err) == -1)
		return -1;
	if (page_size < 0 || page_size > UKTV_KINESIS_LIST_SHARDS_MAX)
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "ListShards page size %d is not within 1..%d", page_size,
		    UKTV_KINESIS_LIST_SHARDS_MAX);
	for (;;) {
		/* Later pages: NextToken alone (AWS rejects it together with
		 * StreamName, ShardFilter or ExclusiveStartShardId). */
		if (next == NULL) {
			req = stream_request(st);
			if (req != NULL && filter != NULL)
				json_object_object_add(req, "ShardFilter",
				    json_object_get(filter));
		} else if ((req = json_object_new_object()) != NULL)
			json_object_object_add(req, "NextToken",
			    json_object_new_string(next));
		if (req == NULL) {
			free(next);
			return uktv_error_set(err, UKTV_ERR_INTERNAL,
			    "out of memory");
		}
		if (page_size > 0)
			json_object_object_add(req, "MaxResults",
			    json_object_new_int(page_size));
		free(next);
		next = NULL;
		rc = uktv_awsjson_call(aws, &uktv_svc_kinesis, "ListShards", req,
		    &resp, err);
		json_object_put(req);
		if (rc == -1)
			return -1;
		rc = uktv_shardread_page(resp, "NextToken", fn, arg, &next, err);
		json_object_put(resp);
		if (rc != 0 || next == NULL)
			return rc == -1 ? -1 : 0;
	}
}

int
uktv_kinesis_get_shard_iterator(struct uktv_aws *aws,
    const struct uktv_kinesis_stream *st, const char *shard_id,
    const char *type, const char *sequence, long long timestamp_ms,
    char **iterator, struct uktv_error *err)
{
	struct json_object *req;

	*iterator = NULL;
	if (no_stream(st, err) == -1)
		return -1;
	if ((req = stream_request(st)) == NULL)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return uktv_shardread_get_iterator(aws, &uktv_shardread_kinesis, req,
	    shard_id, type, sequence, timestamp_ms, iterator, err);
}

int
uktv_kinesis_get_records(struct uktv_aws *aws,
    const struct uktv_kinesis_stream *st, const char *iterator, int limit,
    struct json_object **response, struct uktv_error *err)
{
	return uktv_shardread_get_records(aws, &uktv_shardread_kinesis,
	    iterator, limit, st != NULL ? st->arn : NULL, response, err);
}

int
uktv_kinesis_get_records_raw(struct uktv_aws *aws,
    const struct uktv_kinesis_stream *st, const char *iterator, int limit,
    struct uktv_http_response *resp, struct uktv_error *err)
{
	return uktv_shardread_get_records_raw(aws, &uktv_shardread_kinesis,
	    iterator, limit, st != NULL ? st->arn : NULL, resp, err);
}

int
uktv_kinesis_hash_key_valid(const char *s, size_t len)
{
	/* 2^128 - 1, the largest hash key. */
	static const char max[] = "340282366920938463463374607431768211455";

	if (len == 0 || len > sizeof(max) - 1 || (s[0] == '0' && len > 1))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len < sizeof(max) - 1 || memcmp(s, max, len) <= 0;
}

int
uktv_kinesis_partition_key_valid(const char *s, size_t len)
{
	size_t chars = 0;

	/* Characters: bytes that do not continue a UTF-8 sequence. */
	for (size_t i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			chars++;
	return chars >= 1 && chars <= UKTV_KINESIS_PARTITION_KEY_MAX;
}

void
uktv_kinesis_hash_partition_key(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

struct uktv_kinesis_batch *
uktv_kinesis_batch_new(const struct uktv_kinesis_stream *st,
    const struct uktv_kinesis_batch_opts *opts, struct uktv_error *err)
{
	struct uktv_kinesis_batch *b;
	const char *field, *value;
	size_t vlen;

	if (no_stream(st, err) == -1)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		goto oom;
	b->max_records = UKTV_KINESIS_PUT_MAX_RECORDS;
	b->max_attempts = UKTV_KINESIS_PUT_ATTEMPTS;
	if (opts != NULL) {
		if (opts->max_records > 0 &&
		    opts->max_records < UKTV_KINESIS_PUT_MAX_RECORDS)
			b->max_records = opts->max_records;
		if (opts->max_attempts > 0)
			b->max_attempts = opts->max_attempts;
		if (opts->max_rate > 0)
			b->max_rate = opts->max_rate;
		b->brief_success = opts->brief_success;
	}
	field = st->arn ? "StreamARN" : "StreamName";
	value = st->arn ? st->arn : st->name;
	vlen = strlen(value);
	if ((b->prefix = malloc(strlen(field) + vlen * ESC_MAX + 32)) == NULL)
		goto oom;
	b->prefix_len = (size_t)sprintf(b->prefix, "{\"%s\":\"", field);
	b->prefix_len += json_escape(value, vlen, b->prefix + b->prefix_len);
	memcpy(b->prefix + b->prefix_len, "\",\"Records\":[", 13);
	b->prefix_len += 13;
	if ((b->recs = calloc((size_t)b->max_records, sizeof(*b->recs))) == NULL ||
	    grow(&b->body, &b->cap, b->prefix_len + 65536) == -1)
		goto oom;
	memcpy(b->body, b->prefix, b->prefix_len);
	b->len = b->prefix_len;
	return b;
oom:
	uktv_kinesis_batch_free(b);
	uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	return NULL;
}

void
uktv_kinesis_batch_free(struct uktv_kinesis_batch *b)
{
	if (b == NULL)
		return;
	free(b->prefix);
	free(b->body);
	free(b->side);
	free(b->recs);
	free(b->scratch);
	free(b->text);
	free(b);
}

size_t
uktv_kinesis_batch_count(const struct uktv_kinesis_batch *b)
{
	return b->n;
}

const struct uktv_kinesis_batch_stats *
uktv_kinesis_batch_stats(const struct uktv_kinesis_batch *b)
{
	return &b->stats;
}

int
uktv_kinesis_batch_fits(const struct uktv_kinesis_batch *b, size_t data_len,
    size_t pk_len)
{
	if (b->n == 0)
		return 1;
	return b->n < (size_t)b->max_records &&
	    b->data_bytes + data_len + pk_len <= UKTV_KINESIS_PUT_MAX_BYTES;
}

/* FNV-1a: enough to spread at most 500 keys over the slots. */
static uint32_t
key_hash(const char *s, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

/* The slot holding pk, or the empty slot where it would go. */
static size_t
key_slot(const struct uktv_kinesis_batch *b, const char *pk, size_t pk_len,
    uint32_t h)
{
	size_t i = h & (KEY_SLOTS - 1);

	for (;;) {
		unsigned short s = b->slots[i];
		const struct rec *r;

		if (s == 0)
			return i;
		r = &b->recs[s - 1];
		if (r->key_hash == h && r->pk_len == pk_len &&
		    memcmp(b->side + r->side_off, pk, pk_len) == 0)
			return i;
		i = (i + 1) & (KEY_SLOTS - 1);
	}
}

int
uktv_kinesis_batch_has_key(const struct uktv_kinesis_batch *b, const char *pk,
    size_t pk_len)
{
	return b->slots[key_slot(b, pk, pk_len, key_hash(pk, pk_len))] != 0;
}

int
uktv_kinesis_batch_add(struct uktv_kinesis_batch *b,
    const struct uktv_kinesis_record *in, struct uktv_error *err)
{
	struct rec *r;
	size_t need, slot;
	char *o;
	uint32_t h;

	if (!uktv_kinesis_partition_key_valid(in->partition_key,
	    in->partition_key_len))
		return uktv_error_set(err, UKTV_ERR_INPUT, "partition key %s",
		    in->partition_key_len == 0 ? "is empty" :
		    "is longer than 256 characters");
	if (in->explicit_hash_key != NULL &&
	    !uktv_kinesis_hash_key_valid(in->explicit_hash_key,
	    in->explicit_hash_key_len))
		return uktv_error_set(err, UKTV_ERR_INPUT, "explicit hash key is "
		    "not a decimal number from 0 to 2^128-1");
	if (in->data_len + in->partition_key_len > UKTV_KINESIS_RECORD_MAX_BYTES)
		return uktv_error_set(err, UKTV_ERR_INPUT, "record of %zu bytes "
		    "with its partition key is over Kinesis's limit of %zu",
		    in->data_len + in->partition_key_len,
		    UKTV_KINESIS_RECORD_MAX_BYTES);
	if (!uktv_kinesis_batch_fits(b, in->data_len, in->partition_key_len))
		return uktv_error_set(err, UKTV_ERR_USAGE,
		    "the record does not fit in this PutRecords call");

	/* ,{"Data":"..","PartitionKey":"..","ExplicitHashKey":".."} */
	need = b->len + 1 + 9 + UKTV_BASE64_ENCODED_LEN(in->data_len) + 17 +
	    in->partition_key_len * ESC_MAX + 1 +
	    (in->explicit_hash_key ? 21 + in->explicit_hash_key_len : 0) + 2 +
	    3;	/* "]}" and a NUL when the body is sent */
	if (grow(&b->body, &b->cap, need) == -1 ||
	    grow(&b->side, &b->side_cap, b->side_len + in->partition_key_len +
	    in->note_len) == -1)
		return uktv_error_set(err, UKTV_ERR_INTERNAL, "out of memory");
	r = &b->recs[b->n];
	memset(r, 0, sizeof(*r));
	o = b->body + b->len;
	if (b->n > 0)
		*o++ = ',';
	r->frag_off = (size_t)(o - b->body);
	memcpy(o, "{\"Data\":\"", 9);
	o += 9;
	r->b64_off = (size_t)(o - b->body);
	r->b64_len = uktv_base64_encode(in->data, in->data_len, o);
	o += r->b64_len;
	memcpy(o, "\",\"PartitionKey\":\"", 18);
	o += 18;
	o += json_escape(in->partition_key, in->partition_key_len, o);
	*o++ = '"';
	if (in->explicit_hash_key != NULL) {
		memcpy(o, ",\"ExplicitHashKey\":\"", 20);
		o += 20;
		memcpy(o, in->explicit_hash_key, in->explicit_hash_key_len);
		o += in->explicit_hash_key_len;
		*o++ = '"';
	}
	*o++ = '}';
	r->frag_len = (size_t)(o - b->body) - r->frag_off;
	b->len = (size_t)(o - b->body);

	r->tag = in->tag;
	r->data_len = in->data_len;
	r->side_off = b->side_len;
	r->pk_len = in->partition_key_len;
	r->note_len = in->note != NULL ? in->note_len : 0;
	memcpy(b->side + b->side_len, in->partition_key, r->pk_len);
	if (r->note_len > 0)
		memcpy(b->side + b->side_len + r->pk_len, in->note, r->note_len);
	b->side_len += r->pk_len + r->note_len;
	h = key_hash(in->partition_key, r->pk_len);
	r->key_hash = h;
	slot = key_slot(b, in->partition_key, r->pk_len, h);
	if (b->slots[slot] == 0)
		b->slots[slot] = (unsigned short)(b->n + 1);
	b->data_bytes += in->data_len + in->partition_key_len;
	b->n++;
	return 0;
}

static void
batch_clear(struct uktv_kinesis_batch *b)
{
	b->n = 0;
	b->len = b->prefix_len;
	b->side_len = 0;
	b->data_bytes = 0;
	memset(b->slots, 0, sizeof(b->slots));
}

/* Waits until n more records may go at max_rate.  The schedule is kept in
 * fractions of a millisecond: at high rates a call's share is below one. */
static void
pace(struct uktv_kinesis_batch *b, size_t n)
{
	double now;

	if (b->max_rate <= 0)
		return;
	now = (double)uktv_time_mono_ms();
	if (now < b->next_send_ms) {
		/* A signal does not shorten the wait: the rate is a promise. */
		uktv_sleep_ms((long long)ceil(b->next_send_ms - now));
		now = b->next_send_ms;
	}
	b->next_send_ms = now + (double)n / b->max_rate * 1000.0;
}

static void
report(struct uktv_kinesis_batch *b, struct rec *r, const char *shard,
    const char *seq, const char *code, const char *message, int call_failed,
    uktv_kinesis_result_fn fn, void *arg)
{
	struct uktv_kinesis_result res;

	memset(&res, 0, sizeof(res));
	res.call_failed = call_failed;
	res.tag = r->tag;
	res.note = r->note_len ? b->side + r->side_off + r->pk_len : NULL;
	res.note_len = r->note_len;
	res.attempts = r->attempts;
	res.partition_key = b->side + r->side_off;
	res.partition_key_len = r->pk_len;
	if (code == NULL) {
		res.shard_id = shard;
		res.sequence = seq;
		b->stats.records++;
		b->stats.bytes += r->data_len + r->pk_len;
	} else {
		size_t got = 0;

		res.error_code = code;
		res.error_message = message;
		if (grow(&b->scratch, &b->scratch_cap, r->data_len + 3) == 0 &&
		    uktv_base64_decode(b->body + r->b64_off, r->b64_len,
		    b->scratch, &got) == 0) {
			res.data = b->scratch;
			res.data_len = got;
		}
		b->stats.failed++;
	}
	if (fn != NULL)
		fn(&res, arg);
}

/* A string value decoded into out (cut to its size); "" if it is not one. */
static void
scan_text(const struct uktv_jsonscan_value *v, char *out, size_t size)
{
	char *t;

	*out = '\0';
	if (v->type != UKTV_JSON_STRING || (t = malloc(v->len + 1)) == NULL)
		return;
	t[uktv_jsonscan_string(v, t)] = '\0';
	strlcpy(out, t, size);
	free(t);
}

/*
 * A 2xx answer without Records: garbled on the way, or an error in a
 * success's clothes.  What it says (an error's __type and message) is
 * kept for the reader; the call may be sent again (the caller's choice).
 */
static void
bad_answer(const struct uktv_http_response *resp, struct uktv_error *err)
{
	static const char *const names[] = { ".__type", ".message", ".Message" };
	struct uktv_jsonpath path[3];
	struct uktv_jsonscan_value v[3];
	char type[96] = "", msg[256] = "";
	size_t i;

	for (i = 0; i < 3; i++)
		uktv_jsonpath_parse(names[i], &path[i]);
	if (uktv_jsonscan(resp->body, resp->body_len, 0, path, 3, v,
	    NULL) == UKTV_JSONSCAN_OK) {
		scan_text(&v[0], type, sizeof(type));
		scan_text(&v[1], msg, sizeof(msg));
		if (*msg == '\0')
			scan_text(&v[2], msg, sizeof(msg));
	}
	if (*type != '\0' || *msg != '\0')
		uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "Kinesis PutRecords: "
		    "HTTP %ld with no Records: %s%s%s", resp->status,
		    *type ? type : "(no __type)", *msg ? ": " : "", msg);
	else
		uktv_error_set(err, UKTV_ERR_UNAVAILABLE, "Kinesis PutRecords: "
		    "HTTP %ld with no Records: the answer is not a JSON object "
		    "with Records (%zu bytes)", resp->status, resp->body_len);
	strlcpy(err->code, "InvalidResponse", sizeof(err->code));
	err->http_status = resp->status;
	err->retryable = 1;
}

/*
 * One PutRecords call.  The answer is read with the scanner rather than
 * json-c: building 500 result objects per call cost as much as the rest of
 * publishing put together.  On success *records is the Records array,
 * pointing into resp.
 */
static int
put_call(struct uktv_aws *aws, struct uktv_kinesis_batch *b,
    struct uktv_http_response *resp, struct uktv_jsonscan_value *records,
    long long *failed, struct uktv_error *err)
{
	static const char *const names[] = { ".Records", ".FailedRecordCount" };
	struct uktv_jsonpath path[2];
	struct uktv_jsonscan_value v[2];

	*failed = -1;
	if (uktv_awsjson_call_raw(aws, &uktv_svc_kinesis, "PutRecords",
	    b->body, b->len + 2, resp, err) == -1)
		return -1;
	uktv_jsonpath_parse(names[0], &path[0]);
	uktv_jsonpath_parse(names[1], &path[1]);
	if (uktv_jsonscan(resp->body, resp->body_len, 0, path, 2, v,
	    NULL) != UKTV_JSONSCAN_OK || v[0].type != UKTV_JSON_ARRAY) {
		bad_answer(resp, err);
		uktv_http_response_free(resp);
		return -2;
	}
	*records = v[0];
	/* Absent or not a plain count: read every result. */
	*failed = -1;
	if (v[1].type == UKTV_JSON_NUMBER && v[1].len == 1 && v[1].text[0] == '0')
		*failed = 0;
	return 0;
}

/* A string field of a result: decoded into b->text (NUL-terminated; the
 * caller made room for the whole result), or NULL when absent or not a
 * string. */
static const char *
result_text(struct uktv_kinesis_batch *b, const struct uktv_jsonscan_value *v,
    size_t *off)
{
	char *t;
	size_t n;

	if (v->type != UKTV_JSON_STRING)
		return NULL;
	t = b->text + *off;
	n = uktv_jsonscan_string(v, t);
	t[n] = '\0';
	*off += n + 1;
	return t;
}

/* Keeps only the failed records, in order, in the body and in recs. */
static void
compact(struct uktv_kinesis_batch *b)
{
	size_t j = 0, at = b->prefix_len;

	for (size_t i = 0; i < b->n; i++) {
		struct rec *r = &b->recs[i];
		size_t shift;

		if (!r->failed)
			continue;
		if (j > 0)
			b->body[at++] = ',';
		shift = r->frag_off - at;
		memmove(b->body + at, b->body + r->frag_off, r->frag_len);
		r->frag_off -= shift;
		r->b64_off -= shift;
		at += r->frag_len;
		if (j != i)
			b->recs[j] = *r;
		j++;
	}
	b->n = j;
	b->len = at;
}

/* Every record of a call that failed outright (after its retries) is
 * reported failed with the call's error. */
static int
call_failed(struct uktv_kinesis_batch *b, int attempt, int unreadable,
    uktv_kinesis_result_fn fn, void *arg, struct uktv_error *err)
{
	if (unreadable) {
		char more[64];

		snprintf(more, sizeof(more), " (gave up after %d attempt%s)",
		    attempt, attempt == 1 ? "" : "s");
		strlcat(err->message, more, sizeof(err->message));
	}
	for (size_t i = 0; i < b->n; i++)
		report(b, &b->recs[i], NULL, NULL, err->code[0] ? err->code :
		    "Unavailable", err->message, 1, fn, arg);
	batch_clear(b);
	return -1;
}

/* The result of one record: reported, or marked to be sent again (1). */
static int
settle_one(struct uktv_kinesis_batch *b, struct rec *r,
    const struct uktv_jsonscan_value *elem, const struct uktv_jsonpath *paths,
    uktv_kinesis_result_fn fn, void *arg)
{
	struct uktv_jsonscan_value v[4];
	const char *shard, *seq, *code, *msg;
	size_t off = 0;

	if (elem->type != UKTV_JSON_OBJECT ||
	    grow(&b->text, &b->text_cap, elem->len + 4) == -1 ||
	    uktv_jsonscan(elem->text, elem->len, 0, paths, 4, v,
	    NULL) != UKTV_JSONSCAN_OK)
		memset(v, 0, sizeof(v));
	shard = result_text(b, &v[0], &off);
	seq = result_text(b, &v[1], &off);
	code = result_text(b, &v[2], &off);
	msg = result_text(b, &v[3], &off);
	if (code == NULL && seq == NULL)
		code = "InvalidResponse";	/* neither: not a result */
	if (code == NULL) {
		report(b, r, shard, seq, NULL, NULL, 0, fn, arg);
		return 0;
	}
	strlcpy(r->code, code, sizeof(r->code));
	strlcpy(r->message, msg ? msg : "", sizeof(r->message));
	/* Throttling and InternalFailure pass; a KMS key that is disabled or
	 * denied does not. */
	if (r->attempts < b->max_attempts &&
	    (uktv_aws_code_is_throttle(code) ||
	    uktv_aws_code_is_transient(code, 0) ||
	    strcmp(code, "KMSThrottlingException") == 0)) {
		r->failed = 1;
		return 1;
	}
	report(b, r, NULL, NULL, r->code, r->message, 0, fn, arg);
	return 0;
}

/*
 * Reads the answer's results, one per record, in order: *nretry gets the
 * number to send again.  -1 when the results do not match the records.
 */
static int
settle(struct uktv_kinesis_batch *b, struct uktv_jsonscan_value *records,
    long long failed, const struct uktv_jsonpath *paths,
    uktv_kinesis_result_fn fn, void *arg, size_t *nretry,
    struct uktv_error *err)
{
	struct uktv_jsonscan_value elem;
	size_t pos = 0, i = 0;

	*nretry = 0;
	if (failed == 0 && b->brief_success) {
		/* Every record landed; only the count is checked. */
		for (i = 0; i < b->n &&
		    uktv_jsonscan_array_next(records, &pos, &elem); i++)
			report(b, &b->recs[i], NULL, NULL, NULL, NULL, 0, fn,
			    arg);
	}
	for (; i < b->n && uktv_jsonscan_array_next(records, &pos, &elem); i++)
		*nretry += settle_one(b, &b->recs[i], &elem, paths, fn, arg);
	if (i == b->n && !uktv_jsonscan_array_next(records, &pos, &elem))
		return 0;
	/* Fewer or more results than records: the answer cannot be matched
	 * to them, so none still pending is known to have landed. */
	uktv_error_set(err, UKTV_ERR_SERVICE, "Kinesis PutRecords: "
	    "the answer does not hold one result per record");
	strlcpy(err->code, "InvalidResponse", sizeof(err->code));
	for (size_t j = 0; j < b->n; j++)
		if (j >= i || b->recs[j].failed)
			report(b, &b->recs[j], NULL, NULL, err->code,
			    err->message, 1, fn, arg);
	return -1;
}

int
uktv_kinesis_batch_flush(struct uktv_aws *aws, struct uktv_kinesis_batch *b,
    uktv_kinesis_result_fn fn, void *arg, struct uktv_error *err)
{
	static const char *const fields[] = { ".ShardId", ".SequenceNumber",
	    ".ErrorCode", ".ErrorMessage" };
	struct uktv_jsonpath paths[4];
	struct uktv_jsonscan_value records;
	struct uktv_http_response resp;
	size_t nretry, i;
	long long failed;
	int attempt, rc;

	if (b->n == 0)
		return 0;
	for (i = 0; i < 4; i++)
		uktv_jsonpath_parse(fields[i], &paths[i]);
	for (attempt = 1;; attempt++) {
		for (i = 0; i < b->n; i++) {
			b->recs[i].attempts++;
			b->recs[i].failed = 0;
		}
		pace(b, b->n);
		memcpy(b->body + b->len, "]}", 3);
		if ((rc = put_call(aws, b, &resp, &records, &failed,
		    err)) < 0) {
			/* An answer that cannot be read says nothing of which
			 * records landed: the call is sent again, as the SDKs
			 * do with a service error, and is "unavailable" (69)
			 * once the attempts are spent. */
			if (rc == -2 && attempt < b->max_attempts) {
				b->stats.resent += b->n;
				uktv_aws_backoff(aws, attempt);
				continue;
			}
			return call_failed(b, attempt, rc == -2, fn, arg, err);
		}
		b->stats.calls++;
		rc = settle(b, &records, failed, paths, fn, arg, &nretry, err);
		uktv_http_response_free(&resp);
		if (rc == -1 || nretry == 0) {
			batch_clear(b);
			return rc;
		}
		compact(b);
		memset(b->slots, 0, sizeof(b->slots));
		b->stats.resent += nretry;
		uktv_aws_backoff(aws, attempt);
	}
}
