/*
 * test_xml.c: lib/util/xml, the one XML reader the AWS answers go through:
 * entities and numeric references (strict and lenient), the tokenizer
 * (nesting, attributes, empty elements, comments, CDATA, DOCTYPE refused),
 * element lookup by name (a name that is a prefix of another is not it) and
 * malformed input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"
#include "unit.h"

static void
test_unescape(void)
{
	static const char *const bad[] = {
		"&bogus;", "&#0;", "&#xD800;", "&#x110000;", "&#;", "&#x;",
		"&amp", "a & b", "&#12a;", "&#xG;"
	};
	char *s;

	s = uktv_xml_unescape("a&amp;b&lt;c&gt;d&quot;e&apos;f", 31);
	CHECK_STR(s, "a&b<c>d\"e'f");
	free(s);
	/* Numeric references, decimal and hex, as UTF-8. */
	s = uktv_xml_unescape("&#65;&#x42;&#233;&#x20AC;&#x1F600;", 34);
	CHECK_STR(s, "AB\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	free(s);
	/* Only n bytes are read. */
	s = uktv_xml_unescape("plain&amp;", 5);
	CHECK_STR(s, "plain");
	free(s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		s = uktv_xml_unescape(bad[i], strlen(bad[i]));
		CHECK(s == NULL);
		CHECK_INT(errno, EINVAL);
		free(s);
	}
}

static void
test_decode_length(void)
{
	char out[32];
	size_t len = 99;

	CHECK_INT(uktv_xml_decode("x&#x26;y", 8, out, &len), 0);
	CHECK_STR(out, "x&y");
	CHECK_INT((long)len, 3);
	CHECK_INT(uktv_xml_decode("", 0, out, &len), 0);
	CHECK_INT((long)len, 0);
	CHECK_INT(uktv_xml_decode("&nope;", 6, out, &len), -1);
}

static void
test_text(void)
{
	char *s;

	/* Lenient: what does not decode is kept. */
	s = uktv_xml_text("<a><b>&lt;&bogus;&#0; & &#38;</b></a>", "b");
	CHECK_STR(s, "<&bogus;&#0; & &");
	free(s);
	/* A tag that is a prefix of another is not it, either way round. */
	s = uktv_xml_text("<r><Code2>no</Code2><Cod>no</Cod><Code x='1'>yes"
	    "</Code></r>", "Code");
	CHECK_STR(s, "yes");
	free(s);
	s = uktv_xml_text("<r><Code/><Code>later</Code></r>", "Code");
	CHECK_STR(s, "");
	free(s);
	/* Nested: the raw content of the first element, then inside it. */
	s = uktv_xml_text("<r><C><K>1</K></C></r>", "C");
	CHECK_STR(s, "<K>1</K>");
	free(s);
	CHECK(uktv_xml_text("<r><b>unclosed</r>", "b") == NULL);
	CHECK(uktv_xml_text("<r><b", "b") == NULL);
	CHECK(uktv_xml_text("", "b") == NULL);
	CHECK(uktv_xml_text(NULL, "b") == NULL);
}

static void
test_find(void)
{
	const char *in;
	size_t len;

	CHECK_INT(uktv_xml_find("<x><Credentials a=\"1\"><K>v</K></Credentials>"
	    "</x>", "Credentials", &in, &len), 0);
	CHECK_INT((long)len, 8);
	CHECK(strncmp(in, "<K>v</K>", 8) == 0);
	CHECK_INT(uktv_xml_find("<x><Credentialsx/></x>", "Credentials", &in,
	    &len), -1);
}

/* The tokens of doc as one letter each: o c e t d (CDATA) and ! (bad). */
static void
tokens(const char *doc, char *out, size_t outlen)
{
	struct uktv_xml x;
	enum uktv_xml_tok t;
	size_t n = 0;

	uktv_xml_init(&x, doc, strlen(doc));
	while (n + 1 < outlen && (t = uktv_xml_next(&x)) != UKTV_XML_EOF) {
		out[n++] = "_ocetd!"[t];
		if (t == UKTV_XML_BAD)
			break;
	}
	out[n] = '\0';
}

static void
test_tokens(void)
{
	struct uktv_xml x;
	char got[64];
	const char *doc = "<?xml version=\"1.0\"?><!-- c --><a x=\"1>2\">"
	    "<b/>t<![CDATA[<raw&>]]></a>";

	tokens(doc, got, sizeof(got));
	CHECK_STR(got, "oetdc");
	uktv_xml_init(&x, doc, strlen(doc));
	CHECK_INT(uktv_xml_next(&x), UKTV_XML_OPEN);
	CHECK(uktv_xml_name_is(&x, "a"));
	CHECK(!uktv_xml_name_is(&x, "ab"));
	CHECK_INT(uktv_xml_next(&x), UKTV_XML_EMPTY);
	CHECK(uktv_xml_name_is(&x, "b"));
	CHECK_INT(uktv_xml_next(&x), UKTV_XML_TEXT);
	CHECK_INT(uktv_xml_next(&x), UKTV_XML_CDATA);
	CHECK_INT((long)x.tlen, 6);
	CHECK(memcmp(x.text, "<raw&>", 6) == 0);
	/* Nesting as it comes: the reader checks the order, not the tokenizer. */
	tokens("<a><b><c></c></b></a>", got, sizeof(got));
	CHECK_STR(got, "ooocc" "c");
	/* Malformed. */
	tokens("<!DOCTYPE a><a/>", got, sizeof(got));
	CHECK_STR(got, "!");
	tokens("<a", got, sizeof(got));
	CHECK_STR(got, "!");
	tokens("<a x=\"1></a>", got, sizeof(got));
	CHECK_STR(got, "!");
	tokens("<></>", got, sizeof(got));
	CHECK_STR(got, "!");
	tokens("<a><!-- never closed", got, sizeof(got));
	CHECK_STR(got, "o!");
	tokens("<a><![CDATA[open", got, sizeof(got));
	CHECK_STR(got, "o!");
	tokens("<a></ a>", got, sizeof(got));
	CHECK_STR(got, "o!");
	/* A comment at the very end is not a token. */
	tokens("<a/><!-- end -->", got, sizeof(got));
	CHECK_STR(got, "e");
}

int
main(void)
{
	RUN(test_unescape);
	RUN(test_decode_length);
	RUN(test_text);
	RUN(test_find);
	RUN(test_tokens);
	return UNIT_DONE();
}
