import type { Client } from '@a2a-js/sdk/client';
import { ForgeError } from '@forge/contracts';

/**
 * An A2A client for the agent at `baseUrl` that sends `Authorization: Bearer <apiKey>` on every
 * request (card included), through the SDK's JSON-RPC and REST transports. Throws UNAVAILABLE
 * when the agent card cannot be fetched.
 */
export async function connectAgent(baseUrl: string, apiKey: string): Promise<Client> {
  const {
    ClientFactory,
    ClientFactoryOptions,
    DefaultAgentCardResolver,
    JsonRpcTransportFactory,
    RestTransportFactory,
  } = await import('@a2a-js/sdk/client');
  const fetchImpl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${apiKey}`);
    return fetch(input, { ...init, headers });
  };
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl }), new RestTransportFactory({ fetchImpl })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
    }),
  );
  try {
    return await factory.createFromUrl(baseUrl);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ForgeError(
      'UNAVAILABLE',
      `cannot reach the agent at ${baseUrl} (${reason}); is \`forge up\` running?`,
      {
        cause: error,
      },
    );
  }
}
