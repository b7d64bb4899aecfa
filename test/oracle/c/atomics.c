/*
 * Atomics on every size: __atomic_* and __sync_* builtins, a spinlock, a Treiber stack and a
 * 128-bit compare-and-swap. Built with -march=armv8.1-a (LSE: CAS/LDADD/SWP/CASP) and with
 * -march=armv8-a (LDXR/STXR loops); both must print the same.
 */
#include "rt.h"

static uint8_t a8;
static uint16_t a16;
static uint32_t a32;
static uint64_t a64;
static unsigned __int128 a128 __attribute__((aligned(16)));

#define EXERCISE(T, var, tag)                                                                       \
	do {                                                                                        \
		T old, expect, v;                                                                   \
		__atomic_store_n(&var, (T)0x5a, __ATOMIC_RELEASE);                                  \
		old = __atomic_fetch_add(&var, (T)0x7f, __ATOMIC_RELAXED);                          \
		rt_printf(tag " fetch_add old %llx now %llx\n", (unsigned long long)old,            \
			  (unsigned long long)__atomic_load_n(&var, __ATOMIC_ACQUIRE));             \
		old = __atomic_fetch_sub(&var, (T)0x100, __ATOMIC_ACQ_REL);                         \
		rt_printf(tag " fetch_sub old %llx now %llx\n", (unsigned long long)old, (unsigned long long)var); \
		old = __atomic_fetch_or(&var, (T)0x8001, __ATOMIC_SEQ_CST);                         \
		old ^= __atomic_fetch_and(&var, (T)~(T)0x0ff0, __ATOMIC_SEQ_CST);                   \
		old ^= __atomic_fetch_xor(&var, (T)-1, __ATOMIC_RELEASE);                           \
		v = __atomic_fetch_nand(&var, (T)0x3c3c, __ATOMIC_ACQUIRE);                         \
		rt_printf(tag " or/and/xor/nand mix %llx before-nand %llx now %llx\n",               \
			  (unsigned long long)old, (unsigned long long)v, (unsigned long long)var);   \
		v = __atomic_exchange_n(&var, (T)0x1234567890abcdefULL, __ATOMIC_SEQ_CST);          \
		expect = (T)0x42;                                                                   \
		int ok1 = __atomic_compare_exchange_n(&var, &expect, (T)7, 0, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED); \
		rt_printf(tag " xchg got %llx; cas(0x42) ok=%d saw %llx\n", (unsigned long long)v, ok1, \
			  (unsigned long long)expect);                                              \
		int ok2 = __atomic_compare_exchange_n(&var, &expect, (T)7, 0, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE); \
		rt_printf(tag " cas(saw) ok=%d now %llx\n", ok2, (unsigned long long)var);          \
		for (int i = 0; i < 50; i++) {                                                      \
			T cur = __atomic_load_n(&var, __ATOMIC_RELAXED);                            \
			while (!__atomic_compare_exchange_n(&var, &cur, (T)(cur * 3 + 1), 1,         \
							    __ATOMIC_RELEASE, __ATOMIC_RELAXED)) \
				;                                                                   \
		}                                                                                   \
		rt_printf(tag " after 50 weak-cas steps %llx\n", (unsigned long long)var);          \
		old = __sync_fetch_and_add(&var, (T)3);                                             \
		v = __sync_add_and_fetch(&var, (T)5);                                               \
		T prev = __sync_val_compare_and_swap(&var, v, (T)99);                               \
		int sw = __sync_bool_compare_and_swap(&var, (T)99, (T)100);                         \
		T lk = __sync_lock_test_and_set(&var, (T)1);                                        \
		__sync_lock_release(&var);                                                          \
		rt_printf(tag " sync: %llx %llx %llx %d %llx final %llx\n", (unsigned long long)old, \
			  (unsigned long long)v, (unsigned long long)prev, sw, (unsigned long long)lk, \
			  (unsigned long long)var);                                                 \
		__atomic_thread_fence(__ATOMIC_SEQ_CST);                                            \
	} while (0)

static int lock;

static void spin_lock(int *l)
{
	while (__atomic_test_and_set(l, __ATOMIC_ACQUIRE))
		;
}

static void spin_unlock(int *l) { __atomic_clear(l, __ATOMIC_RELEASE); }

struct node { struct node *next; int value; };
static struct node *top;
static struct node pool[64];

static void push(struct node *n)
{
	struct node *old = __atomic_load_n(&top, __ATOMIC_RELAXED);
	do {
		n->next = old;
	} while (!__atomic_compare_exchange_n(&top, &old, n, 1, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
}

static struct node *pop(void)
{
	struct node *old = __atomic_load_n(&top, __ATOMIC_ACQUIRE);
	while (old && !__atomic_compare_exchange_n(&top, &old, old->next, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		;
	return old;
}

int main(void)
{
	EXERCISE(uint8_t, a8, "u8 ");
	EXERCISE(uint16_t, a16, "u16");
	EXERCISE(uint32_t, a32, "u32");
	EXERCISE(uint64_t, a64, "u64");

	int64_t counter = 0;
	for (int i = 0; i < 1000; i++) {
		spin_lock(&lock);
		counter += i;
		spin_unlock(&lock);
	}
	rt_printf("spinlock counter %lld lock %d\n", (long long)counter, lock);

	for (int i = 0; i < 64; i++) {
		pool[i].value = i * i;
		push(&pool[i]);
	}
	int64_t sum = 0;
	int popped = 0;
	for (struct node *n; (n = pop()) != 0; popped++) {
		sum += n->value * (popped + 1);
		if (popped % 2 == 0 && popped < 40)
			push(n);
	}
	rt_printf("stack: popped %d, weighted sum %lld\n", popped, (long long)sum);

	a128 = ((unsigned __int128)0x1111111122222222ULL << 64) | 0x3333333344444444ULL;
	unsigned __int128 want = a128;
	unsigned __int128 repl = ((unsigned __int128)0xdeadbeefcafef00dULL << 64) | 0x0123456789abcdefULL;
	unsigned __int128 seen = __sync_val_compare_and_swap(&a128, want, repl);
	int ok = __sync_bool_compare_and_swap(&a128, want, repl);
	rt_printf("cas128: seen %016llx%016llx second ok %d now %016llx%016llx\n", (unsigned long long)(seen >> 64),
		  (unsigned long long)seen, ok, (unsigned long long)(a128 >> 64), (unsigned long long)a128);
	return (int)((a8 + a16 + a32 + a64 + (uint64_t)sum) & 0xff);
}
