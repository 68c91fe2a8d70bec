import { skillManifests } from '@forge/agent-kit';
import { ForgeError, type SkillManifest } from '@forge/contracts';
import { complianceAgent } from '@forge/service-compliance';
import { diaryAgent } from '@forge/service-diary';
import { engagementAgent } from '@forge/service-engagement';
import { marketingAgent } from '@forge/service-marketing';
import { publisherAgent } from '@forge/service-publisher';
import { scoutAgent } from '@forge/service-scout';
import type { Workload } from './workload.js';

/** The six agent services' skills, as they register them at start (critical marks included). */
export const MANIFESTS: SkillManifest[] = [
  scoutAgent,
  complianceAgent,
  engagementAgent,
  publisherAgent,
  marketingAgent,
  diaryAgent,
].flatMap((agent) => skillManifests(agent));

/** Every task type must name a skill some service has: the router rejects unknown skills. */
export function checkSkills(workload: Workload, source: string): void {
  const known = new Set(MANIFESTS.map((m) => m.skill));
  const issues = workload.tasks.flatMap((t, i) =>
    known.has(t.skill) ? [] : [`tasks[${i}].skill: no agent service has skill ${t.skill}`],
  );
  if (issues.length > 0) {
    throw new ForgeError(
      'BAD_CONFIG',
      `invalid workload ${source}:\n  ${issues.join('\n  ')}\n  known skills: ${[...known].sort().join(', ')}`,
      {
        retryable: false,
      },
    );
  }
}
