export {
  type IssuedToken,
  issueAccessToken,
  looksLikeJwt,
  skillScope,
  type VerifiedToken,
  verifyAccessToken,
} from './access-tokens.js';
export { canonicalJson } from './canonical-json.js';
export {
  type CardSignature,
  cardSigningInput,
  type JwksSource,
  signCard,
  verifyCardSignature,
} from './card-signature.js';
export { CircuitBreaker } from './circuit-breaker.js';
export {
  FederationConfig,
  loadFederationConfig,
  type PartnerConfig,
  PartnerName,
  parseFederationConfig,
  QualifiedSkill,
} from './federation-config.js';
export { generateSigningKeyPem, type Jwks, KeyRing, type RingKey, SIGNING_ALG } from './key-ring.js';
export { type RateDecision, RateLimiter } from './rate-limiter.js';
export { HashedSecrets, SecretSource, sha256Hex } from './secrets.js';
export { TokenClient } from './token-client.js';
export { WatchedFile } from './watched-file.js';
