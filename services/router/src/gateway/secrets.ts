import { readFileSync } from 'node:fs';
import { ForgeError } from '@forge/contracts';

/**
 * A secret named by an environment variable: the variable's value, or the contents (trimmed) of
 * the file named by `<NAME>_FILE` (a mounted Kubernetes secret). Undefined when neither is set.
 * An unreadable or empty file is BAD_CONFIG naming the variable; no message ever holds the value.
 */
export function readSecret(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct.trim() !== '') return direct.trim();
  const file = env[`${name}_FILE`];
  if (file === undefined || file.trim() === '') return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ForgeError('BAD_CONFIG', `${name}_FILE: cannot read ${file} (${code})`, { retryable: false });
  }
  const value = text.trim();
  if (value === '')
    throw new ForgeError('BAD_CONFIG', `${name}_FILE: ${file} is empty`, { retryable: false });
  return value;
}
