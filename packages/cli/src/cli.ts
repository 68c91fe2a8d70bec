import { ForgeError } from '@forge/contracts';
import { type Command, parseCommand, usageOf } from './args.js';
import type { Io } from './io.js';
import { usage } from './usage.js';

/** Exit codes: 0 done, 1 failed (or something is unhealthy), 2 the command line was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

async function dispatch(command: Command, io: Io): Promise<number> {
  switch (command.name) {
    case 'help':
      if (command.json) io.out(JSON.stringify({ usage: usage(command.topic) }));
      else io.out(usage(command.topic));
      return EXIT.ok;
    // Each command loads only what it needs: `status` stays quick, `up` and `send` bring the kit,
    // `route` and `costs` the policy code and Postgres.
    case 'up':
      if (command.options.brains.length > 0)
        return (await import('./commands/up-brains.js')).runUpBrains(command.options, io);
      return (await import('./commands/up.js')).runUp(command.options, io);
    case 'status':
      return (await import('./commands/status.js')).runStatus(command.options, io);
    case 'send':
      return (await import('./commands/send.js')).runSend(command.options, io);
    case 'route-explain':
      return (await import('./commands/route-explain.js')).runRouteExplain(command.options, io);
    case 'costs':
      return (await import('./commands/costs.js')).runCosts(command.options, io);
    case 'schedule':
      return (await import('./commands/schedule.js')).runSchedule(command.options, io);
    case 'approvals':
      return (await import('./commands/approvals.js')).runApprovals(command.options, io);
    case 'tasks':
      return (await import('./commands/tasks.js')).runTasks(command.options, io);
    case 'partners':
      return (await import('./commands/partners.js')).runPartners(command.options, io);
    case 'console':
      return (await import('./commands/console.js')).runConsole(command.options, io);
    case 'migrate':
      return (await import('./commands/migrate.js')).runMigrate(command.options, io);
  }
}

/**
 * Runs `forge <argv...>` and resolves with the exit code. Never throws: an error becomes one
 * line on stderr (`--json`: `{"error":{"code","message"}}`), with the stack only when
 * FORGE_DEBUG=1; a usage error is followed by the command's usage and exits 2.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const json = argv.includes('--json');
  try {
    return await dispatch(parseCommand(argv, io.env), io);
  } catch (thrown) {
    const error = ForgeError.from(thrown);
    const topic = usageOf(error);
    if (json) io.err(JSON.stringify({ error: { code: error.code, message: error.message } }));
    else io.err(`forge: ${error.message}`);
    if (io.env.FORGE_DEBUG === '1' && thrown instanceof Error && thrown.stack) io.err(thrown.stack);
    if (topic === null) return EXIT.failed;
    if (!json) io.err(usage(topic));
    return EXIT.usage;
  }
}
