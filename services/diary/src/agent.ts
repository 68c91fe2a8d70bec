import { type AgentDefinition, defineAgent, defineSkill } from '@forge/agent-kit';
import { Late } from '@forge/day';
import type { DiaryDeps, DiaryRuntime } from './diary-deps.js';
import { nightlyEntrySkill } from './skills/nightly-entry.js';
import { recallSkill } from './skills/recall.js';
import { sensorAlertSkill } from './skills/sensor-alert.js';
import { synthesizeLessonsSkill } from './skills/synthesize-lessons.js';
import { weeklyReportSkill } from './skills/weekly-report.js';
import { weeklySynthesisSkill } from './skills/weekly-synthesis.js';

/**
 * The diary writer: sensor alerts and the weekly cultivation report from templates (tool), the
 * company's memory from every agent's notable events (observations): a nightly entry (mid), a
 * weekly synthesis into three durable lessons (frontier), and recall of lessons for prompts (tool).
 */
export function createDiaryAgent(runtime: DiaryRuntime): AgentDefinition {
  return defineAgent({
    name: 'diary',
    description:
      'Keeps the grow diary and the company memory: turns sensor readings into alerts, fills the weekly ' +
      'cultivation report, writes a nightly entry from agent observations, distils each week into three durable ' +
      'lessons, and recalls the lessons relevant to a text.',
    defaultSkill: 'sensor-alert',
    skills: [
      defineSkill(sensorAlertSkill),
      defineSkill(weeklyReportSkill),
      defineSkill(synthesizeLessonsSkill),
      defineSkill(nightlyEntrySkill(runtime)),
      defineSkill(weeklySynthesisSkill(runtime)),
      defineSkill(recallSkill(runtime)),
    ],
  });
}

/** The agent's definition for its card and manifests (its runtime is never bound). */
export const diaryAgent = createDiaryAgent(new Late<DiaryDeps>('the diary'));
