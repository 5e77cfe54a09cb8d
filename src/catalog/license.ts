/**
 * Licence normalisation: map declared licence strings to SPDX ids/expressions where they map
 * unambiguously, keep the declared text otherwise (never guess silently).
 */
import spdxCorrect from 'spdx-correct';
import parseSpdx from 'spdx-expression-parse';
import { rethrowIfInternal } from '../util/errors.js';

/** Well-known non-SPDX spellings seen in package metadata (Debian DEP-5 short names, RPM, gems). */
const ALIASES: Record<string, string> = {
  'gpl-2': 'GPL-2.0-only',
  'gpl-2+': 'GPL-2.0-or-later',
  'gpl-3': 'GPL-3.0-only',
  'gpl-3+': 'GPL-3.0-or-later',
  'lgpl-2': 'LGPL-2.0-only',
  'lgpl-2+': 'LGPL-2.0-or-later',
  'lgpl-2.1': 'LGPL-2.1-only',
  'lgpl-2.1+': 'LGPL-2.1-or-later',
  'lgpl-3': 'LGPL-3.0-only',
  'lgpl-3+': 'LGPL-3.0-or-later',
  gplv2: 'GPL-2.0-only',
  'gplv2+': 'GPL-2.0-or-later',
  gplv3: 'GPL-3.0-only',
  'gplv3+': 'GPL-3.0-or-later',
  'lgplv2+': 'LGPL-2.0-or-later',
  lgplv2: 'LGPL-2.0-only',
  'lgplv3+': 'LGPL-3.0-or-later',
  'apache-2': 'Apache-2.0',
  'apache 2.0': 'Apache-2.0',
  'asl 2.0': 'Apache-2.0',
  'public-domain': 'LicenseRef-public-domain',
  'public domain': 'LicenseRef-public-domain',
  expat: 'MIT',
  'bsd-3-clause': 'BSD-3-Clause',
  'bsd-2-clause': 'BSD-2-Clause',
  'psf-2': 'PSF-2.0',
  artistic: 'Artistic-1.0-Perl',
  zlib: 'Zlib',
};

function isValidExpression(expr: string): boolean {
  try {
    parseSpdx(expr);
    return true;
  } catch (err) {
    rethrowIfInternal(err);
    return false;
  }
}

/**
 * Normalise one declared licence. Returns an SPDX id or expression when it maps, else the trimmed
 * declared text (so nothing is lost). Returns undefined for empty input.
 */
const memo = new Map<string, string | undefined>();
const MEMO_LIMIT = 10_000;

export function normalizeLicense(declared: string): string | undefined {
  // The same few licence strings recur across hundreds of packages; parsing SPDX is not free.
  if (memo.has(declared)) return memo.get(declared);
  const result = normalizeUncached(declared);
  if (memo.size < MEMO_LIMIT) memo.set(declared, result);
  return result;
}

function normalizeUncached(declared: string): string | undefined {
  const text = declared.trim();
  if (!text || text.length > 500) return text ? text.slice(0, 500) : undefined;
  const alias = ALIASES[text.toLowerCase()];
  if (alias) return alias;
  if (isValidExpression(text)) return text;
  const corrected = spdxCorrect(text, { upgrade: true });
  if (corrected && isValidExpression(corrected)) return corrected;
  return text;
}

/** Normalise a list, dropping empties and duplicates, sorted for determinism. */
export function normalizeLicenses(declared: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const d of declared) {
    const n = normalizeLicense(d);
    if (n) out.add(n);
  }
  return [...out].sort();
}
