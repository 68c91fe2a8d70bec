import { createServer } from 'node:net';
import { testDatabaseUrl } from '@forge/testkit';
import { describe, expect, it } from 'vitest';
import { externalPostgres, probePostgres, redactPostgresUrl } from './postgres.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('Postgres for forge up', () => {
  it('accepts the machine Postgres', async () => {
    const pg = await externalPostgres(testDatabaseUrl());
    expect(pg).toMatchObject({ embedded: false, pid: null, dataDir: null });
  });

  it('names the unreachable URL with its password masked', async () => {
    const url = `postgres://forge:s3cret-pw@127.0.0.1:${await closedPort()}/app`;
    const failure = probePostgres(url, 1_000);
    await expect(failure).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(failure).rejects.toThrow(
      /^cannot reach Postgres at postgres:\/\/forge:\*\*\*@127\.0\.0\.1:\d+\/app \(/,
    );
    await expect(failure).rejects.not.toThrow(/s3cret-pw/);
  });

  it('masks a password in the authority or the query, keeping the user', () => {
    expect(redactPostgresUrl('postgres://app:pw@db:5432/x?sslmode=require&password=pw2')).toBe(
      'postgres://app:***@db:5432/x?sslmode=require&password=***',
    );
    expect(redactPostgresUrl('postgres://postgres@127.0.0.1:7350/postgres')).toBe(
      'postgres://postgres@127.0.0.1:7350/postgres',
    );
  });
});
