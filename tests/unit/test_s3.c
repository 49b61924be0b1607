/* test_s3.c: S3 URLs, bucket names, key encoding, the ListObjectsV2 XML
 * reader, ETags, content types, and the choice of addressing style. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aws.h"
#include "private/s3.h"
#include "xml.h"
#include "unit.h"

static void
test_bucket_names(void)
{
	static const struct { const char *name; int ok; } cases[] = {
		{ "guide-site", 1 }, { "abc", 1 }, { "a.b.c", 1 }, { "1bucket", 1 },
		{ "ab", 0 }, { "Guide", 0 }, { "guide_site", 0 }, { "-guide", 0 },
		{ "guide-", 0 }, { "a..b", 0 }, { "192.168.1.10", 0 }, { "", 0 },
		/* 63 characters, then 64. */
		{ "a-very-long-bucket-name-that-goes-on-and-on-past-sixty-three-ch", 1 },
		{ "a-very-long-bucket-name-that-goes-on-and-on-past-sixty-three-cha", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (uktv_s3_bucket_valid(cases[i].name) != cases[i].ok)
			printf("# bucket '%s'\n", cases[i].name);
		CHECK_INT(uktv_s3_bucket_valid(cases[i].name), cases[i].ok);
	}
}

static void
test_url_parse(void)
{
	static const struct {
		const char *url, *bucket, *prefix;	/* bucket NULL: refused */
	} cases[] = {
		{ "s3://guide-site/web", "guide-site", "web/" },
		{ "s3://guide-site/web/", "guide-site", "web/" },
		{ "s3://guide-site/a/b c/été", "guide-site", "a/b c/été/" },
		{ "s3://guide-site", "guide-site", "" },
		{ "s3://guide-site/", "guide-site", "" },
		{ "s3://guide-site//x", NULL, NULL },
		{ "s3://guide-site/a/../b", NULL, NULL },
		{ "s3://guide-site/./b", NULL, NULL },
		{ "s3://guide-site/a//", NULL, NULL },
		{ "s3://Guide/x", NULL, NULL },
		{ "s3://", NULL, NULL },
		{ "https://guide-site/x", NULL, NULL },
		{ "guide-site/x", NULL, NULL },
	};
	char *b, *p, why[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = uktv_s3_url_parse(cases[i].url, &b, &p, why, sizeof(why));

		if (cases[i].bucket == NULL) {
			if (rc != -1)
				printf("# accepted '%s'\n", cases[i].url);
			CHECK_INT(rc, -1);
			CHECK(b == NULL && p == NULL && why[0] != '\0');
			continue;
		}
		CHECK_INT(rc, 0);
		CHECK_STR(b, cases[i].bucket);
		CHECK_STR(p, cases[i].prefix);
		free(b);
		free(p);
	}
}

static void
test_keys(void)
{
	char *e, long_key[UKTV_S3_KEY_MAX + 2];

	e = uktv_s3_key_encode("my site/été/a@b+c~d_e-f.html");
	CHECK_STR(e, "my%20site/%C3%A9t%C3%A9/a%40b%2Bc~d_e-f.html");
	free(e);
	e = uktv_s3_key_encode("q?x=1&y#z%");
	CHECK_STR(e, "q%3Fx%3D1%26y%23z%25");
	free(e);
	CHECK(uktv_s3_key_valid("index.html"));
	CHECK(uktv_s3_key_valid("a/.b/c..d"));
	CHECK(uktv_s3_key_valid("site/"));
	CHECK(!uktv_s3_key_valid(""));
	CHECK(!uktv_s3_key_valid("a/../b"));
	CHECK(!uktv_s3_key_valid("./a"));
	CHECK(!uktv_s3_key_valid("a/.."));
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[UKTV_S3_KEY_MAX] = '\0';
	CHECK(uktv_s3_key_valid(long_key));
	long_key[UKTV_S3_KEY_MAX] = 'k';
	long_key[UKTV_S3_KEY_MAX + 1] = '\0';
	CHECK(!uktv_s3_key_valid(long_key));
}

static void
test_xml_unescape(void)
{
	static const char *const bad[] = {
		"&foo;", "&#0;", "&#xD800;", "&#x110000;", "& x", "&#;", "&#x;",
		"&amp", "&#12a;", "&#99999999999;",
	};
	const char *in = "a&amp;b&lt;c&gt;d&quot;e&apos;f&#233;&#xE9;&#x1F600;";
	char *s;

	s = uktv_xml_unescape(in, strlen(in));
	CHECK_STR(s, "a&b<c>d\"e'f\xc3\xa9\xc3\xa9\xf0\x9f\x98\x80");
	free(s);
	s = uktv_xml_unescape("plain", 5);
	CHECK_STR(s, "plain");
	free(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		s = uktv_xml_unescape(bad[i], strlen(bad[i]));
		if (s != NULL)
			printf("# accepted '%s' as '%s'\n", bad[i], s);
		CHECK(s == NULL && errno == EINVAL);
		free(s);
	}
}

