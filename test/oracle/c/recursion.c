/* Recursion: Ackermann, Fibonacci, Hanoi, N-queens, permutations, mutual recursion. */
#include "rt.h"

static unsigned long ack(unsigned long m, unsigned long n)
{
	if (m == 0)
		return n + 1;
	if (n == 0)
		return ack(m - 1, 1);
	return ack(m - 1, ack(m, n - 1));
}

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static unsigned long moves;
static void hanoi(int n, int from, int to, int via, uint32_t *trace)
{
	if (n == 0)
		return;
	hanoi(n - 1, from, via, to, trace);
	moves++;
	*trace = (*trace * 31) ^ (uint32_t)(from * 3 + to);
	hanoi(n - 1, via, to, from, trace);
}

static int queens(int row, int n, unsigned cols, unsigned d1, unsigned d2)
{
	if (row == n)
		return 1;
	int count = 0;
	for (int c = 0; c < n; c++) {
		unsigned a = 1u << c, b = 1u << (row + c), e = 1u << (row - c + n - 1);
		if ((cols & a) || (d1 & b) || (d2 & e))
			continue;
		count += queens(row + 1, n, cols | a, d1 | b, d2 | e);
	}
	return count;
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

static void permute(char *s, int k, int n, int *count)
{
	if (k == n) {
		if (*count < 12 || *count % 101 == 0)
			rt_printf("  perm %3d: %s\n", *count, s);
		(*count)++;
		return;
	}
	for (int i = k; i < n; i++) {
		char t = s[k]; s[k] = s[i]; s[i] = t;
		permute(s, k + 1, n, count);
		t = s[k]; s[k] = s[i]; s[i] = t;
	}
}

/* Deep recursion with a frame that holds an array, to use real stack space. */
static uint64_t deep(int depth, uint64_t acc)
{
	volatile uint64_t frame[8];
	for (int i = 0; i < 8; i++)
		frame[i] = acc + (uint64_t)i * (uint64_t)depth;
	if (depth == 0)
		return acc;
	return deep(depth - 1, acc * 6364136223846793005ULL + frame[depth % 8]) ^ frame[0];
}

int main(void)
{
	for (unsigned long m = 0; m <= 3; m++)
		for (unsigned long n = 0; n <= (m == 3 ? 5 : 4); n++)
			rt_printf("ack(%lu,%lu) = %lu\n", m, n, ack(m, n));
	for (unsigned n = 0; n <= 24; n += 3)
		rt_printf("fib(%u) = %lu\n", n, fib(n));
	uint32_t trace = 0;
	hanoi(14, 0, 2, 1, &trace);
	rt_printf("hanoi(14): %lu moves, trace %08x\n", moves, trace);
	int total = 0;
	for (int n = 1; n <= 9; n++) {
		int q = queens(0, n, 0, 0, 0);
		rt_printf("queens(%d) = %d\n", n, q);
		total += q;
	}
	rt_printf("is_even(1001)=%d is_odd(777)=%d\n", is_even(1001), is_odd(777));
	char word[] = "abcdef";
	int count = 0;
	permute(word, 0, 6, &count);
	rt_printf("%d permutations\n", count);
	rt_printf("deep(3000) = %016llx\n", (unsigned long long)deep(3000, 1));
	return total % 256;
}
