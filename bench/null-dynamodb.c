/*
 * null-dynamodb: a DynamoDB endpoint that answers reads from items held in
 * memory, at once, so a benchmark of uktv-api measures uktv-api and not the
 * store.
 *
 *   null-dynamodb PORTFILE ITEMS JWKS
 *
 * ITEMS holds one item a line in DynamoDB's typed JSON, compact and with
 * PK first and SK second ({"PK":{"S":"..."},"SK":{"S":"..."},...}), the
 * same lines bench/api writes into moto.  Answered, with the items' own
 * text (keys compared as their JSON text, escapes and all):
 *   Query         the items of ":pk" (and begins_with(SK, ":sk")), one page
 *   Scan          the items whose PK begins with ":p" (all without it),
 *                 one page
 *   BatchGetItem  the items of every "PK"/"SK" pair asked, no
 *                 UnprocessedKeys
 *   GetItem       the item of "Key", or {}
 *   DescribeTable an ACTIVE table of the name asked
 * and GET .../.well-known/jwks.json answers JWKS's bytes (so the endpoint
 * can stand in for Cognito's keys too); GET /stats answers
 * {"calls":N,"cpu":SECONDS}.  Signatures are not checked; writes are
 * refused (400).  HTTP/1.1 with keep-alive to any number of clients, one
 * poll loop, one thread.  On SIGTERM or SIGINT it prints the stats line on
 * stdout and exits.
 *
 * Built by bench/api with cc; not part of libuktv.
 */
#include "nullserve.h"

#define MAX_CONN	256
#define TARGET		"DynamoDB_20120810."

struct item {
	const char	*pk, *sk;	/* JSON text of the strings, unescaped not */
	size_t		 pkl, skl;
	const char	*text;		/* the whole line */
	size_t		 len;
};

struct out {
	char	*p;
	size_t	 len, cap;
};

static unsigned long long calls;
static struct item *items;
static size_t nitems;
static char *jwks;
static size_t jwks_len;
static struct out ob;		/* the answer being built, reused */

static void
put(const char *s, size_t n)
{
	if (ob.len + n > ob.cap) {
		size_t cap = ob.cap ? ob.cap : 1 << 16;

		while (cap < ob.len + n)
			cap *= 2;
		if ((ob.p = realloc(ob.p, cap)) == NULL) {
			perror("null-dynamodb");
			exit(1);
		}
		ob.cap = cap;
	}
	memcpy(ob.p + ob.len, s, n);
	ob.len += n;
}

static void
puts_(const char *s)
{
	put(s, strlen(s));
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || (b = malloc((size_t)n + 1)) == NULL ||
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	b[n] = '\0';
	*len = (size_t)n;
	return b;
}

/* The end of the JSON string whose text starts at p (after its quote). */
static const char *
string_end(const char *p, const char *end)
{
	for (; p < end && *p != '"'; p++)
		if (*p == '\\')
			p++;
	return p < end ? p : NULL;
}

/*
 * The text of the string value of {"S":"..."} under name, looked for from
 * p on: *v and *vl, or -1.  Tolerates the blanks a JSON writer may put in.
 */
static int
s_value(const char *p, const char *end, const char *name, const char **v,
    size_t *vl, const char **after)
{
	const char *q, *e;

	if ((q = memmem(p, (size_t)(end - p), name, strlen(name))) == NULL ||
	    (q = memmem(q, (size_t)(end - q), "\"S\"", 3)) == NULL)
		return -1;
	for (q += 3; q < end && (*q == ' ' || *q == ':' || *q == '\n' ||
	    *q == '\t' || *q == '\r'); q++)
		;
	if (q >= end || *q != '"' || (e = string_end(q + 1, end)) == NULL)
		return -1;
	*v = q + 1;
	*vl = (size_t)(e - q - 1);
	if (after != NULL)
		*after = e + 1;
	return 0;
}

static int
cmp_text(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c != 0 ? c : (al > bl) - (al < bl);
}

static int
item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int c = cmp_text(a->pk, a->pkl, b->pk, b->pkl);

	return c != 0 ? c : cmp_text(a->sk, a->skl, b->sk, b->skl);
}

