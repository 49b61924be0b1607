/* test_html.c: escaping of outside text, repair of bad UTF-8 and control
 * characters, which URLs may become links, and the site's own paths. */
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "unit.h"

#define FFFD	"\xef\xbf\xbd"

/* The text of one call of fn on s, as a new string. */
static char *
run_text(const char *s, size_t n)
{
	struct uktv_html h;

	uktv_html_init(&h);
	uktv_html_textn(&h, s, n);
	return uktv_html_take(&h, NULL);
}

static void
check_text(const char *in, size_t n, const char *want)
{
	char *got = run_text(in, n);

	CHECK_STR(got, want);
	free(got);
}

static void
test_escapes_markup(void)
{
	const char *s = "<script>alert('x')</script> & \"q\"";

	check_text(s, strlen(s),
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
	check_text("plain text", 10, "plain text");
	check_text("", 0, "");
	check_text("&amp;", 5, "&amp;amp;");
}

static void
test_repairs_utf8(void)
{
	check_text("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", 14,
	    "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
	check_text("a\xff" "b", 3, "a" FFFD "b");
	/* Overlong '/', a lone continuation byte, a surrogate, past U+10FFFF,
	 * a sequence cut short. */
	check_text("\xc0\xaf", 2, FFFD FFFD);
	check_text("\x80", 1, FFFD);
	check_text("\xed\xa0\x80", 3, FFFD FFFD FFFD);
	check_text("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD);
	check_text("x\xe2\x82", 3, "x" FFFD FFFD);
	/* A NUL inside the given length is a control character. */
	check_text("a\0b", 3, "a" FFFD "b");
}

static void
test_repairs_controls(void)
{
	check_text("tab\there\nline", 13, "tab\there\nline");
	check_text("cr\r\n", 4, "cr\n\n");
	check_text("\x01\x1b[31m", 6, FFFD FFFD "[31m");
	check_text("del\x7f", 4, "del" FFFD);
	check_text("c1\xc2\x85", 4, "c1" FFFD);
	check_text("\xef\xb7\x90", 3, FFFD);		/* U+FDD0 */
	check_text("\xef\xbf\xbe", 3, FFFD);		/* U+FFFE */
	check_text("\xf0\x9f\xbf\xbf", 4, FFFD);	/* U+1FFFF */
	check_text("\xc2\xa0nbsp", 6, "\xc2\xa0nbsp");
}

static void
test_utf8_next(void)
{
	unsigned long cp = 0;

	CHECK_INT(uktv_html_utf8_next("A", 1, &cp), 1);
	CHECK_INT(cp, 'A');
	CHECK_INT(uktv_html_utf8_next("\xc3\xa9", 2, &cp), 2);
	CHECK_INT(cp, 0xe9);
	CHECK_INT(uktv_html_utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
	CHECK_INT(cp, 0x1f600);
	CHECK_INT(uktv_html_utf8_next("\xf0\x9f\x98\x80", 3, &cp), 0);
	CHECK_INT(uktv_html_utf8_next("\xe0\x80\x80", 3, &cp), 0);
	CHECK_INT(uktv_html_utf8_next("", 0, &cp), 0);
}

static void
test_urls(void)
{
	struct uktv_html h;
	char *s;

	CHECK(uktv_html_url_ok("https://www.netflix.com/title/1"));
	CHECK(uktv_html_url_ok("HTTP://example.com"));
	CHECK(!uktv_html_url_ok("javascript:alert(1)"));
	CHECK(!uktv_html_url_ok(" https://x.y/"));
	CHECK(!uktv_html_url_ok("data:text/html,hi"));
	CHECK(!uktv_html_url_ok("https://"));
	CHECK(!uktv_html_url_ok("https:///path"));
	CHECK(!uktv_html_url_ok("//example.com/x"));
	CHECK(!uktv_html_url_ok("https://x.y/a b"));
	CHECK(!uktv_html_url_ok("https://x.y/a\tb"));
	CHECK(!uktv_html_url_ok("/titles/1.html"));

	uktv_html_init(&h);
	uktv_html_url(&h, "https://x.y/a?b=1&c=\"<'>\xc3\xa9|{}");
	s = uktv_html_take(&h, NULL);
	CHECK_STR(s, "https://x.y/a?b=1&amp;c=%22%3C%27%3E%C3%A9%7C%7B%7D");
	free(s);
}

static void
test_paths_and_raw(void)
{
	struct uktv_html h;
	size_t len = 0;
	char *s;

	uktv_html_init(&h);
	uktv_html_raw(&h, "<a href=\"");
	uktv_html_path(&h, "../users/bob@example.com+x.html");
	uktv_html_rawf(&h, "\">%d</a>", 42);
	s = uktv_html_take(&h, &len);
	CHECK_STR(s, "<a href=\"../users/bob%40example.com%2Bx.html\">42</a>");
	CHECK_INT(len, strlen(s ? s : ""));
	free(s);
	/* take leaves an empty text behind; an empty take is "". */
	CHECK(h.s == NULL && h.len == 0);
	s = uktv_html_take(&h, &len);
	CHECK_STR(s, "");
	CHECK_INT(len, 0);
	free(s);
	uktv_html_text(&h, NULL);
	uktv_html_free(&h);
}

static void
test_grows(void)
{
	struct uktv_html h;
	size_t len, i;
	char *s;

	uktv_html_init(&h);
	for (i = 0; i < 10000; i++)
		uktv_html_text(&h, "<&>");
	s = uktv_html_take(&h, &len);
	CHECK(s != NULL);
	CHECK_INT(len, 10000 * strlen("&lt;&amp;&gt;"));
	CHECK(s != NULL && strncmp(s + len - 13, "&lt;&amp;&gt;", 13) == 0);
	free(s);
}

/* JSON for a script element: nothing in a value can end the element or
 * open a comment, and the text is still the same JSON. */
static void
test_json_block(void)
{
	struct uktv_html h;
	char *got;

	uktv_html_init(&h);
	uktv_html_json(&h, "{\"t\":\"</script><!-- a&b -->\",\"n\":1}");
	got = uktv_html_take(&h, NULL);
	CHECK_STR(got, "{\"t\":\"\\u003c/script\\u003e\\u003c!-- "
	    "a\\u0026b --\\u003e\",\"n\":1}");
	free(got);
	uktv_html_init(&h);
	uktv_html_json(&h, "[]");
	got = uktv_html_take(&h, NULL);
	CHECK_STR(got, "[]");
	free(got);
}

int
main(void)
{
	RUN(test_escapes_markup);
	RUN(test_repairs_utf8);
	RUN(test_repairs_controls);
	RUN(test_utf8_next);
	RUN(test_urls);
	RUN(test_paths_and_raw);
	RUN(test_grows);
	RUN(test_json_block);
	return UNIT_DONE();
}
