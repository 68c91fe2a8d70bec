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
