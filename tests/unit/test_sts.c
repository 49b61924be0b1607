/*
 * test_sts.c: lib/sts without a network: the Query form body, the XML
 * scanner, the credentials and error answers as STS and moto send them, and
 * RoleSessionName checking.  The calls themselves run against moto's STS in
 * tests/credentials.bats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private/sts.h"
#include "time.h"
#include "xml.h"
#include "unit.h"

/* Recorded from moto 5.2.1, the shape of AWS's AssumeRole answer. */
static const char assume_ok[] =
    "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    "<AssumeRoleResult><Credentials><AccessKeyId>ASIARZPUZDIKAHYDOFBM"
    "</AccessKeyId><SecretAccessKey>zucXa5DG5kfLlDHq358Ehn7b2XcL2qz9latyDPVT"
    "</SecretAccessKey><SessionToken>FQoGZXIvYXdzEBYaDzKQ6hIt+/J3g1n60sz5=="
    "</SessionToken><Expiration>2026-11-25T08:46:38.314000Z</Expiration>"
    "</Credentials><AssumedRoleUser><AssumedRoleId>AROA3X42LBCDLD8L7I6BV:s"
    "</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
    "</AssumedRoleUser><PackedPolicySize>6</PackedPolicySize>"
    "</AssumeRoleResult><ResponseMetadata><RequestId>iqavJDYi</RequestId>"
    "</ResponseMetadata></AssumeRoleResponse>";

static void
test_parse_credentials(void)
{
	struct uktv_error err;
	struct uktv_creds cr;
	time_t want;

	uktv_error_clear(&err);
	CHECK_INT(uktv_sts_parse_credentials(assume_ok, "assume-role", &cr,
	    &err), 0);
	CHECK_STR(cr.access_key_id, "ASIARZPUZDIKAHYDOFBM");
	CHECK_STR(cr.secret_access_key,
	    "zucXa5DG5kfLlDHq358Ehn7b2XcL2qz9latyDPVT");
	CHECK_STR(cr.session_token, "FQoGZXIvYXdzEBYaDzKQ6hIt+/J3g1n60sz5==");
	CHECK_STR(cr.source, "assume-role");
	CHECK_INT(uktv_time_parse_epoch("2026-11-25T08:46:38Z", &want), 0);
	CHECK_INT(cr.expiration, want);
	uktv_creds_wipe(&cr);
	CHECK(cr.access_key_id == NULL && cr.secret_access_key == NULL);

	/* AWS's own layout: whitespace and an attribute on the element. */
	CHECK_INT(uktv_sts_parse_credentials(
	    "<AssumeRoleWithWebIdentityResponse>\n"
	    "  <AssumeRoleWithWebIdentityResult>\n"
	    "    <SubjectFromWebIdentityToken>amzn1.account</SubjectFromWebIdentityToken>\n"
	    "    <Credentials a=\"b\">\n"
	    "      <SessionToken>tok&amp;en</SessionToken>\n"
	    "      <SecretAccessKey>sk</SecretAccessKey>\n"
	    "      <Expiration>2014-10-24T23:00:23Z</Expiration>\n"
	    "      <AccessKeyId>ASIAWEB</AccessKeyId>\n"
	    "    </Credentials>\n"
	    "  </AssumeRoleWithWebIdentityResult>\n"
	    "</AssumeRoleWithWebIdentityResponse>\n", "web-identity", &cr,
	    &err), 0);
	CHECK_STR(cr.access_key_id, "ASIAWEB");
	CHECK_STR(cr.session_token, "tok&en");
	CHECK_STR(cr.source, "web-identity");
	CHECK_INT(cr.expiration, 1414191623);
	uktv_creds_wipe(&cr);
}

