export type { CostReport, CostTotals, RouteExplanation } from '@forge/ledger-views';
export { ensureOperatorKey, OperatorKey, readOperatorKey } from './api-keys.js';
export {
  type Command,
  type CommonOptions,
  type CostsOptions,
  type Env,
  type LedgerReadOptions,
  parseCommand,
  type RouteExplainOptions,
  type SendOptions,
  type StatusOptions,
  type UpOptions,
  usageOf,
} from './args.js';
export { EXIT, runCli } from './cli.js';
export { describeApproval } from './commands/approvals.js';
export type { ServiceStatus } from './commands/status.js';
export { type Io, memoryIo, processIo } from './io.js';
export { MeshFile, readLiveMeshFile } from './mesh-file.js';
export { type BrainPaths, brainPaths, defaultRoutingConfigPath, defaultStateDir } from './paths.js';
export {
  AGENT_CARD_PATH,
  AGENT_TABLE,
  findAgent,
  PG_PORT_OFFSET,
  type PlacedService,
  placeServices,
  RESERVED_OFFSETS,
  ROUTER,
  SERVICE_TABLE,
  type ServiceSpec,
} from './service-table.js';
export type { UpReport } from './up-report.js';