static const char page1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
    "<Name>guide-site</Name><Prefix>web/</Prefix><KeyCount>2</KeyCount>"
    "<MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"
    "<!-- a comment <Key>not this</Key> -->"
    "<Contents><Key>web/caf&#xE9; &amp; co.html</Key>"
    "<LastModified>2025-07-04T16:02:51.000Z</LastModified>"
    "<ETag>&quot;D41D8CD98F00B204E9800998ECF8427E&quot;</ETag>"
    "<Size>0</Size><Owner><ID>x</ID><DisplayName>Size</DisplayName></Owner>"
    "<StorageClass>STANDARD</StorageClass></Contents>\n"
    "<Contents><Key><![CDATA[web/<raw> & ok]]></Key><ETag>\"abc-2\"</ETag>"
    "<Size>1234567890123</Size></Contents>"
    "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
    "</ListBucketResult>\n";

static void
test_list_parse(void)
{
	struct uktv_s3_objects o;
	struct uktv_error err;
	char *token;
	int trunc;

	uktv_s3_objects_init(&o);
	uktv_error_clear(&err);
	CHECK_INT(uktv_s3_list_parse(page1, strlen(page1), &o, &trunc, &token,
	    &err), 0);
	CHECK_INT(o.n, 2);
	if (o.n == 2) {
		CHECK_STR(o.v[0].key, "web/caf\xc3\xa9 & co.html");
		CHECK_STR(o.v[0].etag, "D41D8CD98F00B204E9800998ECF8427E");
		CHECK_INT(o.v[0].size, 0);
		CHECK_STR(o.v[1].key, "web/<raw> & ok");
		CHECK_STR(o.v[1].etag, "abc-2");
		CHECK_INT(o.v[1].size, 1234567890123LL);
	}
	CHECK_INT(trunc, 1);
	CHECK_STR(token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	free(token);
	uktv_s3_objects_free(&o);
}

static void
test_list_parse_last_page_and_url_encoding(void)
{
	const char *xml =
	    "<ListBucketResult><IsTruncated>false</IsTruncated>"
	    "<Contents><Key>a+b%2Fc%C3%A9</Key><ETag/><Size>3</Size></Contents>"
	    "<EncodingType>url</EncodingType></ListBucketResult>";
	const char *empty = "<ListBucketResult><KeyCount>0</KeyCount>"
	    "<IsTruncated>false</IsTruncated></ListBucketResult>";
	struct uktv_s3_objects o;
	struct uktv_error err;
	char *token;
	int trunc;

	uktv_s3_objects_init(&o);
	CHECK_INT(uktv_s3_list_parse(xml, strlen(xml), &o, &trunc, &token, &err), 0);
	CHECK_INT(o.n, 1);
	if (o.n == 1) {
		CHECK_STR(o.v[0].key, "a b/c\xc3\xa9");
		CHECK_STR(o.v[0].etag, "");
	}
	CHECK_INT(trunc, 0);
	CHECK(token == NULL);
	uktv_s3_objects_free(&o);
	CHECK_INT(uktv_s3_list_parse(empty, strlen(empty), &o, &trunc, &token, &err), 0);
	CHECK_INT(o.n, 0);
	CHECK(token == NULL && trunc == 0);
	uktv_s3_objects_free(&o);
}

static void
test_list_parse_refuses(void)
{
	static const char *const bad[] = {
		"",
		"<Error><Code>x</Code></Error>",
		"<ListBucketResult><Contents><Key>a</Key>",
		"<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Size>-1</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a</Key><Size>1x</Size></Contents></ListBucketResult>",
		"<ListBucketResult><Contents><Key>a &bogus;</Key></Contents></ListBucketResult>",
		"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
		"<!DOCTYPE x [<!ENTITY e \"y\">]><ListBucketResult></ListBucketResult>",
		"<ListBucketResult></ListBucketResult><ListBucketResult></ListBucketResult>",
		"junk<ListBucketResult></ListBucketResult>",
		"<ListBucketResult><Contents><Key attr=\"x>a</Key></Contents></ListBucketResult>",
		"<ListBucketResult></Other>",
	};
	struct uktv_s3_objects o;
	struct uktv_error err;
	char *token;
	int trunc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uktv_s3_objects_init(&o);
		uktv_error_clear(&err);
		if (uktv_s3_list_parse(bad[i], strlen(bad[i]), &o, &trunc, &token,
		    &err) != -1) {
			printf("# accepted: %s\n", bad[i]);
			CHECK(0);
			free(token);
		} else
			CHECK(err.kind == UKTV_ERR_SERVICE && err.message[0] != '\0');
		uktv_s3_objects_free(&o);
	}
}

