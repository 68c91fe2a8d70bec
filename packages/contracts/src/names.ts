import { z } from 'zod';

/** A brain's name: lower-case, used as subject token, stream name part and Postgres schema suffix. */
export const BrainName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,30}$/, 'must be 1-31 of a-z, 0-9, _ and start with a letter');
export type BrainName = z.infer<typeof BrainName>;

/** An agent type's name (scout, compliance, ...). */
export const AgentName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be 1-40 of a-z, 0-9, - and start with a letter');
export type AgentName = z.infer<typeof AgentName>;

/** A skill's id within its agent (review, fetch-feed, ...). */
export const SkillId = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be 1-64 of a-z, 0-9, - and start with a letter');
export type SkillId = z.infer<typeof SkillId>;

/** A skill named across the mesh: `<agent>.<skill>`, e.g. `compliance.review`. */
export const SkillRef = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}\.[a-z][a-z0-9-]{0,63}$/, 'must be <agent>.<skill>, e.g. compliance.review');
export type SkillRef = z.infer<typeof SkillRef>;

export function skillRef(agent: string, skill: string): SkillRef {
  return `${agent}.${skill}`;
}

/** Splits `compliance.review` into its agent and skill. The input must already be a valid SkillRef. */
export function splitSkillRef(ref: SkillRef): { agent: string; skill: string } {
  const dot = ref.indexOf('.');
  return { agent: ref.slice(0, dot), skill: ref.slice(dot + 1) };
}
