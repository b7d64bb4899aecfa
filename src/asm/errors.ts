/**
 * Diagnostics of the assembler: every problem in the input becomes an AsmError with a
 * `file:line:column` position, collected in a list; the assembler never throws on bad input.
 */

/** A position in the source: 1-based line and column. */
export interface SrcPos {
  readonly line: number;
  readonly column: number;
}

/** One diagnostic. `format()` gives the GNU-style `file:line:col: error: message`. */
export class AsmError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly message: string,
    readonly severity: 'error' | 'warning' = 'error',
  ) {}

  format(): string {
    return `${this.file}:${this.line}:${this.column}: ${this.severity}: ${this.message}`;
  }

  toString(): string {
    return this.format();
  }
}

/** Collects diagnostics for one source file. */
export class Diagnostics {
  readonly errors: AsmError[] = [];
  readonly warnings: AsmError[] = [];

  constructor(readonly file: string) {}

  error(pos: SrcPos, message: string): void {
    this.errors.push(new AsmError(this.file, pos.line, pos.column, message));
  }

  warn(pos: SrcPos, message: string): void {
    this.warnings.push(new AsmError(this.file, pos.line, pos.column, message, 'warning'));
  }
}
