/**
 * The secret-scanning rules (src/secrets) applied to single values: `hardcoded-secret` and the image
 * checks flag ENV/ARG/LABEL values by their content (e.g. `ghp_…`, `AKIA…`), not only by their names.
 */
import { detectSecretsInText } from '../secrets/index.js';
import type { SecretDetector } from './types.js';

/** Longer values are not single credentials (and are bounded for speed). */
const MAX_VALUE = 8 * 1024;

export function defaultSecretDetector(): SecretDetector {
  return (value) => {
    if (value.length < 8 || value.length > MAX_VALUE) return undefined;
    return detectSecretsInText(value)[0]?.title;
  };
}