static void
test_parse_credentials_incomplete(void)
{
	struct uktv_error err;
	struct uktv_creds cr;

	uktv_error_clear(&err);
	CHECK_INT(uktv_sts_parse_credentials("<AssumeRoleResponse/>", "x", &cr,
	    &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_SERVICE);
	CHECK(strstr(err.message, "<Credentials>") != NULL);

	/* A field missing is named; the secrets that were there are not. */
	uktv_error_clear(&err);
	CHECK_INT(uktv_sts_parse_credentials("<Credentials><AccessKeyId>"
	    "ASIALEAK</AccessKeyId><SecretAccessKey>SECRETLEAK</SecretAccessKey>"
	    "<Expiration>2014-10-24T23:00:23Z</Expiration></Credentials>", "x",
	    &cr, &err), -1);
	CHECK(strstr(err.message, "SessionToken") != NULL);
	CHECK(strstr(err.message, "LEAK") == NULL);
	CHECK(cr.access_key_id == NULL);

	uktv_error_clear(&err);
	CHECK_INT(uktv_sts_parse_credentials("<Credentials><AccessKeyId>A"
	    "</AccessKeyId><SecretAccessKey>S</SecretAccessKey><SessionToken>T"
	    "</SessionToken><Expiration>soon</Expiration></Credentials>", "x",
	    &cr, &err), -1);
	CHECK(strstr(err.message, "Expiration") != NULL);

	/* An element left open is not read past the end of the answer. */
	uktv_error_clear(&err);
	CHECK_INT(uktv_sts_parse_credentials("<Credentials><AccessKeyId>A",
	    "x", &cr, &err), -1);
}

static void
test_parse_error(void)
{
	struct uktv_error err;

	uktv_sts_parse_error(403, "<ErrorResponse xmlns=\"https://sts."
	    "amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>"
	    "AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/u "
	    "is not authorized to perform: sts:AssumeRole</Message></Error>"
	    "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>"
	    "</ErrorResponse>", &err);
	CHECK_INT(err.kind, UKTV_ERR_NOPERM);
	CHECK_STR(err.code, "AccessDenied");
	CHECK_INT(err.http_status, 403);
	CHECK_INT(err.retryable, 0);
	CHECK_STR(err.request_id, "c6104cbe-af31-11e0-8154-cbc7ccf896c7");
	CHECK_STR(err.message, "AccessDenied: User: arn:aws:iam::123456789012:"
	    "user/u is not authorized to perform: sts:AssumeRole (HTTP 403)");

	/* moto's auth failure: <ErrorResponse><Errors><Error>, text/html. */
	uktv_sts_parse_error(403, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"
	    "<Message>The request signature we calculated does not match"
	    "</Message></Error></Errors></ErrorResponse>", &err);
	CHECK_INT(err.kind, UKTV_ERR_NOPERM);
	CHECK_STR(err.code, "SignatureDoesNotMatch");

	uktv_sts_parse_error(400, "<ErrorResponse><Error><Code>Throttling"
	    "</Code><Message>Rate exceeded</Message></Error></ErrorResponse>",
	    &err);
	CHECK_INT(err.kind, UKTV_ERR_UNAVAILABLE);
	CHECK_INT(err.retryable, 1);

	uktv_sts_parse_error(400, "<ErrorResponse><Error><Code>"
	    "IDPCommunicationError</Code></Error></ErrorResponse>", &err);
	CHECK_INT(err.kind, UKTV_ERR_UNAVAILABLE);
	CHECK_INT(err.retryable, 1);
	CHECK_STR(err.message, "IDPCommunicationError (HTTP 400)");

	uktv_sts_parse_error(400, "<ErrorResponse><Error><Code>"
	    "InvalidIdentityToken</Code><Message>No OpenIDConnect provider"
	    "</Message></Error></ErrorResponse>", &err);
	CHECK_INT(err.kind, UKTV_ERR_NOPERM);

	uktv_sts_parse_error(400, "<ErrorResponse><Error><Code>ValidationError"
	    "</Code><Message>1 validation error detected: Value &apos;x&apos; "
	    "at &apos;roleArn&apos;</Message></Error></ErrorResponse>", &err);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "Value 'x' at 'roleArn'") != NULL);

	uktv_sts_parse_error(503, "", &err);
	CHECK_INT(err.kind, UKTV_ERR_UNAVAILABLE);
	CHECK_INT(err.retryable, 1);
	CHECK_STR(err.code, "HTTP503");

	uktv_sts_parse_error(403, NULL, &err);
	CHECK_INT(err.kind, UKTV_ERR_NOPERM);

	uktv_sts_parse_error(400, "<ErrorResponse><Error><Code>"
	    "PolicyNotAttachable</Code><Message>a\nb</Message></Error>"
	    "</ErrorResponse>", &err);
	CHECK_INT(err.kind, UKTV_ERR_SERVICE);
	CHECK(strchr(err.message, '\n') == NULL);
}

