/* Function pointers: dispatch tables, callbacks, "objects" with method tables, returned functions. */
#include "rt.h"

typedef int64_t (*binop)(int64_t, int64_t);

static int64_t op_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static int64_t op_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static int64_t op_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }
static int64_t op_div(int64_t a, int64_t b) { return b == 0 || (a == INT64_MIN && b == -1) ? 0 : a / b; }
static int64_t op_mod(int64_t a, int64_t b) { return b == 0 || (a == INT64_MIN && b == -1) ? 0 : a % b; }
static int64_t op_min(int64_t a, int64_t b) { return a < b ? a : b; }
static int64_t op_max(int64_t a, int64_t b) { return a > b ? a : b; }
static int64_t op_and(int64_t a, int64_t b) { return a & b; }

static const struct { const char *name; binop fn; } ops[] = {
	{ "add", op_add }, { "sub", op_sub }, { "mul", op_mul }, { "div", op_div },
	{ "mod", op_mod }, { "min", op_min }, { "max", op_max }, { "and", op_and },
};

static int64_t fold(const int64_t *v, int n, binop f, int64_t init)
{
	for (int i = 0; i < n; i++)
		init = f(init, v[i]);
	return init;
}

static void map(int64_t *v, int n, int64_t (*f)(int64_t))
{
	for (int i = 0; i < n; i++)
		v[i] = f(v[i]);
}

static int64_t square(int64_t x) { return (int64_t)((uint64_t)x * (uint64_t)x); }
static int64_t negate(int64_t x) { return (int64_t)(0 - (uint64_t)x); }
static int64_t halve(int64_t x) { return x / 2; }

/* Objects: a shape with a method table. */
struct shape;
struct shape_ops {
	const char *kind;
	int64_t (*area2)(const struct shape *);      /* twice the area, integers only */
	int64_t (*perimeter)(const struct shape *);
};
struct shape { const struct shape_ops *ops; int64_t a, b, c; };

static int64_t rect_area2(const struct shape *s) { return 2 * s->a * s->b; }
static int64_t rect_perim(const struct shape *s) { return 2 * (s->a + s->b); }
static int64_t tri_area2(const struct shape *s) { return s->a * s->b; } /* right triangle legs a, b */
static int64_t tri_perim(const struct shape *s) { return s->a + s->b + s->c; }
static int64_t sq_area2(const struct shape *s) { return 2 * s->a * s->a; }
static int64_t sq_perim(const struct shape *s) { return 4 * s->a; }

static const struct shape_ops RECT = { "rectangle", rect_area2, rect_perim };
static const struct shape_ops TRI = { "triangle", tri_area2, tri_perim };
static const struct shape_ops SQUARE = { "square", sq_area2, sq_perim };

static binop choose(int i) { return ops[i % 8].fn; }

/* A callback-driven iterator with a context pointer. */
static void each_prime(int limit, void (*cb)(int, void *), void *ctx)
{
	for (int n = 2; n <= limit; n++) {
		int prime = 1;
		for (int d = 2; d * d <= n; d++)
			if (n % d == 0) { prime = 0; break; }
		if (prime)
			cb(n, ctx);
	}
}

struct stats { int count; int64_t sum; int last; };
static void collect(int p, void *ctx)
{
	struct stats *s = ctx;
	s->count++;
	s->sum += p;
	s->last = p;
}

int main(void)
{
	int64_t v[] = { 17, -4, 123456789, -987654321, 42, 7, -1, 1000003, INT64_MAX, INT64_MIN };
	int n = (int)(sizeof v / sizeof *v);
	uint64_t check = 0;
	for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
		int64_t r = fold(v, n, ops[i].fn, (int64_t)i + 1);
		rt_printf("fold %s = %lld\n", ops[i].name, (long long)r);
		check = check * 131 + (uint64_t)r;
		for (int k = 0; k < n; k++)
			rt_printf("  %s(%lld, %lld) = %lld\n", ops[i].name, (long long)v[k], (long long)v[(k + 3) % n],
				  (long long)ops[i].fn(v[k], v[(k + 3) % n]));
	}
	int64_t (*maps[])(int64_t) = { square, negate, halve };
	for (int m = 0; m < 3; m++) {
		map(v, n, maps[m]);
		rt_printf("after map %d: %lld %lld %lld\n", m, (long long)v[0], (long long)v[3], (long long)v[9]);
	}
	struct shape shapes[] = { { &RECT, 3, 4, 0 }, { &TRI, 3, 4, 5 }, { &SQUARE, 9, 0, 0 }, { &RECT, 100, 7, 0 }, { &TRI, 5, 12, 13 } };
	int64_t total = 0;
	for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
		const struct shape *s = &shapes[i];
		int64_t a2 = s->ops->area2(s);
		rt_printf("%-9s area %lld.%d perimeter %lld\n", s->ops->kind, (long long)(a2 / 2), a2 % 2 ? 5 : 0, (long long)s->ops->perimeter(s));
		total += a2;
	}
	int64_t acc = 1;
	for (int i = 0; i < 24; i++)
		acc = choose(i * 5 + 1)(acc, i + 2);
	rt_printf("chosen chain = %lld\n", (long long)acc);
	struct stats st = { 0, 0, 0 };
	each_prime(2000, collect, &st);
	rt_printf("%d primes <= 2000, sum %lld, last %d\n", st.count, (long long)st.sum, st.last);
	rt_printf("check %016llx total %lld\n", (unsigned long long)check, (long long)total);
	return (int)(check % 200) + 1;
}
