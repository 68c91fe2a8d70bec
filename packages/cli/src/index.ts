export { ensureOperatorKey, OperatorKey, readOperatorKey } from './api-keys.js';
export {
  type Command,
  type CommonOptions,
  type Env,
  parseCommand,
  type SendOptions,
  type StatusOptions,
  type UpOptions,
  usageOf,
} from './args.js';
export { EXIT, runCli } from './cli.js';
export type { ServiceStatus } from './commands/status.js';
export { type Io, memoryIo, processIo } from './io.js';
export { MeshFile, readLiveMeshFile } from './mesh-file.js';
export { type BrainPaths, brainPaths, defaultStateDir } from './paths.js';
export {
  AGENT_CARD_PATH,
  PG_PORT_OFFSET,
  type PlacedService,
  placeServices,
  RESERVED_OFFSETS,
  SERVICE_TABLE,
  type ServiceSpec,
} from './service-table.js';
export type { UpReport } from './up-report.js';
