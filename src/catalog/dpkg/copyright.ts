/**
 * Licences from `/usr/share/doc/<pkg>/copyright`. Only machine-readable (DEP-5) files are used: the
 * `License:` short names of the `Files:` paragraphs. Free-form copyright files yield nothing rather
 * than a guess.
 */
import { parseDeb822 } from './deb822.js';

/** The 1.0 URL, plus the draft (dep.debian.net / svn) URLs that older packages still carry. */
const DEP5_FORMAT = /(copyright-format\/1\.0|deps\/dep5)/i;

/** Declared licence short names, in order of first appearance, duplicates removed. */
export function copyrightLicenses(text: string): string[] {
  const paragraphs = parseDeb822(text);
  const header = paragraphs[0];
  const format = header?.fields.get('format') ?? header?.fields.get('format-specification');
  if (!format || !DEP5_FORMAT.test(format.trim())) return [];
  const out = new Set<string>();
  for (const p of paragraphs) {
    if (!p.fields.has('files')) continue;
    const first = p.fields.get('license')?.split('\n', 1)[0]?.trim();
    if (!first) continue;
    // A License line is a short-name expression: `GPL-2+ or Artistic`, `BSD-3-clause and Expat`.
    for (const name of first.split(/\s+(?:or|and)\s+|,\s*/i)) {
      const n = name.replace(/^\(+|\)+$/g, '').trim();
      if (n) out.add(n);
    }
  }
  return [...out];
}
