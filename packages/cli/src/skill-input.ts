import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { usageError } from './arg-rules.js';
import type { CommandName } from './usage.js';

/**
 * The skill input given with `--input`: inline JSON, or `@path` to a file holding JSON
 * (relative to `cwd`); `{}` when the flag is absent. Throws a usage error of `command` naming
 * `--input` when the file cannot be read or the text is not JSON.
 */
export async function readSkillInput(
  raw: string | undefined,
  cwd = process.cwd(),
  command: CommandName = 'send',
): Promise<unknown> {
  if (raw === undefined) return {};
  let text = raw;
  let where = 'the value';
  if (raw.startsWith('@')) {
    const path = resolve(cwd, raw.slice(1));
    where = raw;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw usageError(command, `invalid --input: cannot read ${path} (${code})`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw usageError(command, `invalid --input: ${where} is not JSON (${reason})`);
  }
}
