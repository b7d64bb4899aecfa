/** The shape of one `sekvm-sim` subcommand. */
export interface Command {
  /** Name typed after `sekvm-sim`. */
  readonly name: string;
  /** One line for `sekvm-sim --help`. */
  readonly summary: string;
  /** Full usage text for `sekvm-sim NAME --help`. */
  readonly usage: string;
  /** Runs the command; resolves to the process exit status. */
  run(argv: readonly string[]): Promise<number>;
}

/** A usage error: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
