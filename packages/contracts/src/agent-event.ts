import { z } from 'zod';
import { AgentName, BrainName } from './names.js';

export const AGENT_EVENT_VERSION = 1;

/** Something an agent observed or did, for the diary and the console. */
export const AgentEvent = z.object({
  v: z.literal(AGENT_EVENT_VERSION),
  id: z.uuid(),
  brain: BrainName,
  agent: AgentName,
  kind: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be kebab-case'),
  taskId: z.uuid().optional(),
  at: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export type AgentEvent = z.infer<typeof AgentEvent>;
