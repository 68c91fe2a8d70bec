/** The commands the CLI knows; `help` prints the usage of the others. */
export const COMMANDS = ['up', 'status', 'send', 'help'] as const;
export type CommandName = (typeof COMMANDS)[number];

const COMMON = `  --brain <name>        brain prefix (FORGE_BRAIN, default local)
  --port-base <port>    first port of the brain's range (FORGE_PORT_BASE, default 7300)
  --state-dir <dir>     state folder (FORGE_STATE_DIR, default <repo>/.forge)
  --json                machine-readable output`;

const USAGE: Readonly<Record<CommandName, string>> = {
  up: `usage: forge up [flags]
  Starts the local mesh: NATS (NATS_URL), Postgres (DATABASE_URL, else embedded) and every service.
${COMMON}
  --pg-port <port>      embedded Postgres port (FORGE_PG_PORT, default port-base+50)
  --log-level <level>   services' log level (FORGE_LOG_LEVEL, default info)
  --json-logs           pass service logs through as raw JSON lines
  --ready-timeout <s>   give up when not every service is ready after this long (default 60)`,
  status: `usage: forge status [flags]
  Probes every service's /readyz and agent card.
${COMMON}`,
  send: `usage: forge send <agent> <skill> [flags]
  Sends an A2A message asking <agent> to run <skill> and prints the resulting task.
${COMMON}
  --input <json|@file>  the skill's input, inline JSON or @path to a JSON file (default {})
  --stream              stream status events as they arrive (SendStreamingMessage)
  --timeout <s>         give up after this long (default 120)`,
  help: `usage: forge <command> [flags]
  commands:
    up       start the local mesh (NATS, Postgres, every service)
    status   show which services are healthy, with their agent cards
    send     send a task to an agent and print the resulting A2A task
  Run \`forge <command> --help\` for a command's flags. Set FORGE_DEBUG=1 for stack traces.`,
};

/** The usage text of one command (or of the CLI as a whole). */
export function usage(command: CommandName = 'help'): string {
  return USAGE[command];
}
