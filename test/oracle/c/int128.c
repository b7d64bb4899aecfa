/* 128-bit integers: products, division (libgcc), modular exponentiation, Miller-Rabin, printing. */
#include "rt.h"

typedef unsigned __int128 u128;
typedef __int128 i128;

static void print_u128(const char *label, u128 v)
{
	char buf[48];
	int n = 0;
	do {
		buf[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v);
	rt_printf("%s", label);
	while (n)
		out_char(buf[--n]);
	out_char('\n');
}

static void print_i128(const char *label, i128 v)
{
	if (v < 0) {
		rt_printf("%s-", label);
		print_u128("", (u128)0 - (u128)v);
	} else {
		print_u128(label, (u128)v);
	}
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) { return (uint64_t)((u128)a * b % m); }

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m)
{
	uint64_t r = 1 % m;
	b %= m;
	while (e) {
		if (e & 1)
			r = mulmod(r, b, m);
		b = mulmod(b, b, m);
		e >>= 1;
	}
	return r;
}

/* Deterministic for all 64-bit n with these bases. */
static int is_prime(uint64_t n)
{
	static const uint64_t bases[] = { 2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37 };
	if (n < 2)
		return 0;
	for (int i = 0; i < 12; i++) {
		if (n % bases[i] == 0)
			return n == bases[i];
	}
	uint64_t d = n - 1;
	int s = 0;
	while ((d & 1) == 0) { d >>= 1; s++; }
	for (int i = 0; i < 12; i++) {
		uint64_t x = powmod(bases[i], d, n);
		if (x == 1 || x == n - 1)
			continue;
		int composite = 1;
		for (int r = 1; r < s && composite; r++) {
			x = mulmod(x, x, n);
			if (x == n - 1)
				composite = 0;
		}
		if (composite)
			return 0;
	}
	return 1;
}

int main(void)
{
	u128 max = ~(u128)0;
	print_u128("2^128-1 = ", max);
	print_u128("2^127-1 = ", max >> 1);
	print_i128("-2^127 = ", (i128)((u128)1 << 127));
	u128 p = 1;
	for (int i = 0; i < 80; i++)
		p *= 3;
	print_u128("3^80 = ", p);
	u128 a = ((u128)0x0123456789abcdefULL << 64) | 0xfedcba9876543210ULL;
	u128 b = 0xffffffff00000001ULL;
	print_u128("a = ", a);
	print_u128("a * b (mod 2^128) = ", a * b);
	print_u128("a / b = ", a / b);
	print_u128("a % b = ", a % b);
	print_u128("a / 1000000007 = ", a / 1000000007u);
	u128 big_div = ((u128)0xffffffffffffffffULL << 32) | 12345;
	print_u128("a / big = ", a / big_div);
	print_u128("a % big = ", a % big_div);
	i128 s = -(i128)a / 11;
	print_i128("-a / 11 = ", s);
	print_i128("-a % 11 = ", -(i128)a % 11);
	print_i128("(-a / 11) * 11 + (-a % 11) + a = ", s * 11 + (-(i128)a % 11) + (i128)a);
	uint64_t st = 5;
	for (int i = 0; i < 12; i++) {
		uint64_t x = rt_rand(&st), y = rt_rand(&st);
		u128 prod = (u128)x * y;
		rt_printf("%016llx * %016llx = %016llx%016llx  hi/lo check %d\n", (unsigned long long)x, (unsigned long long)y,
			  (unsigned long long)(prod >> 64), (unsigned long long)prod, (uint64_t)(prod / y) == x);
	}
	int primes = 0;
	uint64_t n = 0xffffffffffffffffULL;
	for (int i = 0; i < 300; i++, n -= 2) {
		if (is_prime(n)) {
			if (primes < 8)
				rt_printf("prime %llu\n", (unsigned long long)n);
			primes++;
		}
	}
	rt_printf("%d primes among the 300 largest odd 64-bit numbers\n", primes);
	rt_printf("powmod(2, 10^18, 10^9+7) = %llu\n", (unsigned long long)powmod(2, 1000000000000000000ULL, 1000000007));
	return primes;
}
