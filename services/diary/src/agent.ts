import { defineAgent, defineSkill } from '@forge/agent-kit';
import { sensorAlertSkill } from './skills/sensor-alert.js';
import { synthesizeLessonsSkill } from './skills/synthesize-lessons.js';
import { weeklyReportSkill } from './skills/weekly-report.js';

/**
 * The diary writer: sensor alerts and the weekly cultivation report from templates (tool tier),
 * and memory synthesis of raw observations into three durable lessons (frontier).
 */
export const diaryAgent = defineAgent({
  name: 'diary',
  description:
    'Keeps the grow diary: turns sensor readings into alerts ("room 4 VPD is out of range"), fills the ' +
    'weekly cultivation report, and distils raw agent observations into three durable lessons.',
  defaultSkill: 'sensor-alert',
  skills: [
    defineSkill(sensorAlertSkill),
    defineSkill(weeklyReportSkill),
    defineSkill(synthesizeLessonsSkill),
  ],
});
