/*
 * A tiny freestanding runtime for the oracle C programs: Linux write/exit_group system calls,
 * buffered standard output, a printf subset, and the memory functions GCC may call even with
 * -ffreestanding. Only the compiler's own headers are used.
 */
#ifndef RT_H
#define RT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

long rt_write(int fd, const void *buf, size_t len);
void rt_exit(int status) __attribute__((noreturn));

/* Buffered output to fd 1 (flushed when full and at exit). */
void out_char(char c);
void out_str(const char *s);
void out_flush(void);

/*
 * printf subset: %d %i %u %x %X %o %c %s %p %%, flags '-' '0' '+' ' ', width and precision
 * (also '*'), length modifiers hh h l ll z.
 */
int rt_printf(const char *fmt, ...);
int rt_vformat(char *buf, size_t size, const char *fmt, va_list ap);
int rt_snprintf(char *buf, size_t size, const char *fmt, ...);
/* Writes a formatted line straight to fd 2 (after flushing stdout, so order is kept). */
void rt_eprintf(const char *fmt, ...);

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* A deterministic PRNG (xorshift64*) for test data. */
uint64_t rt_rand(uint64_t *state);

#endif
