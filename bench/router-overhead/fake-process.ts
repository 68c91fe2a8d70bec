/**
 * Child process of router-overhead: the upstream side, kept out of the load generator's event
 * loop. Serves the fake LLM server (OpenAI wire, nothing recorded) and the two bare floors: an
 * HTTP echo server and a NATS request/reply echo on a core subscription. No telemetry here: the
 * floors are the transports alone.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FakeLlm, startFakeLlm } from '@forge/testkit';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { serveParent } from '../lib/child.js';

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const echoSubject = process.env.BENCH_ECHO_SUBJECT ?? 'bench.echo';

let fake: FakeLlm | undefined;
let nc: NatsConnection | undefined;
let http: Server | undefined;

const parent = serveParent(
  async (command) => {
    throw new Error(`unknown command ${command}`);
  },
  async () => {
    http?.closeAllConnections();
    http?.close();
    await nc?.drain().catch(() => undefined);
    await fake?.close().catch(() => undefined);
  },
);

try {
  fake = await startFakeLlm({ record: false });
  nc = await connect({ servers: natsUrl, name: 'bench-nats-echo' });
  nc.subscribe(echoSubject, {
    callback: (_error, msg) => {
      msg.respond(msg.data);
    },
  });
  await nc.flush();
  // Answers every POST with its own body as JSON, the shape and size of a small completion.
  const server = createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  http = server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  parent.ready({ openaiBaseUrl: fake.openaiBaseUrl, echoUrl: `http://127.0.0.1:${port}/echo`, echoSubject });
} catch (error) {
  parent.failed(error);
}
