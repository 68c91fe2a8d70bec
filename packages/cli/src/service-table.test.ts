import { describe, expect, it } from 'vitest';
import {
  AGENT_TABLE,
  findAgent,
  PG_PORT_OFFSET,
  placeServices,
  RESERVED_OFFSETS,
  ROUTER,
  SERVICE_TABLE,
} from './service-table.js';

describe('the service table', () => {
  it('gives every service its own name and port, clear of the reserved slots', () => {
    const names = SERVICE_TABLE.map((spec) => spec.name);
    const offsets = SERVICE_TABLE.map((spec) => spec.offset);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(offsets).size).toBe(offsets.length);
    for (const offset of offsets) {
      expect(RESERVED_OFFSETS[offset]).toBeUndefined();
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(PG_PORT_OFFSET);
    }
  });

  it('places the router first, on the port base, without a card; the agents after it with theirs', () => {
    const [router, scout] = placeServices(7300);
    expect(router).toEqual({ name: ROUTER, port: 7300, url: 'http://127.0.0.1:7300', card: null });
    expect(scout).toEqual({
      name: 'scout',
      port: 7301,
      url: 'http://127.0.0.1:7301',
      card: 'http://127.0.0.1:7301/.well-known/agent-card.json',
    });
  });

  it('counts the router, the scheduler and the day server as services but not as agents', () => {
    expect(AGENT_TABLE.map((spec) => spec.name)).toEqual([
      'scout',
      'engagement',
      'compliance',
      'publisher',
      'marketing',
      'diary',
      'gateway',
    ]);
    expect(SERVICE_TABLE.map((spec) => spec.name)).toContain('scheduler');
    expect(findAgent('scheduler')).toBeNull();
    expect(findAgent(ROUTER)).toBeNull();
    expect(findAgent('compliance')).toMatchObject({ offset: 3 });
  });
});
