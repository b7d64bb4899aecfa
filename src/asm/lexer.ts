/**
 * Turns source text into tokens, one statement at a time.
 *
 * GNU `as` conventions for AArch64: `//` starts a comment that runs to the end of the line,
 * `/* … *\/` may span lines, a line whose first non-blank character is `#` is a comment
 * (GNU treats it as a preprocessor line marker), and `;` separates statements on one line.
 * `#` elsewhere introduces an immediate. This module knows nothing about instructions.
 */
import type { SrcPos } from './errors.js';

export type TokenKind =
  | 'id' // identifier: mnemonics, directives, symbols, register names (may contain `.` and `$`)
  | 'num' // integer literal (value in `num`)
  | 'lref' // numeric local label reference such as `1b` / `2f` (`text` is the label, `dir` b or f)
  | 'str' // string literal with escapes decoded (in `text`)
  | 'p'; // punctuation or operator

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  readonly num?: bigint;
  readonly dir?: 'b' | 'f';
  /** For strings: the bytes (UTF-8 for ordinary characters, raw bytes for escapes). */
  readonly bytes?: readonly number[];
  readonly pos: SrcPos;
}

export interface LexError {
  readonly pos: SrcPos;
  readonly message: string;
}

const ID_START = /[A-Za-z_.$]/;
const ID_CHAR = /[A-Za-z0-9_.$]/;
const TWO_CHAR_OPS = new Set(['<<', '>>', '==', '!=', '<>', '<=', '>=', '&&', '||']);

/**
 * Replaces every comment by spaces (keeping newlines, so lines and columns stay right).
 * String and character literals are respected: `"//"` is not a comment.
 */
export function stripComments(src: string): string {
  const out: string[] = [];
  let i = 0;
  let lineStart = true;
  while (i < src.length) {
    const c = src[i]!;
    if (lineStart && c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') {
      lineStart = false;
      if (c === '#') {
        while (i < src.length && src[i] !== '\n') {
          out.push(' ');
          i++;
        }
        continue;
      }
    }
    if (c === '\n') {
      lineStart = true;
      out.push(c);
      i++;
    } else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') {
        out.push(' ');
        i++;
      }
    } else if (c === '/' && src[i + 1] === '*') {
      out.push('  ');
      i += 2;
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) {
        out.push(src[i] === '\n' ? '\n' : ' ');
        i++;
      }
      if (i < src.length) {
        out.push('  ');
        i += 2;
      }
    } else if (c === '"') {
      const end = skipString(src, i);
      out.push(src.slice(i, end));
      i = end;
    } else if (c === "'") {
      const end = Math.min(src.length, i + (src[i + 1] === '\\' ? 3 : 2));
      out.push(src.slice(i, end));
      i = end;
    } else {
      out.push(c);
      i++;
    }
  }
  return out.join('');
}

function skipString(src: string, i: number): number {
  let j = i + 1;
  while (j < src.length && src[j] !== '"' && src[j] !== '\n') j += src[j] === '\\' ? 2 : 1;
  return j < src.length && src[j] === '"' ? j + 1 : j;
}

/**
 * One statement's text before tokenizing: where it starts and the line it came from. Macro
 * and `.rept` expansion (macros.ts) works on these, since GNU as substitutes text.
 */
export interface RawStatement {
  readonly text: string;
  readonly line: number;
  /** 1-based column of `text` in `source`. */
  readonly column: number;
  readonly source: string;
}

/** Splits source into raw statements: comments removed, at newlines and at `;` outside strings. */
export function splitStatements(src: string): RawStatement[] {
  const out: RawStatement[] = [];
  stripComments(src).split('\n').forEach((raw, idx) => {
    const source = raw.replace(/\r$/, '');
    let start = 0;
    const push = (end: number): void => {
      const seg = source.slice(start, end);
      const lead = seg.length - seg.trimStart().length;
      if (seg.trim() !== '') out.push({ text: seg.trimStart().trimEnd(), line: idx + 1, column: start + lead + 1, source });
    };
    for (let i = 0; i < source.length; i++) {
      const c = source[i];
      if (c === '"') i = skipString(source, i) - 1;
      else if (c === "'") i += source[i + 1] === '\\' ? 2 : 1;
      else if (c === ';') {
        push(i);
        start = i + 1;
      }
    }
    push(source.length);
  });
  return out;
}

/** Tokenizes a raw statement (positions are in its source line). */
export function lexStatement(raw: RawStatement, errors: LexError[]): Token[] {
  return lexLine(raw.text, raw.line, errors, raw.column - 1);
}

