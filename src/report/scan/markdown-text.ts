/** Markdown escaping shared by the markdown report and SARIF help text. Advisory data is untrusted. */

import { maxOf } from '../../util/arrays.js';

/**
 * Escape text for Markdown (GitHub flavour) so it renders literally: emphasis, links, tables, HTML
 * tags and autolinks are neutralised; line breaks become spaces so a table cell stays one cell.
 */
export function mdText(text: string): string {
  return (
    text
      .replace(/[\r\n\u2028\u2029]+/g, ' ')
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`)
      // `@name` would notify a GitHub user or team from a PR comment: break the mention invisibly.
      .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
  );
}

/**
 * Inline code: a code span whose fence is longer than any backtick run inside. In a GitHub table a
 * `|` ends the cell even inside a code span, so it is escaped there (`\|`, which GitHub unescapes).
 */
export function mdCode(text: string, inTable = true): string {
  let clean = text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '');
  if (inTable) clean = clean.replace(/\|/g, '\\|');
  const longest = maxOf(
    (clean.match(/`+/g) ?? []).map((r) => r.length),
    0,
  );
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') || clean === '' ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/** A link whose text is escaped and whose URL has no characters that could end the link early. */
export function mdLink(text: string, url: string): string {
  const safe = url.replace(/[()<>\s"']/g, (c) => encodeURIComponent(c));
  return `[${mdText(text)}](${safe})`;
}
