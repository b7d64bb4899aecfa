/* Compiled by aarch64-linux-gnu-gcc -S in test/asm/program.test.ts; the output is assembled
 * by GNU as and by ours, and the linked bytes compared. It exercises what gcc emits for
 * integer code: jump tables, string constants, globals via ADRP/:lo12:, atomics (LSE with
 * -march=armv8.1-a), bit manipulation, 128-bit multiply, conditional selects, stack frames. */
typedef unsigned long u64;
typedef long i64;

int counter = 5;
u64 table[8] = { 1, 1, 2, 3, 5, 8, 13, 21 };
const char *names[] = { "zero", "one", "two", "three" };
struct point { int x, y; long z; };
struct point origin = { 1, 2, 3 };
u64 sink[4];

__attribute__((noinline)) int classify(int v) {
  switch (v) {
  case 0: return 10;
  case 1: return 21;
  case 2: return 32;
  case 3: return 43;
  case 4: return 54;
  case 5: return 65;
  case 7: return 87;
  default: return -1;
  }
}

__attribute__((noinline)) u64 bits(u64 x, unsigned s) {
  return __builtin_clzl(x | 1) + __builtin_ctzl(x | 0x100) + (x >> (s & 63)) + __builtin_bswap64(x);
}

__attribute__((noinline)) u64 mulhi(u64 a, u64 b) {
  return (u64)(((unsigned __int128)a * b) >> 64) + (u64)(((__int128)(i64)a * (i64)b) >> 64);
}

__attribute__((noinline)) i64 divs(i64 a, i64 b, u64 c, u64 d) {
  return (b ? a / b : 0) + (d ? c % d : 0) + (a < 0 ? -a : a);
}

__attribute__((noinline)) int atomics(int *p, u64 *q) {
  int old = __atomic_fetch_add(p, 3, __ATOMIC_SEQ_CST);
  __atomic_fetch_or(q, 0x10, __ATOMIC_RELEASE);
  int expected = 8;
  __atomic_compare_exchange_n(p, &expected, 9, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
  __atomic_store_n(q, 7, __ATOMIC_RELEASE);
  return old + __atomic_load_n(p, __ATOMIC_ACQUIRE) + (int)__atomic_exchange_n(q, 1, __ATOMIC_ACQUIRE);
}

__attribute__((noinline)) u64 many(u64 a, u64 b, u64 c, u64 d, u64 e, u64 f, u64 g, u64 h, u64 i, u64 j) {
  u64 acc[16];
  for (int k = 0; k < 16; k++) acc[k] = a * k + b - (c ^ k) + (d << (k & 7)) + (e > f ? g : h);
  u64 s = 0;
  for (int k = 0; k < 16; k++) s += acc[k] * (i | j);
  return s;
}

const char *name(int i) { return (unsigned)i < 4 ? names[i] : "many"; }

u64 run(void) {
  u64 s = 0;
  for (int i = 0; i < 8; i++) s += table[i] * (u64)classify(i);
  s += bits(s, 3) + mulhi(s, 0x123456789abcdefUL) + (u64)divs((i64)s, 7, s, 13);
  s += (u64)atomics(&counter, &sink[1]) + many(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
  s += (u64)name((int)(s & 7))[0] + (u64)origin.z + (u64)origin.y;
  sink[0] = s;
  return s;
}

void _start(void) {
  u64 r = run();
  register u64 x0 __asm__("x0") = r & 0xff;
  register u64 x8 __asm__("x8") = 93;
  __asm__ volatile("svc #0" : : "r"(x0), "r"(x8));
  for (;;) {}
}
