export type { FakeBatchView } from './fake-llm/fake-batches.js';
export { type FakeLlm, type FakeLlmOptions, startFakeLlm } from './fake-llm/fake-llm-server.js';
export type { FakeReply, FakeRoute, FakeUsage, RecordedRequest } from './fake-llm/fake-reply.js';
export {
  connectTestNats,
  deleteBrainStreams,
  dropBrainSchema,
  type TestBrain,
  testBrain,
  testDatabaseUrl,
  testNatsUrl,
  uniqueBrain,
} from './infra.js';
export type {
  OtlpAttributes,
  OtlpValue,
  ReceivedMetric,
  ReceivedPoint,
  ReceivedSpan,
} from './otlp/otlp-model.js';
export {
  type OtlpReceiver,
  type OtlpReceiverOptions,
  type OtlpRequestRecord,
  startOtlpReceiver,
} from './otlp/otlp-receiver.js';
export {
  type PrometheusSample,
  parsePrometheusText,
  sampleSum,
  scrapePrometheus,
} from './otlp/prometheus-text.js';
export {
  type ScriptedModelClient,
  type ScriptedModelClientOptions,
  type ScriptedModelRequest,
  scriptedModelClient,
} from './scripted-model-client.js';
