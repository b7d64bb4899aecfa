/** A value or an error, for APIs whose failures are expected (bad input), not bugs. */
export type Result<T, E = string> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function err<E>(error: E): Result<never, E> {
  return { ok: false, error };
}

/** A simulator bug (STYLE rule 15c): never thrown because of guest code or user input. */
export class SimulatorBug extends Error {
  constructor(message: string) {
    super(`simulator bug: ${message}`);
    this.name = 'SimulatorBug';
  }
}

export function bug(message: string): never {
  throw new SimulatorBug(message);
}
