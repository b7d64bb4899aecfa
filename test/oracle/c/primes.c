/* Number theory: a bit sieve, gcd/lcm, extended Euclid, modular inverses, Collatz, perfect numbers. */
#include "rt.h"

#define LIMIT 200000
static uint64_t sieve[LIMIT / 64 + 1];

static int composite(unsigned n) { return (int)(sieve[n / 64] >> (n % 64)) & 1; }

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) { uint64_t t = a % b; a = b; b = t; }
	return a;
}

/* Returns g and sets x, y with a*x + b*y = g. */
static int64_t egcd(int64_t a, int64_t b, int64_t *x, int64_t *y)
{
	if (b == 0) { *x = 1; *y = 0; return a; }
	int64_t x1, y1;
	int64_t g = egcd(b, a % b, &x1, &y1);
	*x = y1;
	*y = x1 - (a / b) * y1;
	return g;
}

int main(void)
{
	sieve[0] |= 3;
	for (unsigned i = 2; (uint64_t)i * i <= LIMIT; i++)
		if (!composite(i))
			for (unsigned j = i * i; j <= LIMIT; j += i)
				sieve[j / 64] |= 1ULL << (j % 64);
	unsigned count = 0, last = 0, twins = 0, prev = 0;
	uint64_t psum = 0;
	for (unsigned n = 2; n <= LIMIT; n++) {
		if (composite(n)) continue;
		count++;
		psum += n;
		if (prev && n - prev == 2) twins++;
		prev = last = n;
		if (count <= 20 || count % 2000 == 0)
			rt_printf("p[%u] = %u\n", count, n);
	}
	rt_printf("%u primes <= %d, sum %llu, largest %u, twin pairs %u\n", count, LIMIT, (unsigned long long)psum, last, twins);
	uint64_t st = 31337;
	for (int i = 0; i < 10; i++) {
		uint64_t a = rt_rand(&st) % 1000000007u, b = rt_rand(&st) % 998244353u;
		uint64_t g = gcd(a, b);
		int64_t x, y;
		egcd((int64_t)a, 1000000007, &x, &y);
		int64_t inv = (x % 1000000007 + 1000000007) % 1000000007;
		rt_printf("gcd(%llu, %llu) = %llu lcm = %llu inv(a) mod p = %lld check %llu\n", (unsigned long long)a, (unsigned long long)b,
			  (unsigned long long)g, (unsigned long long)(a / g * b), (long long)inv,
			  (unsigned long long)((uint64_t)inv * a % 1000000007u));
	}
	unsigned best = 1, best_len = 1;
	for (unsigned start = 1; start < 30000; start++) {
		uint64_t n = start;
		unsigned len = 1;
		while (n != 1) { n = n % 2 ? 3 * n + 1 : n / 2; len++; }
		if (len > best_len) { best_len = len; best = start; }
	}
	rt_printf("longest Collatz chain below 30000 starts at %u (%u terms)\n", best, best_len);
	for (unsigned n = 2; n < 10000; n++) {
		unsigned s = 1;
		for (unsigned d = 2; d * d <= n; d++)
			if (n % d == 0) s += d + (d * d != n ? n / d : 0);
		if (s == n)
			rt_printf("perfect: %u\n", n);
	}
	int64_t values[] = { 7, -7, 123456789, -987654321, INT64_MAX, INT64_MIN + 1 };
	for (int i = 0; i < 6; i++)
		for (int d = 1; d <= 13; d += 4)
			rt_printf("%lld / %d = %lld r %lld; / -%d = %lld\n", (long long)values[i], d, (long long)(values[i] / d),
				  (long long)(values[i] % d), d, (long long)(values[i] / -d));
	return (int)(count % 256);
}
