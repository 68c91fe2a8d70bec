export { formatLocal } from './format-local.js';
export { isValidTimeZone } from './is-valid-time-zone.js';
export { addDays, weekdayOf } from './iso-date.js';
export { LocalDates } from './local-dates.js';
export { offsetMinutes } from './offset-minutes.js';
export { WallClock, type WallTime } from './wall-clock.js';
export { zonedToUtc } from './zoned-to-utc.js';
