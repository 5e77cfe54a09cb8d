/** Every built-in secret rule, one file per family. Order here is the order of the docs table. */
import type { SecretRule } from '../types.js';
import { AI_RULES } from './ai.js';
import { CLOUD_RULES } from './cloud.js';
import { CODE_HOSTING_RULES } from './code-hosting.js';
import { CRYPTO_RULES } from './crypto.js';
import { DATABASE_RULES } from './database.js';
import { GENERIC_RULES } from './generic.js';
import { JWT_RULES } from './jwt.js';
import { MESSAGING_RULES } from './messaging.js';
import { PAYMENT_RULES } from './payment.js';
import { REGISTRY_RULES } from './registries.js';
import { SAAS_RULES } from './saas.js';

export { FILE_RULES, type FileRule } from './files.js';

export const BUILTIN_RULES: readonly SecretRule[] = [
  ...CLOUD_RULES,
  ...CODE_HOSTING_RULES,
  ...REGISTRY_RULES,
  ...PAYMENT_RULES,
  ...MESSAGING_RULES,
  ...SAAS_RULES,
  ...AI_RULES,
  ...CRYPTO_RULES,
  ...JWT_RULES,
  ...DATABASE_RULES,
  ...GENERIC_RULES,
];

/** Bump when rules change so cached results (per-layer caches) are invalidated. */
export const RULESET_VERSION = 1;
