/**
 * Values that look like secrets but are documentation, templates or fixtures. Checked on the secret
 * itself (and, for URLs, the line), after a rule matched — cheap because it runs only on candidates.
 *
 * Everything filtered here is listed in docs/secrets.md ("What is not a finding"); nothing else is.
 * A placeholder word only counts where a person would have written it as a word — the whole value, its
 * start or end, or between separators (`sk_live_example_…`, `your-api-key`, `AKIA…EXAMPLE`) — so a
 * random key that happens to contain `example` inside its body is still reported.
 */

/** Words people write in place of a real value (case-insensitive, as a word: see {@link hasWord}). */
export const PLACEHOLDER_WORDS: readonly string[] = [
  'example',
  'sample',
  'dummy',
  'fake',
  'placeholder',
  'changeme',
  'change_me',
  'change-me',
  'redacted',
  'replaceme',
  'replace_me',
  'replace-me',
  'your_',
  'your-',
  'yourkey',
  'yourtoken',
  'yourpassword',
  'insert_',
  'insert-',
  'notreal',
  'not_a_real',
  'not-a-real',
  'lorem',
  'foobar',
];

/** Filler anywhere in the value: masks, ellipses, keyboard and counting runs, words in capitals. */
const FILLER =
  /xxxx|\*\*\*\*|\.\.\.|0123456789|123456789|abcdefgh|qwerty|EXAMPLE|SAMPLE|DUMMY|FAKE|PLACEHOLDER|REDACTED|CHANGEME/;

/** For long values (key bodies, > 80 characters) only loud markers count: short words occur by chance. */
const LOUD_MARKERS = /EXAMPLE|PLACEHOLDER|REDACTED|(.)\1{11}/;

const TEMPLATE =
  /\$\{[^}]*\}|\{\{[^}]*\}\}|<[A-Za-z_ -]+>|%\([a-z_]+\)s|^\$[A-Z_]+$|^%[A-Z_]+%$|^\[[A-Za-z_ -]+\]$/;

const isAlnum = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9]/.test(c);
const isLower = (c: string | undefined): boolean => c !== undefined && /[a-z]/.test(c);

/**
 * `word` occurs in `value` as a word: each side is the value's start or end, a separator (anything but
 * a letter or digit), or a camelCase boundary (`myExampleKey`). `q8exampleZ7` does not count.
 */
function hasWord(value: string, word: string): boolean {
  const lower = value.toLowerCase();
  for (let at = lower.indexOf(word); at >= 0; at = lower.indexOf(word, at + 1)) {
    const end = at + word.length;
    const before = value[at - 1];
    const first = value[at]!;
    const last = value[end - 1]!;
    const after = value[end];
    const startOk = at === 0 || !isAlnum(before) || (/[A-Z]/.test(first) && isLower(before));
    const endOk =
      end === value.length ||
      !isAlnum(last) ||
      !isAlnum(after) ||
      (isLower(last) && /[A-Z0-9]/.test(after!)) ||
      (/[A-Z]/.test(last) && /[0-9]/.test(after!));
    if (startOk && endOk) return true;
  }
  return false;
}

/** True when `secret` is obviously not a real credential (the rules listed in docs/secrets.md). */
export function isPlaceholder(secret: string): boolean {
  if (secret.length > 80) {
    if (LOUD_MARKERS.test(secret)) return true;
  } else {
    if (FILLER.test(secret)) return true;
    if (PLACEHOLDER_WORDS.some((w) => hasWord(secret, w))) return true;
  }
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
