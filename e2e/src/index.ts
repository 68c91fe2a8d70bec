// What the benches reuse of the end-to-end harness (bench chaos runs the same fault run, heavier).
export { type ChaosOptions, type ChaosReport, type FaultResult, runChaos } from './chaos/run-chaos.js';
export type { TaskAudit } from './chaos/task-audit.js';
export { launchChromium, PHONE } from './console-browser.js';
export {
  type BrainHandle,
  type FederationPair,
  rssBytes,
  SECRETS as FEDERATION_SECRETS,
  startFederationPair,
} from './federation/federation-pair.js';
export { fetchToken, resultOf, rpc, skillMessage, stateOf, taskOf } from './federation/wire.js';
