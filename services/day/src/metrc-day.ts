import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeedToSaleRecords } from '@forge/contracts';
import { parseYamlConfig } from '@forge/yaml-config';
import { addDays, LocalDates, zonedToUtc } from '@forge/zoned-time';

/**
 * The licence's seed-to-sale records as a template of one day (`fixtures/day/metrc/records.json`,
 * the METRC-like format of `services/compliance/docs/seed-to-sale.md`). Every instant is a token
 * relative to the day clock's local date: `{{day 16:00}}` (today at 16:00 in the day's zone),
 * `{{day-3 09:30}}` (three days before), `{{now}}` (the clock's instant: the records' `asOf`).
 * Rendering replaces tokens in the text, so the lines of a validation error are the file's own.
 */
export interface MetrcDay {
  /** The records as of `now` (an instant on the day clock). */
  recordsAt(now: number): SeedToSaleRecords;
}

const TOKEN = /\{\{(?:day([+-]\d{1,3})? (\d{2}:\d{2})|now)\}\}/g;

export function renderRecords(template: string, now: number, timeZone: string): string {
  const today = new LocalDates(timeZone).of(now);
  return template.replace(TOKEN, (_all, shift: string | undefined, time: string | undefined) => {
    if (time === undefined) return new Date(now).toISOString();
    const date = shift ? addDays(today, Number(shift)) : today;
    return zonedToUtc(date, time, timeZone).toISOString();
  });
}

/**
 * Loads `metrc/records.json` under the day's folder and checks it once, rendered as of `now`,
 * against `SeedToSaleRecords`: a bad file fails the start with BAD_CONFIG naming field and line.
 */
export async function loadMetrcDay(dir: string, timeZone: string, now: number): Promise<MetrcDay> {
  const file = join(dir, 'metrc', 'records.json');
  const template = await readFile(file, 'utf8');
  const parse = (at: number) =>
    parseYamlConfig(renderRecords(template, at, timeZone), file, SeedToSaleRecords, {
      what: 'seed-to-sale records',
      vars: {},
    });
  parse(now);
  return { recordsAt: parse };
}
