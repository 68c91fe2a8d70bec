import { z } from 'zod';

/**
 * A pattern over skill refs (`<agent>.<skill>`): `*` matches any run of characters, so
 * `scout.*` is every scout skill, `*.review` every review skill, `*` everything.
 */
export const SkillGlob = z
  .string()
  .regex(/^[a-z0-9*-]+(\.[a-z0-9*-]+)?$/, 'must be a skill ref pattern such as scout.* or *.review');
export type SkillGlob = z.infer<typeof SkillGlob>;

/** Compiles a validated glob into a predicate; anchored, so `scout.*` never matches `xscout.a`. */
export function compileSkillGlob(glob: SkillGlob): (skill: string) => boolean {
  if (!glob.includes('*')) return (skill) => skill === glob;
  const source = glob.replaceAll('.', '\\.').replaceAll('*', '.*');
  const pattern = new RegExp(`^${source}$`);
  return (skill) => pattern.test(skill);
}
