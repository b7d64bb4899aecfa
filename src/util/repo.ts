/** Paths inside the repository (guests, keys), valid from src/ (tests) and dist/ (built CLI). */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export function repoPath(...parts: string[]): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', ...parts);
}
