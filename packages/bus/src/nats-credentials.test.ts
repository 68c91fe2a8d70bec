import { describe, expect, it } from 'vitest';
import { splitServerCredentials } from './nats-credentials.js';

describe('splitServerCredentials', () => {
  it('takes user and password out of the URLs, percent-decoded', () => {
    expect(
      splitServerCredentials([
        'nats://forge-router:p%40ss@nats-0:4222',
        'nats://forge-router:p%40ss@nats-1:4222',
      ]),
    ).toEqual({
      servers: ['nats://nats-0:4222', 'nats://nats-1:4222'],
      user: 'forge-router',
      pass: 'p@ss',
    });
  });

  it('leaves URLs without credentials alone', () => {
    expect(splitServerCredentials(['nats://127.0.0.1:4222', 'nats:4222'])).toEqual({
      servers: ['nats://127.0.0.1:4222', 'nats:4222'],
    });
  });

  it('refuses servers with different credentials (BAD_CONFIG)', () => {
    expect(() => splitServerCredentials(['nats://a:x@n1:4222', 'nats://b:y@n2:4222'])).toThrow(
      /same credentials/,
    );
  });
});
