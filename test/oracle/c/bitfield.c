/* Bit fields, packed (unaligned) structures, unions, and bit-twiddling helpers. */
#include "rt.h"

struct flags {
	unsigned ready : 1;
	unsigned mode : 3;
	signed level : 5;
	unsigned count : 12;
	unsigned long long big : 40;
	signed long long sbig : 23;
};

struct __attribute__((packed)) header {
	uint8_t tag;
	uint32_t length;   /* at offset 1: unaligned */
	uint16_t kind;     /* offset 5 */
	uint64_t stamp;    /* offset 7 */
	int32_t delta;     /* offset 15 */
};

union pun {
	uint64_t u64;
	uint32_t u32[2];
	uint16_t u16[4];
	uint8_t u8[8];
};

/* PTE-like descriptor built with shifts and masks (as a page-table codec would). */
static uint64_t make_desc(uint64_t pa, unsigned attr, unsigned ap, int xn)
{
	return (pa & 0x0000fffffffff000ULL) | ((uint64_t)(attr & 7) << 2) | ((uint64_t)(ap & 3) << 6) | (1ULL << 10) |
	       ((uint64_t)(xn != 0) << 54) | 3;
}

static unsigned popcount(uint64_t x)
{
	unsigned n = 0;
	while (x) { x &= x - 1; n++; }
	return n;
}

static uint64_t reverse_bits(uint64_t x)
{
	uint64_t r = 0;
	for (int i = 0; i < 64; i++, x >>= 1)
		r = (r << 1) | (x & 1);
	return r;
}

int main(void)
{
	struct flags f = { 0 };
	uint64_t st = 7;
	uint64_t sum = 0;
	for (int i = 0; i < 24; i++) {
		uint64_t r = rt_rand(&st);
		f.ready = r & 1;
		f.mode = (unsigned)(r >> 1);
		f.level = (int)((r >> 4) & 31) - 16;
		f.count += (unsigned)(r >> 9);
		f.big = r >> 3;
		f.sbig = (long long)((r >> 20) & 0x7fffff) - 0x400000;
		rt_printf("flags %d %u %3d %4u %010llx %8lld\n", f.ready, f.mode, f.level, f.count, (unsigned long long)f.big, (long long)f.sbig);
		sum += f.ready + f.mode + (uint64_t)(f.level + 16) + f.count + f.big + (uint64_t)f.sbig;
	}
	rt_printf("sizeof flags %zu, header %zu\n", sizeof(struct flags), sizeof(struct header));

	static unsigned char raw[64];
	for (int i = 0; i < 64; i++)
		raw[i] = (unsigned char)(i * 37 + 11);
	for (int off = 0; off < 8; off++) {
		struct header *h = (struct header *)(raw + off);
		rt_printf("packed@%d tag %02x len %08x kind %04x stamp %016llx delta %d\n", off, h->tag, h->length, h->kind,
			  (unsigned long long)h->stamp, h->delta);
		h->length += 0x01020304u;
		h->stamp ^= 0xfedcba9876543210ULL;
		h->delta = (int32_t)(0u - (uint32_t)h->delta);
	}
	uint32_t mix = 0;
	for (int i = 0; i < 64; i++)
		mix = mix * 31 + raw[i];
	rt_printf("raw after packed writes: %08x\n", mix);

	union pun p = { .u64 = 0x0123456789abcdefULL };
	rt_printf("union: %08x %08x | %04x %04x %04x %04x | %02x %02x\n", p.u32[0], p.u32[1], p.u16[0], p.u16[1], p.u16[2], p.u16[3], p.u8[0], p.u8[7]);
	p.u8[3] = 0xff;
	p.u16[3] = 0x5aa5;
	rt_printf("union after writes: %016llx\n", (unsigned long long)p.u64);

	for (int i = 0; i < 6; i++) {
		uint64_t r = rt_rand(&st);
		uint64_t d = make_desc(r, (unsigned)i, (unsigned)(r >> 60), i & 1);
		rt_printf("desc %016llx pa %012llx attr %u ap %u af %u xn %u pop %u clz %d ctz %d bswap %016llx rbit %016llx\n",
			  (unsigned long long)d, (unsigned long long)(d & 0x0000fffffffff000ULL), (unsigned)(d >> 2) & 7,
			  (unsigned)(d >> 6) & 3, (unsigned)(d >> 10) & 1, (unsigned)(d >> 54) & 1, popcount(d),
			  __builtin_clzll(d), __builtin_ctzll(d), (unsigned long long)__builtin_bswap64(d),
			  (unsigned long long)reverse_bits(d));
		sum += d;
	}
	rt_printf("sum %016llx\n", (unsigned long long)sum);
	return (int)(sum >> 56);
}
