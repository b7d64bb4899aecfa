/* Sorting: quicksort, mergesort, heapsort, insertion sort, and a generic qsort with comparators. */
#include "rt.h"

#define N 1500

static int32_t data[N], work[N], tmp[N];

static void quicksort(int32_t *a, long lo, long hi)
{
	while (lo < hi) {
		int32_t pivot = a[lo + (hi - lo) / 2];
		long i = lo - 1, j = hi + 1;
		for (;;) {
			do i++; while (a[i] < pivot);
			do j--; while (a[j] > pivot);
			if (i >= j)
				break;
			int32_t t = a[i]; a[i] = a[j]; a[j] = t;
		}
		/* Recurse on the smaller half, loop on the larger. */
		if (j - lo < hi - j) {
			quicksort(a, lo, j);
			lo = j + 1;
		} else {
			quicksort(a, j + 1, hi);
			hi = j;
		}
	}
}

static void mergesort(int32_t *a, int32_t *scratch, long n)
{
	if (n < 2)
		return;
	long mid = n / 2;
	mergesort(a, scratch, mid);
	mergesort(a + mid, scratch, n - mid);
	long i = 0, j = mid, k = 0;
	while (i < mid && j < n)
		scratch[k++] = a[j] < a[i] ? a[j++] : a[i++];
	while (i < mid) scratch[k++] = a[i++];
	while (j < n) scratch[k++] = a[j++];
	memcpy(a, scratch, (size_t)n * sizeof *a);
}

static void sift_down(int32_t *a, long start, long end)
{
	long root = start;
	while (2 * root + 1 <= end) {
		long child = 2 * root + 1, swap = root;
		if (a[swap] < a[child]) swap = child;
		if (child + 1 <= end && a[swap] < a[child + 1]) swap = child + 1;
		if (swap == root)
			return;
		int32_t t = a[root]; a[root] = a[swap]; a[swap] = t;
		root = swap;
	}
}

static void heapsort(int32_t *a, long n)
{
	for (long start = (n - 2) / 2; start >= 0; start--)
		sift_down(a, start, n - 1);
	for (long end = n - 1; end > 0; end--) {
		int32_t t = a[end]; a[end] = a[0]; a[0] = t;
		sift_down(a, 0, end - 1);
	}
}

static void insertion(int32_t *a, long n)
{
	for (long i = 1; i < n; i++) {
		int32_t v = a[i];
		long j = i - 1;
		while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; }
		a[j + 1] = v;
	}
}

/* Generic sort over elements of any size (insertion-merge), driven by a comparator. */
typedef int (*cmp_fn)(const void *, const void *);

static void gsort(void *base, size_t n, size_t size, cmp_fn cmp)
{
	unsigned char *b = base;
	unsigned char t[64];
	for (size_t i = 1; i < n; i++) {
		memcpy(t, b + i * size, size);
		size_t j = i;
		while (j > 0 && cmp(b + (j - 1) * size, t) > 0) {
			memcpy(b + j * size, b + (j - 1) * size, size);
			j--;
		}
		memcpy(b + j * size, t, size);
	}
}

struct person { char name[12]; int16_t age; uint32_t id; };

static int by_age_then_name(const void *x, const void *y)
{
	const struct person *a = x, *b = y;
	if (a->age != b->age)
		return a->age - b->age;
	for (int i = 0; i < 12; i++)
		if (a->name[i] != b->name[i])
			return (unsigned char)a->name[i] - (unsigned char)b->name[i];
	return 0;
}

static int by_id_desc(const void *x, const void *y)
{
	const struct person *a = x, *b = y;
	return a->id < b->id ? 1 : a->id > b->id ? -1 : 0;
}

static int cmp_i32(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
	return (a > b) - (a < b);
}

static uint32_t checksum(const int32_t *a, long n)
{
	uint32_t h = 2166136261u;
	for (long i = 0; i < n; i++)
		h = (h ^ (uint32_t)a[i]) * 16777619u;
	return h;
}

static int is_sorted(const int32_t *a, long n)
{
	for (long i = 1; i < n; i++)
		if (a[i - 1] > a[i])
			return 0;
	return 1;
}

static void fill(uint64_t seed, int mode)
{
	for (long i = 0; i < N; i++) {
		uint64_t r = rt_rand(&seed);
		data[i] = mode == 0 ? (int32_t)r : mode == 1 ? (int32_t)(r % 100) - 50 : (int32_t)(N - i);
	}
}

int main(void)
{
	static const char *modes[] = { "random", "few distinct", "descending" };
	void (*sorts[])(int32_t *, long) = { heapsort, insertion };
	uint32_t all = 0;
	for (int mode = 0; mode < 3; mode++) {
		fill(0x1234567ULL + (uint64_t)mode, mode);
		rt_printf("%s: input checksum %08x, first %d %d %d\n", modes[mode], checksum(data, N), data[0], data[1], data[2]);
		memcpy(work, data, sizeof data);
		quicksort(work, 0, N - 1);
		uint32_t ref = checksum(work, N);
		rt_printf("  quicksort sorted=%d checksum=%08x min=%d max=%d median=%d\n", is_sorted(work, N), ref, work[0], work[N - 1], work[N / 2]);
		memcpy(work, data, sizeof data);
		mergesort(work, tmp, N);
		rt_printf("  mergesort sorted=%d same=%d\n", is_sorted(work, N), checksum(work, N) == ref);
		for (int s = 0; s < 2; s++) {
			memcpy(work, data, sizeof data);
			sorts[s](work, N);
			rt_printf("  sort #%d sorted=%d same=%d\n", s, is_sorted(work, N), checksum(work, N) == ref);
		}
		memcpy(work, data, 200 * sizeof *data);
		gsort(work, 200, sizeof *work, cmp_i32);
		rt_printf("  gsort(200) sorted=%d first=%d last=%d\n", is_sorted(work, 200), work[0], work[199]);
		all = all * 31 + ref;
	}
	struct person people[] = {
		{ "mallory", 41, 7 }, { "alice", 30, 3 }, { "bob", 25, 9 }, { "carol", 30, 1 },
		{ "dave", 25, 12 }, { "eve", 41, 5 }, { "trent", 19, 2 }, { "peggy", 30, 8 },
	};
	size_t np = sizeof people / sizeof people[0];
	gsort(people, np, sizeof people[0], by_age_then_name);
	for (size_t i = 0; i < np; i++)
		rt_printf("  %-8s age %2d id %2u\n", people[i].name, people[i].age, people[i].id);
	gsort(people, np, sizeof people[0], by_id_desc);
	for (size_t i = 0; i < np; i++)
		rt_printf("%s%s", people[i].name, i + 1 < np ? "," : "\n");
	rt_printf("combined %08x\n", all);
	return (int)(all & 0x7f);
}
