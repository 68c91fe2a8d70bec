export { type DayConfig, DEFAULT_DAY_DIR, loadDayConfig } from './config.js';
export { type DayClock, dayClock } from './day-clock.js';
export { type DayServer, type DayServerOptions, startDayServer } from './day-server.js';
export { latestOccurrence, type RenderedFeed, renderFeed, rfc822 } from './feed-template.js';
export { loadMentionsDay, type MentionsDay } from './mentions-day.js';
export { loadMetrcDay, type MetrcDay, renderRecords } from './metrc-day.js';
export { loadRooms, type Reading, type Room, readings } from './sensor-day.js';
