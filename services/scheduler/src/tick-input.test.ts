import { describe, expect, it } from 'vitest';
import { parseSchedules } from './schedules-config.js';
import { buildTickInput, type HttpGet } from './tick-input.js';

const yaml = (source: string, input = '{}') => `
timeZone: America/Denver
schedules:
  - name: s
    description: one source
    cron: "*/15 * * * *"
    skill: compliance.reconcile-records
    input: ${input}
    inputFrom:
      ${source}
`;

/** An HTTP source answering `body` and remembering what was asked. */
function source(body: unknown, status = 200) {
  const asked: string[] = [];
  const get: HttpGet = async (url) => {
    asked.push(url);
    return { status, text: async () => JSON.stringify(body) };
  };
  return { get, asked };
}

const TICK = new Date('2025-06-10T16:00:00Z');
const RECORDS = {
  licenseNumber: '403R-00012',
  asOf: '2025-06-10T16:00:02Z',
  packages: [
    {
      tag: '1A4060300000000000000101',
      item: 'Blue Dream flower',
      unitOfMeasure: 'Grams',
      initialQuantity: 100,
      quantity: 100,
      packagedAt: '2025-06-01T10:00:00Z',
    },
  ],
};

describe('buildTickInput from an input source', () => {
  it('puts the seed-to-sale records under `records`, the schedule’s own fields beside them', async () => {
    const [schedule] = parseSchedules(
      yaml('seedToSaleRecords: { url: "http://day.test/metrc/records" }', '{ review: never }'),
      {},
    ).list;
    const { get, asked } = source(RECORDS);
    const built = await buildTickInput(schedule!, TICK, { get });
    expect(asked).toEqual(['http://day.test/metrc/records']);
    expect(built).toEqual({
      input: {
        review: 'never',
        records: expect.objectContaining({ licenseNumber: '403R-00012', transfers: [], manifests: [] }),
      },
    });
  });

  it('refuses records that break the format, naming the field', async () => {
    const [schedule] = parseSchedules(
      yaml('seedToSaleRecords: { url: "http://day.test/metrc/records" }'),
      {},
    ).list;
    const bad = { ...RECORDS, packages: [{ ...RECORDS.packages[0], tag: 'short', quantity: 'ten' }] };
    await expect(buildTickInput(schedule!, TICK, source(bad))).rejects.toMatchObject({
      code: 'BAD_INPUT',
      message: expect.stringMatching(
        /^inputFrom\.seedToSaleRecords http:\/\/day\.test\/metrc\/records: the answer is not valid: packages\.0\.tag: must be a 24-character package tag; packages\.0\.quantity: /,
      ),
    });
    await expect(buildTickInput(schedule!, TICK, source({}, 503))).rejects.toThrow(/: HTTP 503$/);
  });

  it('asks for the mentions of the window that ends at the tick, and has nothing when there are none', async () => {
    const [schedule] = parseSchedules(
      yaml('mentions: { url: "http://day.test/mentions", minutes: 15 }'),
      {},
    ).list;
    const mention = { id: 'm-1', author: '@a', text: 'how do you route?', channel: 'x' };
    const some = source({ mentions: [mention] });
    expect(await buildTickInput(schedule!, TICK, some)).toEqual({ input: { mentions: [mention] } });
    expect(some.asked).toEqual(['http://day.test/mentions?minutes=15&until=2025-06-10T16%3A00%3A00.000Z']);
    expect(await buildTickInput(schedule!, TICK, source({ mentions: [] }))).toEqual({
      nothing: 'inputFrom.mentions http://day.test/mentions: nothing in the window',
    });
    await expect(buildTickInput(schedule!, TICK, source({ mentions: [{ id: 'm-2' }] }))).rejects.toThrow(
      /the answer is not valid: mentions\.0\.author: .*mentions\.0\.text: /,
    );
  });
});