static void
load_items(const char *path)
{
	size_t len, cap = 0;
	char *b = read_file(path, &len), *p = b, *nl;

	for (; p < b + len; p = nl + 1) {
		struct item it;

		if ((nl = memchr(p, '\n', (size_t)(b + len - p))) == NULL)
			nl = b + len;
		if (nl == p)
			continue;
		it.text = p;
		it.len = (size_t)(nl - p);
		if (strncmp(p, "{\"PK\":", 6) != 0 ||
		    s_value(p, nl, "\"PK\"", &it.pk, &it.pkl, NULL) == -1 ||
		    s_value(p, nl, "\"SK\"", &it.sk, &it.skl, NULL) == -1) {
			fprintf(stderr, "%s: not an item with PK first: %.60s\n",
			    path, p);
			exit(1);
		}
		if (nitems == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((items = realloc(items, cap * sizeof(*items))) == NULL) {
				perror("null-dynamodb");
				exit(1);
			}
		}
		items[nitems++] = it;
	}
	qsort(items, nitems, sizeof(*items), item_cmp);
}

/* The first item whose PK is not below pk (with sk NULL: any SK). */
static size_t
lower_bound(const char *pk, size_t pkl, const char *sk, size_t skl)
{
	size_t lo = 0, hi = nitems;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_text(items[mid].pk, items[mid].pkl, pk, pkl);

		if (c == 0 && sk != NULL)
			c = cmp_text(items[mid].sk, items[mid].skl, sk, skl);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void
item_list(size_t from, size_t to, const char *skp, size_t skpl, int pk_prefix,
    const char *pk, size_t pkl)
{
	size_t n = 0;
	char tail[80];

	puts_("{\"Items\":[");
	for (size_t i = from; i < to; i++) {
		if (pk_prefix && (items[i].pkl < pkl ||
		    memcmp(items[i].pk, pk, pkl) != 0))
			break;
		if (skp != NULL && (items[i].skl < skpl ||
		    memcmp(items[i].sk, skp, skpl) != 0))
			continue;
		if (n++ > 0)
			put(",", 1);
		put(items[i].text, items[i].len);
	}
	snprintf(tail, sizeof(tail), "],\"Count\":%zu,\"ScannedCount\":%zu}", n, n);
	puts_(tail);
}

static void
query(const char *b, const char *end)
{
	const char *pk, *sk = NULL;
	size_t pkl, skl = 0, i, j;

	if (s_value(b, end, "\":pk\"", &pk, &pkl, NULL) == -1) {
		puts_("{\"Items\":[],\"Count\":0,\"ScannedCount\":0}");
		return;
	}
	if (s_value(b, end, "\":sk\"", &sk, &skl, NULL) == -1)
		sk = NULL;
	/* The items of exactly this PK: a run in the sorted array. */
	for (i = j = lower_bound(pk, pkl, NULL, 0); j < nitems &&
	    cmp_text(items[j].pk, items[j].pkl, pk, pkl) == 0; j++)
		;
	item_list(i, j, sk, skl, 0, NULL, 0);
}

static void
scan(const char *b, const char *end)
{
	const char *p;
	size_t pl;

	if (s_value(b, end, "\":p\"", &p, &pl, NULL) == -1)
		item_list(0, nitems, NULL, 0, 0, NULL, 0);
	else
		item_list(lower_bound(p, pl, NULL, 0), nitems, NULL, 0, 1, p, pl);
}

/* The item of PK/SK at or after q, or NULL; *after past its SK. */
static const struct item *
key_item(const char *q, const char *end, const char **after)
{
	const char *pk, *sk;
	size_t pkl, skl, i;

	if (s_value(q, end, "\"PK\"", &pk, &pkl, NULL) == -1 ||
	    s_value(q, end, "\"SK\"", &sk, &skl, after) == -1) {
		*after = NULL;
		return NULL;
	}
	i = lower_bound(pk, pkl, sk, skl);
	if (i < nitems && item_cmp(&items[i], &(struct item){ .pk = pk,
	    .pkl = pkl, .sk = sk, .skl = skl }) == 0)
		return &items[i];
	return NULL;
}

static void
batch_get(const char *b, const char *end)
{
	const char *t, *te, *q;
	const struct item *it;
	size_t n = 0;

	/* {"RequestItems":{"TABLE":{"Keys":[...]}}}: one table. */
	if ((t = memmem(b, (size_t)(end - b), "\"RequestItems\"", 14)) == NULL ||
	    (t = memchr(t + 14, '"', (size_t)(end - t - 14))) == NULL ||
	    (te = string_end(t + 1, end)) == NULL) {
		puts_("{\"Responses\":{},\"UnprocessedKeys\":{}}");
		return;
	}
	puts_("{\"Responses\":{");
	put(t, (size_t)(te - t + 1));
	puts_(":[");
	for (q = te; q != NULL && q < end; ) {
		it = key_item(q, end, &q);
		if (it == NULL)
			continue;
		if (n++ > 0)
			put(",", 1);
		put(it->text, it->len);
	}
	puts_("]},\"UnprocessedKeys\":{}}");
}

static void
get_item(const char *b, const char *end)
{
	const char *k = memmem(b, (size_t)(end - b), "\"Key\"", 5), *after;
	const struct item *it = k ? key_item(k, end, &after) : NULL;

	if (it == NULL) {
		puts_("{}");
		return;
	}
	puts_("{\"Item\":");
	put(it->text, it->len);
	puts_("}");
}

static void
describe(const char *b, const char *end)
{
	const char *t, *te;

	puts_("{\"Table\":{\"TableName\":");
	if ((t = memmem(b, (size_t)(end - b), "\"TableName\"", 11)) != NULL &&
	    (t = memchr(t + 11, '"', (size_t)(end - t - 11))) != NULL &&
	    (te = string_end(t + 1, end)) != NULL)
		put(t, (size_t)(te - t + 1));
	else
		puts_("\"bench\"");
	puts_(",\"TableStatus\":\"ACTIVE\",\"KeySchema\":["
	    "{\"AttributeName\":\"PK\",\"KeyType\":\"HASH\"},"
	    "{\"AttributeName\":\"SK\",\"KeyType\":\"RANGE\"}],"
	    "\"ItemCount\":");
	{
		char n[32];

		snprintf(n, sizeof(n), "%zu}}", nitems);
		puts_(n);
	}
}

/* Answers one request: ob holds the body once the op has run. */
static int
answer(int fd, const char *head, size_t hlen, const char *body, size_t blen)
{
	const char *ctype = "application/x-amz-json-1.0", *status = "200 OK";
	const char *t, *hend = head + hlen;
	char h[256];
	size_t n;

	ob.len = 0;
	if (strncmp(head, "GET ", 4) == 0) {
		const char *sp = memchr(head + 4, ' ', hlen - 4);
		size_t pl = sp ? (size_t)(sp - head - 4) : 0;

		ctype = "application/json";
		if (pl == 6 && memcmp(head + 4, "/stats", 6) == 0) {
			snprintf(h, sizeof(h), "{\"calls\":%llu,\"cpu\":%.3f}",
			    calls, nullserve_cpu_seconds());
			puts_(h);
		} else if (pl >= 22 && memcmp(head + 4 + pl - 22,
		    "/.well-known/jwks.json", 22) == 0) {
			calls++;
			put(jwks, jwks_len);
		} else {
			status = "404 Not Found";
			puts_("{}");
		}
	} else if ((t = memmem(head, hlen, TARGET, sizeof(TARGET) - 1)) != NULL) {
		const char *op = t + sizeof(TARGET) - 1, *oe = op;
		const char *end = body + blen;

		while (oe < hend && *oe != '\r' && *oe != '\n' && *oe != ' ')
			oe++;
		n = (size_t)(oe - op);
		calls++;
#define OP(s)	(n == sizeof(s) - 1 && memcmp(op, s, n) == 0)
		if (OP("Query"))
			query(body, end);
		else if (OP("Scan"))
			scan(body, end);
		else if (OP("BatchGetItem"))
			batch_get(body, end);
		else if (OP("GetItem"))
			get_item(body, end);
		else if (OP("DescribeTable"))
			describe(body, end);
		else {
			status = "400 Bad Request";
			puts_("{\"__type\":\"com.amazon.coral.validate#"
			    "ValidationException\",\"message\":\"null-dynamodb "
			    "answers reads only\"}");
		}
#undef OP
	} else {
		status = "400 Bad Request";
		puts_("{\"__type\":\"UnknownOperationException\"}");
	}
	n = (size_t)snprintf(h, sizeof(h), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
	    "x-amzn-RequestId: 00000000-0000-0000-0000-000000000000\r\n"
	    "Content-Length: %zu\r\n\r\n", status, ctype, ob.len);
	return nullserve_write_all(fd, h, n) == -1 ? -1 : nullserve_write_all(fd, ob.p, ob.len);
}

int
main(int argc, char *argv[])
{
	if (argc != 4) {
		fprintf(stderr, "usage: null-dynamodb PORTFILE ITEMS JWKS\n");
		return 2;
	}
	load_items(argv[2]);
	jwks = read_file(argv[3], &jwks_len);
	if (nullserve_run("null-dynamodb", argv[1], MAX_CONN, answer) != 0)
		return 1;
	printf("{\"calls\":%llu,\"cpu\":%.3f}\n", calls, nullserve_cpu_seconds());
	return 0;
}
