/**
 * Values that look like secrets but are documentation, templates or fixtures. Checked on the secret
 * itself (and, for URLs, the line), after a rule matched — cheap because it runs only on candidates.
 */

const PLACEHOLDER_WORDS =
  /example|sample|dummy|fake|placeholder|changeme|change_me|change-me|redacted|replace[_-]?me|your[_-]|yourkey|xxxx|\*\*\*\*|\.\.\.|insert[_-]|notreal|not[_-]a[_-]real|lorem|foobar|0123456789|123456789|abcdefgh|qwerty/i;

const LOUD_MARKERS = /EXAMPLE|example|PLACEHOLDER|placeholder|REDACTED|(.)\1{11}/;

const TEMPLATE =
  /\$\{[^}]*\}|\{\{[^}]*\}\}|<[A-Za-z_ -]+>|%\([a-z_]+\)s|^\$[A-Z_]+$|^%[A-Z_]+%$|^\[[A-Za-z_ -]+\]$/;

/** True when `secret` is obviously not a real credential. */
export function isPlaceholder(secret: string): boolean {
  // Long random material (key bodies) contains any short word by chance; only look for loud markers.
  if (secret.length > 80 ? LOUD_MARKERS.test(secret) : PLACEHOLDER_WORDS.test(secret)) return true;
  if (TEMPLATE.test(secret)) return true;
  // One repeated character, or two alternating (`abababab`), carries no secret.
  const distinct = new Set(secret.replace(/[^A-Za-z0-9]/g, '')).size;
  if (secret.length >= 4 && distinct <= 2) return true;
  return false;
}

/** Documentation URLs and the like: a line that points at docs holds examples, not secrets. */
const DOC_LINE = /https?:\/\/[^\s"']*(?:docs?\.|\/docs?\/|readthedocs|example\.(?:com|org|net))/i;

export function isDocumentationLine(line: string): boolean {
  return DOC_LINE.test(line);
}

/** Passwords that are really placeholders in sample connection strings and credentials. */
export const DEFAULT_PASSWORDS =
  /^(?:pass(?:word)?|passwd|pwd|secret|root|admin|postgres|mysql|mongo|redis|rabbitmq|guest|test|user(?:name)?|changeme|\*+|x+|\.+|:?\$\{?\w+\}?|%[^%]+%|\{[^}]*\}|<[^>]*>|\[[^\]]*\])$/i;
