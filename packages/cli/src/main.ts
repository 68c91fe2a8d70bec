/**
 * The `forge` command (`pnpm forge …`). Exits with the code `runCli` resolves to, so handles
 * left open by a library (a socket, a timer) never keep the CLI alive.
 */
import { runCli } from './cli.js';
import { processIo } from './io.js';

const code = await runCli(process.argv.slice(2), processIo());
process.exit(code);
