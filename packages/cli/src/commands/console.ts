import { ForgeError } from '@forge/contracts';
import { hashPassword } from '@forge/service-runtime';
import { createPool, PgConsoleSessionRepository, schemaForBrain } from '@forge/store';
import { createLogger } from '@forge/telemetry';
import type { ConsoleOptions } from '../args.js';
import { locateDatabase } from '../brain-reader.js';
import { CONSOLE_OPERATOR, ensureConsolePassword } from '../console-secret.js';
import type { Io } from '../io.js';
import { readLiveMeshFile } from '../mesh-file.js';
import { brainPaths } from '../paths.js';
import { redactPostgresUrl } from '../postgres.js';
import { CONSOLE, placeServices } from '../service-table.js';

/**
 * `forge console [url|reset-password|hash-password]`: where the brain's console is (port-base+9) and how to log
 * in; `reset-password` makes a new first-login secret, prints it this once and ends every console
 * session of the brain (in its Postgres: the running mesh's, else DATABASE_URL); the running
 * console keeps the old hash until `forge up` restarts it. `--json`: `{url, operator,
 * passwordFile, firstLoginSecret?, sessionsEnded?}`.
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
  const sessionsEnded = reset ? await endConsoleSessions(options, io) : undefined;
  if (options.json) {
    io.out(
      JSON.stringify({
        url,
        operator: CONSOLE_OPERATOR,
        passwordFile: paths.consolePassword,
        ...(reset ? { firstLoginSecret: reset.password, sessionsEnded } : {}),
      }),
    );
    return 0;
  }
  io.out(`console  ${url}  (log in as ${CONSOLE_OPERATOR})`);
  if (reset) {
    io.out(`new first-login secret: ${reset.password}`);
    io.out(`ended ${sessionsEnded} console session(s)`);
    io.out(`kept in ${paths.consolePassword} (mode 0600); restart \`forge up\` for the console to take it`);
  } else {
    io.out(`password in ${paths.consolePassword} (mode 0600), made by the first \`forge up\``);
  }
  return 0;
}

/**
 * Ends every console session of the brain, so whoever held the old password is logged out.
 * The new secret is already written: when the database cannot be reached the error says so,
 * and running the command again (with DATABASE_URL) ends them.
 */
async function endConsoleSessions(options: ConsoleOptions, io: Io): Promise<number> {
  const mesh = await readLiveMeshFile(brainPaths(options.stateDir, options.brain).mesh);
  let url: string;
  try {
    ({ url } = await locateDatabase(options, mesh));
  } catch (error) {
    throw new ForgeError(
      'UNAVAILABLE',
      `the new secret is written, but the console's sessions were NOT ended: ${(error as Error).message}`,
      { retryable: false },
    );
  }
  const pool = createPool({
    connectionString: url,
    max: 1,
    applicationName: 'forge-cli',
    connectionTimeoutMs: 3_000,
    logger: createLogger({ name: 'forge-cli', level: 'warn', destination: process.stderr }),
  });
  try {
    return await new PgConsoleSessionRepository(pool, schemaForBrain(options.brain)).deleteAll();
  } catch (error) {
    io.err(`forge: could not end the console sessions at ${redactPostgresUrl(url)}`);
    throw new ForgeError(
      'UNAVAILABLE',
      `the new secret is written, but the console's sessions were NOT ended: ${(error as Error).message}`,
      { retryable: false, cause: error },
    );
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