static void
test_md5_etag_types(void)
{
	char hex[33];

	uktv_s3_md5_hex("", 0, hex);
	CHECK_STR(hex, "d41d8cd98f00b204e9800998ecf8427e");
	uktv_s3_md5_hex("<p>hi</p>\n", 10, hex);
	CHECK_INT(strlen(hex), 32);
	CHECK(uktv_s3_etag_is("\"d41d8cd98f00b204e9800998ecf8427e\"",
	    "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK(uktv_s3_etag_is("D41D8CD98F00B204E9800998ECF8427E",
	    "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK(!uktv_s3_etag_is("\"d41d8cd98f00b204e9800998ecf8427e-2\"",
	    "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK(!uktv_s3_etag_is("", "d41d8cd98f00b204e9800998ecf8427e"));
	CHECK_STR(uktv_s3_content_type("index.html"), "text/html; charset=utf-8");
	CHECK_STR(uktv_s3_content_type("a/style.CSS"), "text/css; charset=utf-8");
	CHECK_STR(uktv_s3_content_type("p.png"), "image/png");
	CHECK_STR(uktv_s3_content_type("dir.d/README"), "application/octet-stream");
	CHECK_STR(uktv_s3_cache_control("titles/1.html"), "public, max-age=300");
	CHECK_STR(uktv_s3_cache_control("style.css"), "public, max-age=86400");
}

/* A client made from the environment only (no files, no flags). */
static struct uktv_aws *
client(void)
{
	struct uktv_aws_opts o;
	struct uktv_error err;

	memset(&o, 0, sizeof(o));
	return uktv_aws_new(&o, &err);
}

static void
test_addressing_style(void)
{
	struct uktv_aws *aws;
	struct uktv_s3 *s3;
	struct uktv_error err;

	setenv("AWS_CONFIG_FILE", "/dev/null", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_S3");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv(UKTV_S3_MAX_KEYS_ENV);
	setenv("AWS_REGION", "eu-west-2", 1);

	/* No endpoint: virtual-hosted, except for a name with dots. */
	aws = client();
	CHECK(aws != NULL);
	s3 = uktv_s3_new(aws, "guide-site", &err);
	CHECK(s3 != NULL && uktv_s3_path_style(s3) == 0);
	uktv_s3_free(s3);
	uktv_aws_free(aws);
	aws = client();
	s3 = uktv_s3_new(aws, "guide.example.com", &err);
	CHECK(s3 != NULL && uktv_s3_path_style(s3) == 1);
	uktv_s3_free(s3);
	uktv_aws_free(aws);

	/* An endpoint (moto): path-style. */
	setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1", 1);
	aws = client();
	s3 = uktv_s3_new(aws, "guide-site", &err);
	CHECK(s3 != NULL && uktv_s3_path_style(s3) == 1);
	CHECK_STR(s3 ? uktv_s3_bucket(s3) : NULL, "guide-site");
	uktv_s3_free(s3);
	uktv_aws_free(aws);
	unsetenv("AWS_ENDPOINT_URL_S3");

	/* A bad bucket, a bad page size, no region. */
	aws = client();
	uktv_error_clear(&err);
	CHECK(uktv_s3_new(aws, "Bad_Bucket", &err) == NULL && err.kind == UKTV_ERR_USAGE);
	setenv(UKTV_S3_MAX_KEYS_ENV, "1001", 1);
	uktv_error_clear(&err);
	CHECK(uktv_s3_new(aws, "guide-site", &err) == NULL && err.kind == UKTV_ERR_CONFIG);
	unsetenv(UKTV_S3_MAX_KEYS_ENV);
	uktv_aws_free(aws);
	unsetenv("AWS_REGION");
	aws = client();
	uktv_error_clear(&err);
	CHECK(uktv_s3_new(aws, "guide-site", &err) == NULL && err.kind == UKTV_ERR_CONFIG);
	uktv_aws_free(aws);
}

int
main(void)
{
	RUN(test_bucket_names);
	RUN(test_url_parse);
	RUN(test_keys);
	RUN(test_xml_unescape);
	RUN(test_list_parse);
	RUN(test_list_parse_last_page_and_url_encoding);
	RUN(test_list_parse_refuses);
	RUN(test_md5_etag_types);
	RUN(test_addressing_style);
	return UNIT_DONE();
}
