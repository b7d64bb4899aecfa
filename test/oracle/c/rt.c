#include "rt.h"

enum { SYS_WRITE = 64, SYS_EXIT_GROUP = 94 };

static long syscall3(long nr, long a, long b, long c)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

long rt_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		long n = syscall3(SYS_WRITE, fd, (long)(p + done), (long)(len - done));
		if (n <= 0)
			return n;
		done += (size_t)n;
	}
	return (long)done;
}

static char out_buf[4096];
static size_t out_len;

void out_flush(void)
{
	rt_write(1, out_buf, out_len);
	out_len = 0;
}

void out_char(char c)
{
	if (out_len == sizeof out_buf)
		out_flush();
	out_buf[out_len++] = c;
}

void out_str(const char *s)
{
	while (*s)
		out_char(*s++);
}

void rt_exit(int status)
{
	out_flush();
	for (;;)
		syscall3(SYS_EXIT_GROUP, status, 0, 0);
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;
	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p < *q ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

uint64_t rt_rand(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* --- formatting --- */

struct sink {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct sink *s, char c)
{
	if (s->len + 1 < s->size)
		s->buf[s->len] = c;
	s->len++;
}

struct spec {
	int left, zero, plus, space;
	int width, prec;
	int length; /* 0 int, 1 long, 2 long long, -1 short, -2 char, 3 size_t */
};

static void pad(struct sink *s, int n, char c)
{
	while (n-- > 0)
		put(s, c);
}

/* Formats an unsigned magnitude with an optional sign/prefix, honouring width/precision. */
static void emit_number(struct sink *s, const struct spec *sp, uint64_t v, unsigned base,
			int upper, const char *prefix)
{
	char digits[24];
	int n = 0;
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		digits[n++] = set[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && n == 1 && digits[0] == '0')
		n = 0;
	int zeros = sp->prec > n ? sp->prec - n : 0;
	int plen = (int)strlen(prefix);
	int total = plen + zeros + n;
	if (!sp->left && !(sp->zero && sp->prec < 0))
		pad(s, sp->width - total, ' ');
	for (const char *p = prefix; *p; p++)
		put(s, *p);
	if (!sp->left && sp->zero && sp->prec < 0)
		pad(s, sp->width - total, '0');
	pad(s, zeros, '0');
	while (n)
		put(s, digits[--n]);
	if (sp->left)
		pad(s, sp->width - total, ' ');
}

static int64_t signed_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2: return (signed char)va_arg(*ap, int);
	case -1: return (short)va_arg(*ap, int);
	case 0: return va_arg(*ap, int);
	case 1: return va_arg(*ap, long);
	case 3: return (int64_t)va_arg(*ap, size_t);
	default: return va_arg(*ap, long long);
	}
}

static uint64_t unsigned_arg(const struct spec *sp, va_list *ap)
{
	switch (sp->length) {
	case -2: return (unsigned char)va_arg(*ap, unsigned);
	case -1: return (unsigned short)va_arg(*ap, unsigned);
	case 0: return va_arg(*ap, unsigned);
	case 1: return va_arg(*ap, unsigned long);
	case 3: return va_arg(*ap, size_t);
	default: return va_arg(*ap, unsigned long long);
	}
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-') sp->left = 1;
		else if (*f == '0') sp->zero = 1;
		else if (*f == '+') sp->plus = 1;
		else if (*f == ' ') sp->space = 1;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) { sp->left = 1; sp->width = -sp->width; }
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') { sp->prec = va_arg(*ap, int); f++; }
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	for (;; f++) {
		if (*f == 'l') sp->length = sp->length == 1 ? 2 : 1;
		else if (*f == 'h') sp->length = sp->length == -1 ? -2 : -1;
		else if (*f == 'z') sp->length = 3;
		else break;
	}
	return f;
}

static void emit_string(struct sink *s, const struct spec *sp, const char *str)
{
	if (!str)
		str = "(null)";
	int n = 0;
	while (str[n] && (sp->prec < 0 || n < sp->prec))
		n++;
	if (!sp->left)
		pad(s, sp->width - n, ' ');
	for (int i = 0; i < n; i++)
		put(s, str[i]);
	if (sp->left)
		pad(s, sp->width - n, ' ');
}

static void emit_conversion(struct sink *s, char conv, const struct spec *sp, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = signed_arg(sp, ap);
		uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
		emit_number(s, sp, mag, 10, 0, v < 0 ? "-" : sp->plus ? "+" : sp->space ? " " : "");
		break;
	}
	case 'u': emit_number(s, sp, unsigned_arg(sp, ap), 10, 0, ""); break;
	case 'x': emit_number(s, sp, unsigned_arg(sp, ap), 16, 0, ""); break;
	case 'X': emit_number(s, sp, unsigned_arg(sp, ap), 16, 1, ""); break;
	case 'o': emit_number(s, sp, unsigned_arg(sp, ap), 8, 0, ""); break;
	case 'p': emit_number(s, sp, (uint64_t)va_arg(*ap, void *), 16, 0, "0x"); break;
	case 'c': {
		char c[2] = { (char)va_arg(*ap, int), 0 };
		emit_string(s, sp, c);
		break;
	}
	case 's': emit_string(s, sp, va_arg(*ap, const char *)); break;
	case '%': put(s, '%'); break;
	default: put(s, '?'); break;
	}
}

int rt_vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { buf, size, 0 };
	va_list args;
	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&s, *f);
			continue;
		}
		struct spec sp;
		f = parse_spec(f + 1, &sp, &args);
		if (!*f)
			break;
		emit_conversion(&s, *f, &sp, &args);
	}
	va_end(args);
	if (size)
		buf[s.len < size ? s.len : size - 1] = 0;
	return (int)s.len;
}

int rt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int rt_printf(const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vformat(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	for (int i = 0; i < n && i < (int)sizeof tmp - 1; i++)
		out_char(tmp[i]);
	return n;
}

void rt_eprintf(const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = rt_vformat(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	out_flush();
	rt_write(2, tmp, (size_t)(n < (int)sizeof tmp ? n : (int)sizeof tmp - 1));
}
