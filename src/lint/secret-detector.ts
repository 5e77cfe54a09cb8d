/**
 * The secret-scanning rules (src/secrets) applied to Dockerfile and image text: `hardcoded-secret` and
 * the image checks flag ENV/ARG/LABEL values by their content (e.g. `ghp_…`, `AKIA…`), not only by
 * their names, and `secret-in-run` finds secrets in RUN commands and heredoc bodies. What they report
 * carries the severity `bulwark secrets` gives the same secret, and its masked form.
 */
import { maskedForm } from '../secrets/engine.js';
import { detectSecretsInText } from '../secrets/index.js';
import type { DetectedSecretAt, SecretDetector, TextSecretDetector } from './types.js';

/** Longer values are not single credentials (and are bounded for speed). */
const MAX_VALUE = 8 * 1024;
/** Texts (commands, heredoc bodies) above this are scanned up to it. */
const MAX_TEXT = 1024 * 1024;

export function defaultSecretDetector(): SecretDetector {
  return (value, name) => {
    if (value.length < 8 || value.length > MAX_VALUE) return undefined;
    let f = detectSecretsInText(value)[0];
    // The assignment as it would appear in a file; only a finding on the whole value counts.
    if (!f && name && /^[A-Za-z_][\w.-]*$/.test(name))
      f = detectSecretsInText(`${name}=${value}`).find((x) => x.secret.length === value.length);
    return f ? { title: f.title, severity: f.severity, masked: maskedForm(f.secret) } : undefined;
  };
}

export function defaultTextSecretDetector(): TextSecretDetector {
  return (text) =>
    detectSecretsInText(text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text).map(
      (f): DetectedSecretAt => ({
        title: f.title,
        severity: f.severity,
        masked: maskedForm(f.secret),
        line: f.line,
        column: f.column,
        endLine: f.endLine,
        endColumn: f.endColumn,
      }),
    );
}
