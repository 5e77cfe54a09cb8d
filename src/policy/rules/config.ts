/**
 * The `policies:` section of `.bulwark.yaml`: every policy of the engine is on by default with Scout-like
 * settings; each can be turned off (`kev: off`, `kev: false`, `{enabled: false}`) or tuned:
 *
 *   policies:
 *     fixable-critical-high: { severity: high, age: 30 }   # fixable at or above severity, published ≥ age days ago
 *     kev: on
 *     epss: { threshold: 0.5 }
 *     non-root-user: on
 *     approved-base-image: on                             # against the `approved:` catalogue
 *     up-to-date-base-image: on
 *     copyleft-licenses: { licenses: [AGPL-3.0-only, AGPL-3.0-or-later] }
 *     no-secrets: { severity: low }
 *     supply-chain-attestations: { require: [sbom, provenance] }
 *     dockerfile-lint: { severity: high }
 */
import { RATINGS, type Rating } from '../../db/types.js';
import { POLICY_IDS, type PolicyId } from '../../report/policy-types.js';
import { InputError } from '../../util/errors.js';

export type AttestationKind = 'sbom' | 'provenance';

/** The settings of every policy (defaults filled in). */
export interface PolicySettings {
  readonly enabled: Readonly<Record<PolicyId, boolean>>;
  /** fixable-critical-high: the lowest severity that counts (default `high`). */
  readonly fixableSeverity: Rating;
  /** fixable-critical-high: only vulnerabilities published at least this many days ago count (default 30). */
  readonly fixableAgeDays: number;
  /** epss: a vulnerability with an EPSS probability at or above this violates (default 0.5). */
  readonly epssThreshold: number;
  /** copyleft-licenses: SPDX ids (case-insensitive) that may not ship. */
  readonly copyleftLicenses: readonly string[];
  /** no-secrets: the lowest secret severity that counts (default `low`). */
  readonly secretSeverity: Rating;
  /** supply-chain-attestations: what must be attached (default both). */
  readonly requiredAttestations: readonly AttestationKind[];
  /** dockerfile-lint: the lowest misconfiguration severity that counts (default `high`). */
  readonly lintSeverity: Rating;
}

/** AGPL in every SPDX spelling (deprecated `AGPL-3.0` included). */
export const DEFAULT_COPYLEFT = [
  'AGPL-1.0',
  'AGPL-1.0-only',
  'AGPL-1.0-or-later',
  'AGPL-3.0',
  'AGPL-3.0-only',
  'AGPL-3.0-or-later',
] as const;

export const DEFAULT_POLICY_SETTINGS: PolicySettings = {
  enabled: Object.fromEntries(POLICY_IDS.map((id) => [id, true])) as Record<PolicyId, boolean>,
  fixableSeverity: 'high',
  fixableAgeDays: 30,
  epssThreshold: 0.5,
  copyleftLicenses: DEFAULT_COPYLEFT,
  secretSeverity: 'low',
  requiredAttestations: ['sbom', 'provenance'],
  lintSeverity: 'high',
};

/** Keys each policy accepts besides `enabled`. */
const PARAMS: Readonly<Record<PolicyId, readonly string[]>> = {
  'fixable-critical-high': ['severity', 'age'],
  kev: [],
  epss: ['threshold'],
  'non-root-user': [],
  'approved-base-image': [],
  'up-to-date-base-image': [],
  'copyleft-licenses': ['licenses'],
  'no-secrets': ['severity'],
  'supply-chain-attestations': ['require'],
  'dockerfile-lint': ['severity'],
};

function fail(where: string, msg: string): never {
  throw new InputError('E_CONFIG', `${where}: ${msg}`);
}

function severity(value: unknown, where: string): Rating {
  const w = typeof value === 'string' ? value.trim().toLowerCase() : '';
  if (!(RATINGS as readonly string[]).includes(w)) fail(where, `expected one of ${RATINGS.join(', ')}`);
  return w as Rating;
}