/** Tokenizes one line (comments already removed); `offset` is added to every column. */
export function lexLine(text: string, line: number, errors: LexError[], offset = 0): Token[] {
  const toks: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const pos = { line, column: i + 1 + offset };
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') {
      i++;
    } else if (/[0-9]/.test(c)) {
      i = lexNumber(text, i, pos, toks, errors);
    } else if (ID_START.test(c)) {
      let j = i + 1;
      while (j < text.length && ID_CHAR.test(text[j]!)) j++;
      toks.push({ kind: 'id', text: text.slice(i, j), pos });
      i = j;
    } else if (c === '"') {
      const r = decodeString(text, i);
      if (r.error) errors.push({ pos, message: r.error });
      toks.push({ kind: 'str', text: text.slice(i, r.end), bytes: r.bytes, pos });
      i = r.end;
    } else if (c === "'") {
      const r = decodeChar(text, i + 1);
      if (r === null) {
        errors.push({ pos, message: 'unterminated character constant' });
        i = text.length;
      } else {
        toks.push({ kind: 'num', text: text.slice(i, r.end), num: BigInt(r.code), pos });
        i = r.end < text.length && text[r.end] === "'" ? r.end + 1 : r.end;
      }
    } else {
      const two = text.slice(i, i + 2);
      const op = TWO_CHAR_OPS.has(two) ? two : c;
      toks.push({ kind: 'p', text: op, pos });
      i += op.length;
    }
  }
  return toks;
}

function lexNumber(text: string, i: number, pos: SrcPos, toks: Token[], errors: LexError[]): number {
  let j = i;
  while (j < text.length && /[0-9A-Za-z_]/.test(text[j]!)) j++;
  const word = text.slice(i, j);
  const lower = word.toLowerCase();
  // Numeric local label references: `1b`, `42f` (Arm GNU as, "Local Labels").
  const lref = /^([0-9]+)([bf])$/.exec(lower);
  if (lref && !/^0b[01]+$/.test(lower)) {
    toks.push({ kind: 'lref', text: lref[1]!, dir: lref[2] as 'b' | 'f', pos });
    return j;
  }
  let value: bigint | null = null;
  if (/^0x[0-9a-f]+$/.test(lower)) value = BigInt(lower);
  else if (/^0b[01]+$/.test(lower)) value = BigInt(lower);
  else if (/^0[0-7]*$/.test(lower)) value = BigInt('0o' + (lower.slice(1) || '0'));
  else if (/^[1-9][0-9]*$/.test(lower)) value = BigInt(lower);
  if (value === null) {
    errors.push({ pos, message: `malformed number '${word}'` });
    value = 0n;
  } else if (value >= 1n << 64n) {
    errors.push({ pos, message: `number '${word}' does not fit in 64 bits` });
    value = 0n;
  }
  // Expressions are 64-bit two's complement: 0xffffffffffffffff is -1.
  value = BigInt.asIntN(64, value);
  toks.push({ kind: 'num', text: word, num: value, pos });
  return j;
}

const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, e: 27, '\\': 92, '"': 34, "'": 39 };

/** Decodes one possibly escaped character at `i`; returns its code and the index after it. */
function decodeChar(text: string, i: number): { code: number; end: number } | null {
  if (i >= text.length) return null;
  if (text[i] !== '\\') return { code: text.charCodeAt(i), end: i + 1 };
  const e = text[i + 1];
  if (e === undefined) return null;
  if (e === 'x' || e === 'X') {
    const m = /^[0-9a-fA-F]{1,2}/.exec(text.slice(i + 2));
    if (!m) return { code: 0, end: i + 2 };
    return { code: parseInt(m[0], 16), end: i + 2 + m[0].length };
  }
  if (/[0-7]/.test(e)) {
    const m = /^[0-7]{1,3}/.exec(text.slice(i + 1))!;
    return { code: parseInt(m[0], 8) & 0xff, end: i + 1 + m[0].length };
  }
  return { code: ESCAPES[e] ?? e.charCodeAt(0), end: i + 2 };
}

const utf8 = new TextEncoder();

function decodeString(text: string, i: number): { bytes: number[]; end: number; error?: string } {
  let j = i + 1;
  const bytes: number[] = [];
  while (j < text.length && text[j] !== '"') {
    if (text[j] === '\\') {
      const r = decodeChar(text, j)!;
      bytes.push(r.code & 0xff);
      j = r.end;
    } else {
      const cp = text.codePointAt(j)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...utf8.encode(ch));
      j += ch.length;
    }
  }
  if (j >= text.length) return { bytes, end: j, error: 'unterminated string' };
  return { bytes, end: j + 1 };
}
