/* Number formatting: the runtime's printf subset with 32/64-bit signed and unsigned edge values. */
#include "rt.h"

/* Converts to any base 2..36, independent of the printf code. */
static const char *to_base(uint64_t v, unsigned base, char *buf)
{
	char *p = buf + 66;
	*p = 0;
	do {
		*--p = "0123456789abcdefghijklmnopqrstuvwxyz"[v % base];
		v /= base;
	} while (v);
	return p;
}

static long long parse_ll(const char *s)
{
	int neg = *s == '-';
	unsigned long long v = 0;
	if (neg || *s == '+')
		s++;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned)(*s++ - '0');
	return neg ? (long long)(0 - v) : (long long)v;
}

int main(void)
{
	static const long long svals[] = { 0, 1, -1, 42, -42, 127, -128, 32767, -32768, 2147483647, -2147483647 - 1,
		4294967295LL, 9223372036854775807LL, -9223372036854775807LL - 1, 1000000007, -999999999999LL };
	char buf[80], base_buf[67];
	unsigned checksum = 0;
	for (size_t i = 0; i < sizeof svals / sizeof *svals; i++) {
		long long v = svals[i];
		int n = rt_snprintf(buf, sizeof buf, "[%d|%ld|%lld|%+lld|% lld|%20lld|%-20lld|%020lld]", (int)v, (long)v, v, v, v, v, v, v);
		rt_printf("%s (%d)\n", buf, n);
		rt_printf("  u=%llu x=%llx X=%llX o=%llo hh=%hhd h=%hd hu=%hu\n", (unsigned long long)v, (unsigned long long)v,
			  (unsigned long long)v, (unsigned long long)v, (signed char)v, (short)v, (unsigned short)v);
		for (unsigned base = 2; base <= 36; base += 17)
			rt_printf("  base%-2u %s\n", base, to_base((unsigned long long)v, base, base_buf));
		long long back = parse_ll(buf + 1 + (buf[1] == '[' ? 1 : 0));
		checksum = checksum * 33 + (unsigned)n + (unsigned)(back & 0xff);
	}
	rt_printf("precision: [%.0d] [%.5d] [%8.3d] [%-8.3x] [%.10llu]\n", 0, -42, 7, 255u, 12345ULL);
	rt_printf("strings: [%s] [%10s] [%-10s] [%.3s] [%*s] [%-*s] [%c%c%c]\n", "abc", "right", "left", "truncate", 6, "star", 6, "star", 'x', 'y', 'z');
	rt_printf("pointer %p, size_t %zu, percent %%\n", (void *)0x1234abcdULL, (size_t)-1);
	for (int w = 0; w < 12; w++)
		rt_printf("|%*d|%-*x|\n", w, w * 1234567 - 5000000, w, (unsigned)(w * 0x9e3779b9u));
	uint64_t st = 2024;
	for (int i = 0; i < 40; i++) {
		uint64_t r = rt_rand(&st);
		int64_t s = (int64_t)r >> (i % 64);
		rt_printf("%3d %20llu %21lld %16llx %11d\n", i, (unsigned long long)(r >> (i % 40)), (long long)s, (unsigned long long)r, (int)(r & 0xffffffff));
		checksum += (unsigned)r;
	}
	int big = rt_snprintf(buf, 8, "%s", "this string is longer than the buffer");
	rt_printf("truncated to [%s], would be %d\n", buf, big);
	rt_eprintf("format: checksum %08x\n", checksum);
	return 3;
}
