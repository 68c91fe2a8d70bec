import { z } from 'zod';
import { AgentName, SkillRef } from './names.js';
import { Tier } from './tier.js';

/**
 * What an agent declares about one of its skills, registered in Postgres when the agent starts
 * so the router can route tasks it has never seen an agent card for.
 * `critical` can only be added by routing config, never removed.
 */
export const SkillManifest = z.object({
  skill: SkillRef,
  agent: AgentName,
  description: z.string(),
  tierHint: Tier,
  critical: z.boolean(),
  inputSchema: z.record(z.string(), z.unknown()),
  outputSchema: z.record(z.string(), z.unknown()),
});
export type SkillManifest = z.infer<typeof SkillManifest>;