/** `30`, `30d`: whole days. */
function days(value: unknown, where: string): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d+)d?$/.exec(text);
  if (!m) fail(where, 'expected a number of days (e.g. 30 or 30d)');
  return Number(m[1]);
}

/** `0.5`, `50%`. */
function probability(value: unknown, where: string): number {
  let n = NaN;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string') {
    const t = value.trim();
    n = t.endsWith('%') ? Number(t.slice(0, -1)) / 100 : Number(t);
  }
  if (!Number.isFinite(n) || n < 0 || n > 1) fail(where, 'expected a probability from 0 to 1 (or 0%–100%)');
  return n;
}

function stringList(value: unknown, where: string): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.some((v) => typeof v !== 'string' || !v.trim()))
    fail(where, 'expected a list of names');
  return (list as string[]).map((v) => v.trim());
}

/** `on`/`off`/true/false, or a mapping with optional `enabled`. */
function switchOf(value: unknown, where: string): { enabled: boolean; params: Record<string, unknown> } {
  if (value === null || value === undefined) return { enabled: true, params: {} };
  if (typeof value === 'boolean') return { enabled: value, params: {} };
  if (value === 'on' || value === 'off') return { enabled: value === 'on', params: {} };
  if (typeof value !== 'object' || Array.isArray(value)) fail(where, 'expected on, off or a mapping');
  const params = { ...(value as Record<string, unknown>) };
  const enabled = params['enabled'];
  delete params['enabled'];
  if (enabled !== undefined && typeof enabled !== 'boolean')
    fail(`${where}.enabled`, 'expected true or false');
  return { enabled: enabled !== false, params };
}

/** Parse `policies:` from the loaded config document. Throws a one-line InputError naming the key. */
export function parsePolicySettings(
  data: Readonly<Record<string, unknown>>,
  path = '.bulwark.yaml',
): PolicySettings {
  const raw = data['policies'];
  if (raw === undefined || raw === null) return DEFAULT_POLICY_SETTINGS;
  if (typeof raw !== 'object' || Array.isArray(raw)) fail(`${path}: policies`, 'expected a mapping');
  const enabled: Record<PolicyId, boolean> = { ...DEFAULT_POLICY_SETTINGS.enabled };
  const out: { -readonly [K in keyof PolicySettings]: PolicySettings[K] } = {
    ...DEFAULT_POLICY_SETTINGS,
    enabled,
  };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const where = `${path}: policies.${key}`;
    if (!(POLICY_IDS as readonly string[]).includes(key))
      fail(where, `unknown policy (use ${POLICY_IDS.join(', ')})`);
    const id = key as PolicyId;
    const { enabled: on, params } = switchOf(value, where);
    enabled[id] = on;
    for (const [k, v] of Object.entries(params)) {
      const at = `${where}.${k}`;
      if (!PARAMS[id].includes(k))
        fail(at, `unknown setting${PARAMS[id].length ? ` (use ${PARAMS[id].join(', ')})` : ''}`);
      if (id === 'fixable-critical-high' && k === 'severity') out.fixableSeverity = severity(v, at);
      else if (id === 'fixable-critical-high' && k === 'age') out.fixableAgeDays = days(v, at);
      else if (id === 'epss') out.epssThreshold = probability(v, at);
      else if (id === 'copyleft-licenses') out.copyleftLicenses = stringList(v, at);
      else if (id === 'no-secrets') out.secretSeverity = severity(v, at);
      else if (id === 'dockerfile-lint') out.lintSeverity = severity(v, at);
      else if (id === 'supply-chain-attestations') {
        const kinds = stringList(v, at).map((s) => s.toLowerCase());
        for (const s of kinds)
          if (s !== 'sbom' && s !== 'provenance')
            fail(at, `unknown attestation "${s}" (use sbom, provenance)`);
        out.requiredAttestations = [...new Set(kinds)].sort() as AttestationKind[];
      }
    }
  }
  return out;
}
