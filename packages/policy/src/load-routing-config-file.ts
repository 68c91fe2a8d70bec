import { readFile } from 'node:fs/promises';
import { ForgeError } from '@forge/contracts';
import { parseRoutingConfig } from './parse-routing-config.js';
import type { RoutingConfig } from './routing-config.js';

/**
 * Reads and parses a routing config file (the only I/O in this package). A missing or
 * unreadable file and an invalid one are both BAD_CONFIG ForgeErrors; a caller reloading on
 * SIGHUP keeps its current config when this throws, and logs the error's message.
 */
export async function loadRoutingConfigFile(path: string): Promise<RoutingConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ForgeError('BAD_CONFIG', `cannot read routing config ${path}: ${code}`, {
      retryable: false,
      cause: error,
      details: { source: path },
    });
  }
  return parseRoutingConfig(text, path);
}
