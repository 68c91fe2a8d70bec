export { createDiaryAgent, diaryAgent } from './agent.js';
export type { DiaryDeps, DiaryRuntime } from './diary-deps.js';
export { diaryExtension } from './extension.js';
export { OBSERVER_CONSUMER } from './memory/event-observer.js';
export { isNotable, observationText } from './memory/observation-text.js';
export { NightlyEntryOutput } from './skills/nightly-entry.js';
export { RecallOutput } from './skills/recall.js';
export { SensorAlertInput, SensorAlertOutput, sensorAlert } from './skills/sensor-alert.js';
export {
  SynthesizeLessonsInput,
  SynthesizeLessonsOutput,
  synthesizeLessons,
} from './skills/synthesize-lessons.js';
export { WeeklyReportInput, WeeklyReportOutput, weeklyReport } from './skills/weekly-report.js';
export { WeeklySynthesisOutput } from './skills/weekly-synthesis.js';
