export { diaryAgent } from './agent.js';
export { SensorAlertInput, SensorAlertOutput, sensorAlert } from './skills/sensor-alert.js';
export {
  SynthesizeLessonsInput,
  SynthesizeLessonsOutput,
  synthesizeLessons,
} from './skills/synthesize-lessons.js';
export { WeeklyReportInput, WeeklyReportOutput, weeklyReport } from './skills/weekly-report.js';
