/** The commands the CLI knows; `help` prints the usage of the others. */
export const COMMANDS = [
  'up',
  'status',
  'send',
  'route',
  'costs',
  'schedule',
  'approvals',
  'tasks',
  'partners',
  'console',
  'migrate',
  'help',
] as const;
export type CommandName = (typeof COMMANDS)[number];

const COMMON = `  --brain <name>        brain prefix (FORGE_BRAIN, default local)
  --port-base <port>    first port of the brain's range (FORGE_PORT_BASE, default 7300)
  --state-dir <dir>     state folder (FORGE_STATE_DIR, default <repo>/.forge)
  --json                machine-readable output`;

const LEDGER = `  --config <file>       routing config (FORGE_ROUTING_CONFIG; default the running mesh's, else config/forge.yaml)
  The brain's Postgres: the embedded one its running \`forge up\` started, else DATABASE_URL.`;

const USAGE: Readonly<Record<CommandName, string>> = {
  up: `usage: forge up [flags]
  Starts the local mesh: NATS (NATS_URL), Postgres (DATABASE_URL, else embedded), the router, then
  every agent, the scheduler and the offline day (its feeds and sensors on loopback). Model keys (ANTHROPIC_API_KEY, OPENAI_API_KEY, or *_FILE) pass through to the
  router; without any, models run OFFLINE (the built-in offline provider, shadow costs only).
${COMMON}
  --config <file>       routing config for the router (FORGE_ROUTING_CONFIG, default config/forge.yaml)
  --pg-port <port>      embedded Postgres port (FORGE_PG_PORT, default port-base+50)
  --log-level <level>   services' log level (FORGE_LOG_LEVEL, default info)
  --json-logs           pass service logs through as raw JSON lines
  --ready-timeout <s>   give up when not every service is ready after this long (default 60)
  --fast                run the day 360 times faster from 06:00 today: a tick every few seconds, a day in 4 minutes
  --otlp <url>          export every service's traces and metrics over OTLP/HTTP to <url>
                        (OTEL_EXPORTER_OTLP_ENDPOINT; e.g. http://127.0.0.1:4318, a collector or Jaeger)
  --federation <file>   run the gateway with this federation config (FORGE_FEDERATION_CONFIG)
  --brains <a,b,...>    run several brains, each a whole mesh of its own (ports port-base+100*i,
                        schema, streams, keys) with its gateway, from <dir>/<name>/federation.yaml
                        (FORGE_BRAINS_DIR, default config/brains)`,
  schedule: `usage: forge schedule list|run <name>|pause <name>|resume <name> [flags]
  The scheduler's schedules (config/schedules.yaml): list shows each one's cron, skill and tier, its
  next run and its last run with the task's state; run submits one now (a manual run, under the
  same overlap rule); pause stops its ticks (they are not run later); resume starts them again.
  Asks the running scheduler over NATS (NATS_URL, else the running mesh's).
${COMMON}
  --reason <text>       why (pause), recorded with who paused
  --timeout <s>         give up waiting for the scheduler after this long (default 30)`,
  status: `usage: forge status [flags]
  Probes every service's /readyz and agent card.
${COMMON}`,
  send: `usage: forge send <agent> <skill> [flags]
       forge send partner/<name>/<agent>.<skill> [flags]
  Sends an A2A message asking <agent> to run <skill> and prints the resulting task. The second form
  asks a partner brain through this brain's gateway (its \`partners.ask\` skill).
${COMMON}
  --input <json|@file>  the skill's input, inline JSON or @path to a JSON file (default {})
  --stream              stream status events as they arrive (SendStreamingMessage)
  --timeout <s>         give up after this long (default 120)`,
  route: `usage: forge route explain <agent>.<skill> [flags]
  Says which tier and model the router would give a task of <skill> now, and why: the same
  policy code over the same routing config, the skill's manifest from the brain's registry and
  this month's budgets from the brain's Postgres.
${COMMON}
${LEDGER}
  --input <json|@file>  the task's input (its size feeds the input-size rules; default {})
  --principal <name>    who asks (default operator); the API principal for an a2a origin
  --origin <kind>       a2a, partner, schedule or agent (default a2a)
  --pending <n>         tasks waiting to be routed, for the backlog rules (default: not considered)`,
  costs: `usage: forge costs [flags]
  Spend from the brain's cost ledger: by tier, agent and day; month to date and a month-end
  projection; offline shadow cost apart; and what the same tokens would cost all on frontier.
${COMMON}
${LEDGER}
  --since <when>        7d, 30d, a date (2026-11-01) or an ISO date-time (default: start of this UTC month)`,
  approvals: `usage: forge approvals list|show|approve|reject [<id>] [flags]
  The approval queue (compliance's, over its HTTP API, as the operator): what waits for a person,
  with the draft, the policy verdict, the rules fired and the frontier reasoning.
${COMMON}
  list                  newest first; --status pending|approved|rejected|blocked, --kind post|budget, --limit N
  show <id>             one item with its whole history
  approve <id>          approve it; --text "..." edits then approves; --at <ISO time> or --now picks when it goes out
  reject <id>           reject it; --reason "..." (required)`,
  tasks: `usage: forge tasks [flags]
  Recent tasks, newest first, as the console's tasks page shows them: skill, tier, model, cost (the
  sum of the task's ledger rows; offline shadow cost apart), state, and who asked.
${COMMON}
${LEDGER}
  --open                only tasks still in flight (submitted, working, input-required, auth-required)
  --skill <agent.skill> only tasks of this skill
  --limit <n>           at most this many (1-500, default 20)`,
  partners: `usage: forge partners [flags]
  Calls, errors and spend per partner brain, as the console's partners page shows them: calls a
  partner made of this brain (tasks of a partner origin) by state and skill, the error rate (failed,
  rejected or canceled over the calls that ended), the cost ledger's spend on its work by tier and
  skill, this brain's own \`partners.ask\` calls to it, and the recent failed calls; for the window
  and for the last 24 hours. --json prints {brain, database, currency, window, last24h}, money as
  integer micro-USD.
${COMMON}
${LEDGER}
  --since <when>        24h, 7d, a date (2026-11-01) or an ISO date-time (default: start of this UTC month)`,
  console: `usage: forge console [url|reset-password|hash-password] [flags]
  The operator's web console that \`forge up\` starts (port-base+9). url (the default) prints where
  it is and where its password is kept; reset-password makes a new first-login secret, prints it
  once and keeps it (mode 0600) under the brain's state folder; restart \`forge up\` to use it.
  hash-password reads a password on stdin and prints its scrypt hash, for a cluster's Secret
  (key password-hash; see docs/operations.md).
${COMMON}`,
  migrate: `usage: forge migrate [flags]
  Brings the brain's schema in DATABASE_URL up to the newest migration (what the chart's
  migrations Job runs before the services roll). Idempotent; replicas of it wait on each other.
${COMMON}
  --wait <s>            keep retrying while Postgres does not answer yet, up to this long (default 60)`,
  help: `usage: forge <command> [flags]
  commands:
    up             start the local mesh (NATS, Postgres, the router, every agent)
    status         show which services are healthy, with their agent cards
    send           send a task to an agent and print the resulting A2A task
    route explain  show the tier the router gives a skill, and why
    costs          spend by tier, agent and day, against an all-frontier baseline
    schedule       list, run, pause or resume the scheduled tasks
    approvals      list, show, approve or reject what waits for a person
    tasks          recent and live tasks with tier, model, cost and state
    partners       calls, errors and spend per partner brain
    console        the web console's URL and password (url, reset-password, hash-password)
    migrate        apply the store migrations to the brain's schema in DATABASE_URL
  Run \`forge <command> --help\` for a command's flags. Set FORGE_DEBUG=1 for stack traces.`,
};

/** The usage text of one command (or of the CLI as a whole). */
export function usage(command: CommandName = 'help'): string {
  return USAGE[command];
}
