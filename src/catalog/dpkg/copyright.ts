/**
 * Licences from `/usr/share/doc/<pkg>/copyright`. Only machine-readable (DEP-5) files are used: the
 * `License:` short names of the `Files:` paragraphs. Free-form copyright files yield nothing rather
 * than a guess.
 *
 * One pass over the lines without building the paragraphs (deb822 syntax, see ./deb822.ts): only two
 * fields per paragraph matter, and license texts — most of a copyright file — are continuation lines
 * that are skipped, not joined. A file whose first paragraph does not declare the DEP-5 format stops
 * there.
 */

/** The 1.0 URL, plus the draft (dep.debian.net / svn) URLs that older packages still carry. */
const DEP5_FORMAT = /(copyright-format\/1\.0|deps\/dep5)/i;
const FIELD = /^([!-9;-~][!-9;-~]*):(.*)$/;

/** Declared licence short names, in order of first appearance, duplicates removed. */
export function copyrightLicenses(text: string): string[] {
  const out = new Set<string>();
  let header = true; // in (or before the end of) the first paragraph
  let format: string | undefined;
  let inParagraph = false;
  let hasFiles = false;
  let license: string | undefined;
  const flush = (): boolean => {
    if (!inParagraph) return true;
    inParagraph = false;
    if (header) {
      header = false;
      if (!format || !DEP5_FORMAT.test(format.trim())) return false;
    }
    if (hasFiles && license) addNames(license, out);
    hasFiles = false;
    license = undefined;
    return true;
  };
  let at = 0;
  while (at <= text.length) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    let line = text.slice(at, end);
    at = end + 1;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line.trim() === '') {
      if (!flush()) return [];
      continue;
    }
    inParagraph = true;
    const c = line.charCodeAt(0);
    if (c === 0x20 || c === 0x09 || c === 0x23) continue; // continuation line or comment
    const m = FIELD.exec(line);
    if (!m) continue;
    const field = m[1]!.toLowerCase();
    if (header && (field === 'format' || field === 'format-specification')) format ??= m[2]!;
    else if (field === 'files') hasFiles = true;
    else if (field === 'license') license = m[2]!.trim();
  }
  if (!flush()) return [];
  return [...out];
}

/** A License line is a short-name expression: `GPL-2+ or Artistic`, `BSD-3-clause and Expat`. */
function addNames(first: string, out: Set<string>): void {
  for (const name of first.split(/\s+(?:or|and)\s+|,\s*/i)) {
    const n = name.replace(/^\(+|\)+$/g, '').trim();
    if (n) out.add(n);
  }
}
