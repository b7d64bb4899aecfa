/* Hashing: FNV-1a (32/64), CRC-32 (table), Adler-32, SHA-256. */
#include "rt.h"

static uint32_t fnv1a32(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 0x811c9dc5u;
	while (n--)
		h = (h ^ *b++) * 0x01000193u;
	return h;
}

static uint64_t fnv1a64(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;
	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

static uint32_t crc_table[256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t c = 0xffffffffu;
	while (n--)
		c = crc_table[(c ^ *b++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static uint32_t adler32(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t a = 1, s = 0;
	while (n--) {
		a = (a + *b++) % 65521u;
		s = (s + a) % 65521u;
	}
	return (s << 16) | a;
}

/* SHA-256 (FIPS 180-4). */
struct sha256 { uint32_t h[8]; unsigned char block[64]; size_t used; uint64_t bits; };

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void sha_block(struct sha256 *s, const unsigned char *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
	}
	s->h[0] += a; s->h[1] += b; s->h[2] += c; s->h[3] += d;
	s->h[4] += e; s->h[5] += f; s->h[6] += g; s->h[7] += h;
}

static void sha_init(struct sha256 *s)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	memcpy(s->h, iv, sizeof iv);
	s->used = 0;
	s->bits = 0;
}

static void sha_update(struct sha256 *s, const void *data, size_t n)
{
	const unsigned char *p = data;
	s->bits += (uint64_t)n * 8;
	while (n--) {
		s->block[s->used++] = *p++;
		if (s->used == 64) {
			sha_block(s, s->block);
			s->used = 0;
		}
	}
}

static void sha_final(struct sha256 *s, unsigned char out[32])
{
	uint64_t bits = s->bits;
	unsigned char pad = 0x80;
	sha_update(s, &pad, 1);
	pad = 0;
	while (s->used != 56)
		sha_update(s, &pad, 1);
	for (int i = 7; i >= 0; i--) {
		unsigned char b = (unsigned char)(bits >> (8 * i));
		sha_update(s, &b, 1);
	}
	for (int i = 0; i < 8; i++)
		for (int k = 0; k < 4; k++)
			out[4 * i + k] = (unsigned char)(s->h[i] >> (24 - 8 * k));
}

static void print_sha(const char *label, const void *data, size_t n, size_t repeat)
{
	struct sha256 s;
	unsigned char d[32];
	sha_init(&s);
	for (size_t i = 0; i < repeat; i++)
		sha_update(&s, data, n);
	sha_final(&s, d);
	rt_printf("sha256(%s) = ", label);
	for (int i = 0; i < 32; i++)
		rt_printf("%02x", d[i]);
	rt_printf("\n");
}

int main(void)
{
	static const char *inputs[] = { "", "a", "abc", "message digest", "The quick brown fox jumps over the lazy dog",
		"0123456789012345678901234567890123456789012345678901234567890123456789" };
	crc_init();
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		const char *s = inputs[i];
		size_t n = strlen(s);
		rt_printf("\"%.20s\"%s len %2zu fnv32 %08x fnv64 %016llx crc32 %08x adler %08x\n", s, n > 20 ? "..." : "", n,
			  fnv1a32(s, n), (unsigned long long)fnv1a64(s, n), crc32(s, n), adler32(s, n));
		print_sha(s[0] ? "input" : "empty", s, n, 1);
	}
	print_sha("a x 1000", "a", 1, 1000);
	static unsigned char bytes[3000];
	uint64_t st = 99;
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (unsigned char)rt_rand(&st);
	uint32_t acc = 0;
	for (size_t len = 1; len <= sizeof bytes; len = len * 3 + 1) {
		uint32_t c = crc32(bytes, len);
		acc ^= c;
		rt_printf("random[%4zu] crc %08x fnv %08x\n", len, c, fnv1a32(bytes, len));
	}
	print_sha("random 3000", bytes, sizeof bytes, 1);
	return 0;
}
