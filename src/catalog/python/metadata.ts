/**
 * Parser for Python core metadata (METADATA / PKG-INFO): RFC 822-style `Name: value` headers with
 * whitespace-indented continuation lines, repeated fields kept in order, the body (description)
 * after the first blank line ignored.
 */

export type MetadataHeaders = Map<string, string[]>;

/** Parse headers; field names are matched case-insensitively (stored lower-cased). */
export function parseMetadataHeaders(text: string): MetadataHeaders {
  const out: MetadataHeaders = new Map();
  let last: string[] | undefined;
  let lastIndex = -1;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (line === '') break; // headers end at the first blank line
    if ((line.startsWith(' ') || line.startsWith('\t')) && last) {
      last[lastIndex] += '\n' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed metadata header line ${JSON.stringify(line.slice(0, 60))}`);
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    last = out.get(key) ?? [];
    out.set(key, last);
    lastIndex = last.push(value) - 1;
  }
  return out;
}

/** Trove classifier → SPDX id for the common licence classifiers. */
const CLASSIFIERS: Record<string, string> = {
  'MIT License': 'MIT',
  'MIT No Attribution License (MIT-0)': 'MIT-0',
  'Apache Software License': 'Apache-2.0',
  'BSD License': 'BSD-3-Clause',
  'ISC License (ISCL)': 'ISC',
  'Mozilla Public License 2.0 (MPL 2.0)': 'MPL-2.0',
  'Python Software Foundation License': 'PSF-2.0',
  'GNU General Public License v2 (GPLv2)': 'GPL-2.0-only',
  'GNU General Public License v2 or later (GPLv2+)': 'GPL-2.0-or-later',
  'GNU General Public License v3 (GPLv3)': 'GPL-3.0-only',
  'GNU General Public License v3 or later (GPLv3+)': 'GPL-3.0-or-later',
  'GNU Lesser General Public License v2 (LGPLv2)': 'LGPL-2.0-only',
  'GNU Lesser General Public License v2 or later (LGPLv2+)': 'LGPL-2.0-or-later',
  'GNU Lesser General Public License v3 (LGPLv3)': 'LGPL-3.0-only',
  'GNU Lesser General Public License v3 or later (LGPLv3+)': 'LGPL-3.0-or-later',
  'GNU Affero General Public License v3': 'AGPL-3.0-only',
  'GNU Affero General Public License v3 or later (AGPLv3+)': 'AGPL-3.0-or-later',
  'The Unlicense (Unlicense)': 'Unlicense',
  'zlib/libpng License': 'Zlib',
  'Eclipse Public License 2.0 (EPL-2.0)': 'EPL-2.0',
  'Historical Permission Notice and Disclaimer (HPND)': 'HPND',
};

/**
 * Declared licences in order of precision: `License-Expression` (PEP 639), a short `License` field,
 * then licence classifiers. A `License` field holding a whole licence text is not an identifier.
 */
export function pythonLicenses(h: MetadataHeaders): string[] {
  const expr = h.get('license-expression')?.[0];
  if (expr) return [expr];
  const lic = h.get('license')?.[0]?.trim();
  const usable = lic && lic.length <= 100 && !lic.includes('\n') && !/^unknown$/i.test(lic);
  const classifiers = (h.get('classifier') ?? [])
    .filter((c) => c.startsWith('License ::'))
    .map((c) => {
      const last =
        c
          .split('::')
          .map((x) => x.trim())
          .pop() ?? '';
      return CLASSIFIERS[last] ?? (last === 'OSI Approved' ? '' : last);
    })
    .filter(Boolean);
  if (usable) return [lic];
  return classifiers;
}
