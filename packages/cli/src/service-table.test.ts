import { describe, expect, it } from 'vitest';
import { PG_PORT_OFFSET, placeServices, RESERVED_OFFSETS, SERVICE_TABLE } from './service-table.js';

describe('the service table', () => {
  it('gives every service its own name and port, clear of the reserved slots', () => {
    const names = SERVICE_TABLE.map((spec) => spec.name);
    const offsets = SERVICE_TABLE.map((spec) => spec.offset);
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(offsets).size).toBe(offsets.length);
    for (const offset of offsets) {
      expect(RESERVED_OFFSETS[offset]).toBeUndefined();
      expect(offset).toBeGreaterThan(0);
      expect(offset).toBeLessThan(PG_PORT_OFFSET);
    }
  });

  it('places the services on the port base with their card URLs', () => {
    expect(placeServices(7300)[0]).toEqual({
      name: 'scout',
      port: 7301,
      url: 'http://127.0.0.1:7301',
      card: 'http://127.0.0.1:7301/.well-known/agent-card.json',
    });
  });
});
