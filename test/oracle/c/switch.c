/* Dense switches (jump tables): a bytecode interpreter, a tokenizer state machine, day names. */
#include "rt.h"

enum op { PUSH, ADD, SUB, MUL, DIVU, MODU, DUP, SWAP, DROP, JZ, JMP, DEC, PRINT, OVER, SHL, XOR, HALT };

/* A stack machine; every instruction dispatches through one dense switch. */
static int64_t run(const int64_t *code, int trace)
{
	int64_t stack[64];
	int sp = 0, pc = 0;
	unsigned long steps = 0;
	for (;;) {
		int64_t a, b;
		steps++;
		switch ((enum op)code[pc++]) {
		case PUSH: stack[sp++] = code[pc++]; break;
		case ADD: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int64_t)((uint64_t)a + (uint64_t)b); break;
		case SUB: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int64_t)((uint64_t)a - (uint64_t)b); break;
		case MUL: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int64_t)((uint64_t)a * (uint64_t)b); break;
		case DIVU: b = stack[--sp]; a = stack[--sp]; stack[sp++] = b ? (int64_t)((uint64_t)a / (uint64_t)b) : 0; break;
		case MODU: b = stack[--sp]; a = stack[--sp]; stack[sp++] = b ? (int64_t)((uint64_t)a % (uint64_t)b) : 0; break;
		case DUP: a = stack[sp - 1]; stack[sp++] = a; break;
		case SWAP: a = stack[sp - 1]; stack[sp - 1] = stack[sp - 2]; stack[sp - 2] = a; break;
		case DROP: sp--; break;
		case JZ: a = stack[--sp]; if (a == 0) pc = (int)code[pc]; else pc++; break;
		case JMP: pc = (int)code[pc]; break;
		case DEC: stack[sp - 1]--; break;
		case PRINT: if (trace) rt_printf("    vm: %lld\n", (long long)stack[sp - 1]); break;
		case OVER: stack[sp] = stack[sp - 2]; sp++; break;
		case SHL: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int64_t)((uint64_t)a << (b & 63)); break;
		case XOR: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a ^ b; break;
		case HALT:
			rt_printf("  halted after %lu steps, depth %d\n", steps, sp);
			return sp ? stack[sp - 1] : 0;
		default:
			rt_printf("  bad opcode at %d\n", pc - 1);
			return -1;
		}
	}
}

/* Token classes for a tiny lexer; a switch over characters with many cases. */
static const char *classify(char c)
{
	switch (c) {
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9': return "digit";
	case '+': case '-': case '*': case '/': case '%': return "operator";
	case '(': case ')': case '[': case ']': case '{': case '}': return "bracket";
	case ' ': case '\t': case '\n': return "space";
	case ',': case ';': case ':': return "separator";
	case '=': case '<': case '>': case '!': return "comparison";
	case '"': case '\'': return "quote";
	default:
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
			return "letter";
		return "other";
	}
}

static const char *weekday(int d)
{
	switch (d % 7) {
	case 0: return "Monday";
	case 1: return "Tuesday";
	case 2: return "Wednesday";
	case 3: return "Thursday";
	case 4: return "Friday";
	case 5: return "Saturday";
	case 6: return "Sunday";
	}
	return "?";
}

static int days_in_month(int m, int y)
{
	switch (m) {
	case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28;
	case 4: case 6: case 9: case 11: return 30;
	default: return 31;
	}
}

int main(void)
{
	/* factorial of 20: acc=1, n=20; while n { print n; acc *= n; n-- } (indices in comments) */
	static const int64_t fact[] = {
		PUSH, 1, PUSH, 20,          /* 0: acc n */
		DUP, JZ, 17,                /* 4: loop test */
		DUP, PRINT, DROP,           /* 7 */
		SWAP, OVER, MUL, SWAP, DEC, /* 10: acc*n n-1 */
		JMP, 4,                     /* 15 */
		DROP, HALT,                 /* 17 */
	};
	int64_t f = run(fact, 1);
	rt_printf("vm factorial(20) = %lld\n", (long long)f);
	/* sum of (i << 3) ^ i for i = 1000 .. 1, stack: i acc */
	static const int64_t sum[] = {
		PUSH, 1000, PUSH, 0,        /* 0 */
		OVER, JZ, 19,               /* 4 */
		OVER, DUP, PUSH, 3, SHL,    /* 7: i acc i i<<3 */
		XOR, ADD, SWAP, DEC, SWAP,  /* 12: i-1 acc' */
		JMP, 4,                     /* 17 */
		HALT,                       /* 19 */
	};
	int64_t s = run(sum, 0);
	rt_printf("vm result %lld\n", (long long)s);
	const char *src = "x1 = (a+b)*42; if (y<=7) { s = \"hi\"; } # done\n";
	for (const char *p = src; *p; p++)
		rt_printf("  '%c' %s\n", *p == '\n' ? 'n' : *p, classify(*p));
	int day = 0, year = 2024;
	for (int m = 1; m <= 12; m++) {
		rt_printf("  %d-%02d starts on %s and has %d days\n", year, m, weekday(day), days_in_month(m, year));
		day += days_in_month(m, year);
	}
	return (int)((uint64_t)f % 251);
}
