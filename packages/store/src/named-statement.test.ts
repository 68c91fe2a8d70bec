import { describe, expect, it } from 'vitest';
import { named, statementLabel } from './named-statement.js';

describe('named statements', () => {
  it('name what they do, so a trace span reads as the statement', () => {
    expect(statementLabel('UPDATE "forge_a".tasks SET state = $2 WHERE id = $1')).toBe('update_tasks');
    expect(statementLabel('SELECT x FROM "forge_a"."routing_decisions" WHERE task_id = $1')).toBe(
      'select_routing_decisions',
    );
    expect(statementLabel('INSERT INTO forge_b.cost_ledger (a) VALUES ($1)')).toBe('insert_cost_ledger');
    expect(statementLabel('  with x as (select 1) select * from x')).toBe('with_x');
  });

  it('give one text one name, and two texts two names within Postgres’s 63-byte limit', () => {
    const a = named('SELECT 1 FROM "forge_a".tasks WHERE id = $1', ['x']);
    const b = named('SELECT 1 FROM "forge_b".tasks WHERE id = $1');
    expect(named('SELECT 1 FROM "forge_a".tasks WHERE id = $1').name).toBe(a.name);
    expect(a.name).not.toBe(b.name);
    expect(a.name).toMatch(/^forge_select_tasks_[0-9a-f]{20}$/);
    expect(Buffer.byteLength(a.name!)).toBeLessThanOrEqual(63);
    expect(a.values).toEqual(['x']);
    expect(b).not.toHaveProperty('values');
  });
});
