import { ForgeError } from '@forge/contracts';
import { hashPassword } from '@forge/service-runtime';
import type { ConsoleOptions } from '../args.js';
import { CONSOLE_OPERATOR, ensureConsolePassword } from '../console-secret.js';
import type { Io } from '../io.js';
import { brainPaths } from '../paths.js';
import { CONSOLE, placeServices } from '../service-table.js';

/**
 * `forge console [url|reset-password|hash-password]`: where the brain's console is (port-base+9) and how to log
 * in; `reset-password` makes a new first-login secret and prints it this once (the running
 * console keeps the old hash until `forge up` restarts it). `--json`: `{url, operator,
 * passwordFile, firstLoginSecret?}`.
 */
export async function runConsole(options: ConsoleOptions, io: Io): Promise<number> {
  if (options.action === 'hash-password') {
    const password = (await readStdin()).replace(/\r?\n$/, '');
    if (password.length < 12) {
      throw new ForgeError('BAD_INPUT', 'password: give at least 12 characters on stdin');
    }
    const hash = await hashPassword(password);
    io.out(options.json ? JSON.stringify({ passwordHash: hash }) : hash);
    return 0;
  }
  const paths = brainPaths(options.stateDir, options.brain);
  const url = placeServices(options.portBase).find((s) => s.name === CONSOLE)!.url;
  const reset =
    options.action === 'reset-password' ? await ensureConsolePassword(paths, { reset: true }) : null;
  if (options.json) {
    io.out(
      JSON.stringify({
        url,
        operator: CONSOLE_OPERATOR,
        passwordFile: paths.consolePassword,
        ...(reset ? { firstLoginSecret: reset.password } : {}),
      }),
    );
    return 0;
  }
  io.out(`console  ${url}  (log in as ${CONSOLE_OPERATOR})`);
  if (reset) {
    io.out(`new first-login secret: ${reset.password}`);
    io.out(`kept in ${paths.consolePassword} (mode 0600); restart \`forge up\` for the console to take it`);
  } else {
    io.out(`password in ${paths.consolePassword} (mode 0600), made by the first \`forge up\``);
  }
  return 0;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