static void
test_xml_text(void)
{
	char *s;

	s = uktv_xml_text("<a><b>x &amp; y &lt;z&gt; &quot;q&quot; "
	    "&#38;&#x26;&bogus;</b></a>", "b");
	CHECK_STR(s, "x & y <z> \"q\" &&&bogus;");
	free(s);
	s = uktv_xml_text("<a><b/></a>", "b");
	CHECK_STR(s, "");
	free(s);
	s = uktv_xml_text("<a><bb>no</bb><b attr=\"1\">yes</b></a>", "b");
	CHECK_STR(s, "yes");
	free(s);
	CHECK(uktv_xml_text("<a><c>x</c></a>", "b") == NULL);
	CHECK(uktv_xml_text("<a><b>open", "b") == NULL);
	CHECK(uktv_xml_text(NULL, "b") == NULL);
}

static void
test_form_body(void)
{
	struct uktv_sts_request r = { 0 };
	char *b;

	r.role_arn = "arn:aws:iam::123456789012:role/path/uktv role";
	r.role_session_name = "uktv@session";
	r.external_id = "ext&id=1";
	r.web_identity_token = "eyJ.tok+/=";
	b = uktv_sts_form_body(&r, "AssumeRole");
	CHECK_STR(b, "Action=AssumeRole&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2Fuktv%20role"
	    "&RoleSessionName=uktv%40session&ExternalId=ext%26id%3D1");
	free(b);
	r.duration_seconds = 900;
	b = uktv_sts_form_body(&r, "AssumeRoleWithWebIdentity");
	CHECK_STR(b, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
	    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fpath%2Fuktv%20role"
	    "&RoleSessionName=uktv%40session&DurationSeconds=900"
	    "&WebIdentityToken=eyJ.tok%2B%2F%3D");
	free(b);
}

static void
test_session_name(void)
{
	CHECK(uktv_sts_session_name_valid("uktv-session-1751644971"));
	CHECK(uktv_sts_session_name_valid("a.b@c,d=e+f_g-h"));
	CHECK(!uktv_sts_session_name_valid("a"));
	CHECK(!uktv_sts_session_name_valid(""));
	CHECK(!uktv_sts_session_name_valid(NULL));
	CHECK(!uktv_sts_session_name_valid("has space"));
	CHECK(!uktv_sts_session_name_valid("slash/no"));
	CHECK(uktv_sts_session_name_valid(
	    "0123456789012345678901234567890123456789012345678901234567890123"));
	CHECK(!uktv_sts_session_name_valid(
	    "01234567890123456789012345678901234567890123456789012345678901234"));
}

static void
test_bad_requests(void)
{
	struct uktv_sts_request r = { 0 };
	struct uktv_creds src = { 0 }, out;
	struct uktv_error err;
	struct uktv_http *http;

	uktv_error_clear(&err);
	http = uktv_http_new(NULL, &err);
	CHECK(http != NULL);
	r.endpoint = "not a url";
	r.role_arn = "arn:aws:iam::123456789012:role/r";
	r.role_session_name = "s1";
	src.access_key_id = "AKIA";
	src.secret_access_key = "s";
	CHECK_INT(uktv_sts_assume_role(http, &r, &src, &out, &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_CONFIG);
	CHECK(strstr(err.message, "not a URL") != NULL);
	CHECK_INT(uktv_sts_assume_role(http, &r, NULL, &out, &err), -1);
	CHECK_INT(err.kind, UKTV_ERR_INTERNAL);
	uktv_http_free(http);
}

int
main(void)
{
	RUN(test_parse_credentials);
	RUN(test_parse_credentials_incomplete);
	RUN(test_parse_error);
	RUN(test_xml_text);
	RUN(test_form_body);
	RUN(test_session_name);
	RUN(test_bad_requests);
	return UNIT_DONE();
}
