/** The policy engine (`bulwark policy`, `bulwark ci`, the server): one pure function over a scan report. */
export {
  evaluatePolicies,
  healthOf,
  isRootUser,
  copyleftIn,
  POLICY_WEIGHTS,
  UNKNOWN_WEIGHT,
  type PolicyContext,
  type AttestationFacts,
  type BaseImageLookup,
  type RegisterException,
} from './evaluate.js';
export {
  parsePolicySettings,
  DEFAULT_POLICY_SETTINGS,
  DEFAULT_COPYLEFT,
  type PolicySettings,
  type AttestationKind,
} from './config.js';
