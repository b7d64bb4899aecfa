/* Strings: a recursive-descent expression evaluator, base64, word statistics, string routines. */
#include "rt.h"

static const char *p;

static int64_t expr(void);

static void skip(void) { while (*p == ' ') p++; }

static int64_t primary(void)
{
	skip();
	if (*p == '(') {
		p++;
		int64_t v = expr();
		skip();
		if (*p == ')') p++;
		return v;
	}
	if (*p == '-') { p++; return (int64_t)(0 - (uint64_t)primary()); }
	if (*p == '~') { p++; return ~primary(); }
	int64_t v = 0;
	while (*p >= '0' && *p <= '9')
		v = (int64_t)((uint64_t)v * 10 + (uint64_t)(*p++ - '0'));
	return v;
}

static int64_t term(void)
{
	int64_t v = primary();
	for (;;) {
		skip();
		char op = *p;
		if (op != '*' && op != '/' && op != '%')
			return v;
		p++;
		int64_t r = primary();
		if (op == '*') v = (int64_t)((uint64_t)v * (uint64_t)r);
		else if (r == 0 || (v == INT64_MIN && r == -1)) v = 0;
		else v = op == '/' ? v / r : v % r;
	}
}

static int64_t sum(void)
{
	int64_t v = term();
	for (;;) {
		skip();
		if (*p == '+') { p++; v = (int64_t)((uint64_t)v + (uint64_t)term()); }
		else if (*p == '-') { p++; v = (int64_t)((uint64_t)v - (uint64_t)term()); }
		else return v;
	}
}

static int64_t expr(void)
{
	int64_t v = sum();
	for (;;) {
		skip();
		if (p[0] == '<' && p[1] == '<') { p += 2; v = (int64_t)((uint64_t)v << (sum() & 63)); }
		else if (p[0] == '>' && p[1] == '>') { p += 2; v >>= (sum() & 63); }
		else if (*p == '&') { p++; v &= sum(); }
		else if (*p == '|') { p++; v |= sum(); }
		else if (*p == '^') { p++; v ^= sum(); }
		else return v;
	}
}

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
		out[o++] = B64[v >> 18];
		out[o++] = B64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? B64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? B64[v & 63] : '=';
	}
	out[o] = 0;
	return o;
}

static int b64_value(char c)
{
	for (int i = 0; i < 64; i++)
		if (B64[i] == c)
			return i;
	return -1;
}

static size_t b64_decode(const char *in, unsigned char *out)
{
	size_t o = 0;
	for (size_t i = 0; in[i] && in[i + 1] && in[i + 2] && in[i + 3]; i += 4) {
		uint32_t v = (uint32_t)b64_value(in[i]) << 18 | (uint32_t)b64_value(in[i + 1]) << 12;
		out[o++] = (unsigned char)(v >> 16);
		if (in[i + 2] == '=') break;
		v |= (uint32_t)b64_value(in[i + 2]) << 6;
		out[o++] = (unsigned char)(v >> 8);
		if (in[i + 3] == '=') break;
		v |= (uint32_t)b64_value(in[i + 3]);
		out[o++] = (unsigned char)v;
	}
	return o;
}

static void reverse(char *s)
{
	size_t n = strlen(s);
	for (size_t i = 0; i < n / 2; i++) {
		char t = s[i]; s[i] = s[n - 1 - i]; s[n - 1 - i] = t;
	}
}

static int is_palindrome(const char *s)
{
	size_t i = 0, j = strlen(s);
	while (i < j) {
		while (i < j && !(s[i] >= 'a' && s[i] <= 'z')) i++;
		while (i < j && !(s[j - 1] >= 'a' && s[j - 1] <= 'z')) j--;
		if (i < j && s[i] != s[j - 1]) return 0;
		i++; j--;
	}
	return 1;
}

int main(void)
{
	static const char *exprs[] = { "1 + 2 * 3", "(1 + 2) * 3", "100 / 7 % 4", "-5 / 2", "-5 % 3", "1 << 62 >> 3",
		"~0 & 0xff", "255 & 15 | 64", "9223372036854775807 + 1", "(2 + 3) * (4 - 6) * -(7 % 4)",
		"123456789 * 987654321", "5 ^ 3 ^ 1", "-9223372036854775807 - 1 / -1", "(((((42)))))" };
	int64_t acc = 0;
	for (size_t i = 0; i < sizeof exprs / sizeof *exprs; i++) {
		p = exprs[i];
		int64_t v = expr();
		rt_printf("%-34s = %lld\n", exprs[i], (long long)v);
		acc ^= v;
	}
	static const char *texts[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar", "Many hands make light work." };
	char enc[128];
	unsigned char dec[128];
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		size_t n = strlen(texts[i]);
		b64_encode((const unsigned char *)texts[i], n, enc);
		size_t m = b64_decode(enc, dec);
		rt_printf("base64(\"%s\") = \"%s\" round-trip %d\n", texts[i], enc, m == n && memcmp(dec, texts[i], n) == 0);
	}
	char text[] = "the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat";
	int words = 0, letters[26] = { 0 }, longest = 0, cur = 0;
	for (char *c = text; ; c++) {
		if (*c >= 'a' && *c <= 'z') { letters[*c - 'a']++; cur++; }
		else { if (cur) words++; if (cur > longest) longest = cur; cur = 0; }
		if (!*c) break;
	}
	rt_printf("%d words, longest %d letters\n", words, longest);
	for (int i = 0; i < 26; i++)
		if (letters[i])
			rt_printf("%c%d%s", 'a' + i, letters[i], i == 25 ? "\n" : " ");
	reverse(text);
	rt_printf("reversed: %s\n", text);
	static const char *pals[] = { "a man, a plan, a canal: panama", "hello", "was it a car or a cat i saw", "abca" };
	for (int i = 0; i < 4; i++)
		rt_printf("palindrome(\"%s\") = %d\n", pals[i], is_palindrome(pals[i]));
	return (int)((uint64_t)acc % 256);
}
