/* Multi-precision arithmetic on 32-bit limbs: factorials, powers, Fibonacci, full products. */
#include "rt.h"

#define LIMBS 200

struct big { uint32_t d[LIMBS]; int n; };  /* little-endian limbs, n used */

static void big_set(struct big *a, uint32_t v)
{
	memset(a, 0, sizeof *a);
	a->d[0] = v;
	a->n = 1;
}

static void big_trim(struct big *a)
{
	while (a->n > 1 && a->d[a->n - 1] == 0)
		a->n--;
}

static void big_mul_small(struct big *a, uint32_t m)
{
	uint64_t carry = 0;
	for (int i = 0; i < a->n; i++) {
		uint64_t t = (uint64_t)a->d[i] * m + carry;
		a->d[i] = (uint32_t)t;
		carry = t >> 32;
	}
	if (carry)
		a->d[a->n++] = (uint32_t)carry;
}

static void big_add(struct big *r, const struct big *a, const struct big *b)
{
	int n = a->n > b->n ? a->n : b->n;
	uint64_t carry = 0;
	for (int i = 0; i < n; i++) {
		uint64_t t = (uint64_t)(i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
		r->d[i] = (uint32_t)t;
		carry = t >> 32;
	}
	r->n = n;
	if (carry)
		r->d[r->n++] = (uint32_t)carry;
}

/* r = a - b, requires a >= b. */
static void big_sub(struct big *r, const struct big *a, const struct big *b)
{
	int64_t borrow = 0;
	for (int i = 0; i < a->n; i++) {
		int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
		borrow = t < 0;
		r->d[i] = (uint32_t)t;
	}
	r->n = a->n;
	big_trim(r);
}

static void big_mul(struct big *r, const struct big *a, const struct big *b)
{
	static struct big t;
	memset(&t, 0, sizeof t);
	for (int i = 0; i < a->n; i++) {
		uint64_t carry = 0;
		for (int j = 0; j < b->n; j++) {
			uint64_t cur = (uint64_t)a->d[i] * b->d[j] + t.d[i + j] + carry;
			t.d[i + j] = (uint32_t)cur;
			carry = cur >> 32;
		}
		t.d[i + b->n] = (uint32_t)carry;
	}
	t.n = a->n + b->n;
	big_trim(&t);
	*r = t;
}

/* Divides in place by m, returns the remainder. */
static uint32_t big_div_small(struct big *a, uint32_t m)
{
	uint64_t rem = 0;
	for (int i = a->n - 1; i >= 0; i--) {
		uint64_t cur = (rem << 32) | a->d[i];
		a->d[i] = (uint32_t)(cur / m);
		rem = cur % m;
	}
	big_trim(a);
	return (uint32_t)rem;
}

static int big_cmp(const struct big *a, const struct big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (int i = a->n - 1; i >= 0; i--)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

static char text[LIMBS * 10 + 2];

/* Decimal string via repeated division by 10^9; returns the digit sum. */
static unsigned big_print(const char *label, const struct big *a)
{
	static struct big t;
	uint32_t parts[LIMBS * 2];
	int np = 0;
	t = *a;
	do {
		parts[np++] = big_div_small(&t, 1000000000u);
	} while (t.n > 1 || t.d[0] != 0);
	int len = rt_snprintf(text, sizeof text, "%u", parts[np - 1]);
	for (int i = np - 2; i >= 0; i--)
		len += rt_snprintf(text + len, sizeof text - (size_t)len, "%09u", parts[i]);
	unsigned sum = 0;
	for (int i = 0; i < len; i++)
		sum += (unsigned)(text[i] - '0');
	rt_printf("%s (%d digits, digit sum %u):\n", label, len, sum);
	for (int i = 0; i < len; i += 72)
		rt_printf("  %.72s\n", text + i);
	return sum;
}

int main(void)
{
	static struct big a, b, c, f;
	unsigned total = 0;

	big_set(&f, 1);
	for (uint32_t i = 2; i <= 100; i++)
		big_mul_small(&f, i);
	total += big_print("100!", &f);

	big_set(&a, 1);
	for (int i = 0; i < 512; i++)
		big_mul_small(&a, 2);
	total += big_print("2^512", &a);

	big_set(&a, 0);
	big_set(&b, 1);
	for (int i = 0; i < 400; i++) {
		big_add(&c, &a, &b);
		a = b;
		b = c;
	}
	total += big_print("fib(401)", &b);

	big_set(&a, 1);
	for (int i = 0; i < 200; i++) big_mul_small(&a, 3);
	big_set(&b, 1);
	for (int i = 0; i < 150; i++) big_mul_small(&b, 7);
	big_mul(&c, &a, &b);
	total += big_print("3^200 * 7^150", &c);

	big_mul(&c, &f, &f);
	big_sub(&c, &c, &a);
	total += big_print("(100!)^2 - 3^200", &c);

	rt_printf("cmp(100!, 2^512)=%d cmp(3^200, 3^200)=%d\n", big_cmp(&f, &c), big_cmp(&a, &a));
	uint32_t r = big_div_small(&f, 1000003u);
	rt_printf("100! / 1000003 remainder %u, quotient limbs %d\n", r, f.n);
	return (int)(total % 256);
}
