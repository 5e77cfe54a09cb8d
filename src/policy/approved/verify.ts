/**
 * `bulwark catalog verify`: does an image meet the hardened profile of its catalogue entry? Point by
 * point — approved by the catalogue, non-root default user, no shell, no package manager, no
 * setuid/setgid file, no fixable critical/high vulnerability, an SBOM and a provenance attestation
 * attached. Pure: the scan report, the filesystem facts and the attestations found are its inputs.
 */
import type { Finding } from '../../match/types.js';
import {
  HARDENED_CHECK_IDS,
  type CatalogVerification,
  type CheckStatus,
  type HardenedCheck,
  type HardenedCheckId,
} from '../../report/policy-types.js';
import type { ScanReport } from '../../report/types.js';
import { isRootUser, type AttestationFacts } from '../rules/evaluate.js';
import {
  HARDENED_PROFILE,
  checkApproval,
  type ApprovedCatalogue,
  type HardenedProfile,
} from './catalogue.js';
import type { ImageFacts } from './facts.js';

export interface VerifyInput {
  readonly report: ScanReport;
  readonly facts: ImageFacts;
  readonly catalogue?: ApprovedCatalogue;
  /** The name the image is checked under (default: its first tag, else the target). */
  readonly reference?: string;
  /** Attestations found in the registry; absent: not looked up (those points are unknown). */
  readonly attestations?: AttestationFacts;
  /** Check this profile instead of the entry's (`--profile hardened`). */
  readonly profile?: HardenedProfile;
}

const TITLES: Readonly<Record<HardenedCheckId, string>> = {
  approved: 'In the approved catalogue',
  'non-root-user': 'Default user is not root',
  'no-shell': 'No shell',
  'no-package-manager': 'No package manager',
  'no-setuid': 'No setuid/setgid files',
  'no-fixable-critical-high': 'No fixable critical/high vulnerabilities',
  'sbom-attestation': 'SBOM attestation attached',
  'provenance-attestation': 'Provenance attestation attached',
};

/** Evidence lists are cut here (the count in `detail` stays exact). */
const MAX_EVIDENCE = 50;

function check(
  id: HardenedCheckId,
  status: CheckStatus,
  detail: string,
  evidence: readonly string[] = [],
): HardenedCheck {
  return { id, title: TITLES[id], status, detail, evidence: evidence.slice(0, MAX_EVIDENCE) };
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

function fixableCriticalHigh(findings: readonly Finding[]): Finding[] {
  return findings.filter(
    (f) => !f.suppressed && f.fixState === 'fixed' && (f.severity === 'critical' || f.severity === 'high'),
  );
}

/** Verify one scanned image against its catalogue entry's profile (or `input.profile`). */
export function verifyHardened(input: VerifyInput): CatalogVerification {
  const { report, facts } = input;
  const src = report.sbom.source;
  const meta = src.kind === 'image' ? src.image : undefined;
  const reference = input.reference ?? meta?.repoTags[0] ?? src.target;
  const digest = meta?.manifestDigest || undefined;
  const approval = input.catalogue ? checkApproval(input.catalogue, reference, digest) : undefined;
  const entry = approval?.approved ? approval.entry : undefined;
  const profile = input.profile ?? entry?.profile ?? HARDENED_PROFILE;
  const checks = new Map<HardenedCheckId, HardenedCheck>();
  const skip = (id: HardenedCheckId): void =>
    void checks.set(id, check(id, 'skipped', 'not required by the profile'));

  if (!approval) checks.set('approved', check('approved', 'skipped', 'no approved catalogue configured'));
  else
    checks.set(
      'approved',
      check('approved', approval.approved ? 'pass' : 'fail', approval.reason, [reference]),
    );

  if (!profile.nonRootUser) skip('non-root-user');
  else if (!meta) checks.set('non-root-user', check('non-root-user', 'unknown', 'not an image'));
  else {
    const user = meta.config.user;
    checks.set(
      'non-root-user',
      isRootUser(user)
        ? check('non-root-user', 'fail', `default user is ${user?.trim() ? `"${user}"` : 'unset (root)'}`)
        : check('non-root-user', 'pass', `default user "${user}"`),
    );
  }

  const present = (
    id: HardenedCheckId,
    required: boolean,
    found: readonly string[],
    allowed: readonly string[],
    what: string,
  ): void => {
    if (!required) return skip(id);
    const allow = new Set(allowed);
    const bad = found.filter((p) => !allow.has(basename(p)) && !allow.has(p));
    const excused = found.length - bad.length;
    const note = excused ? ` (${excused} allowed)` : '';
    checks.set(
      id,
      bad.length
        ? check(id, 'fail', `${bad.length} ${what}${bad.length === 1 ? '' : 's'} found${note}`, bad)
        : check(id, 'pass', `no ${what}${note}`),
    );
  };
  present('no-shell', profile.noShell, facts.shells, profile.allowShells, 'shell');
  present(
    'no-package-manager',
    profile.noPackageManager,
    facts.packageManagers,
    profile.allowPackageManagers,
    'package manager',
  );

  if (!profile.noSetuid) skip('no-setuid');
  else {
    const allow = new Set(profile.allowSetuid);
    const bad = facts.setuidFiles.filter((f) => !allow.has(f.path));
    checks.set(
      'no-setuid',
      bad.length
        ? check(
            'no-setuid',
            'fail',
            `${bad.length} setuid/setgid file${bad.length === 1 ? '' : 's'}`,
            bad.map((f) => `${f.path} (${f.bits}, layer ${f.layer})`),
          )
        : check('no-setuid', 'pass', 'no setuid/setgid files'),
    );
  }

  if (!profile.noFixableCriticalHigh) skip('no-fixable-critical-high');
  else if (!report.coverage && !report.database)
    checks.set(
      'no-fixable-critical-high',
      check('no-fixable-critical-high', 'unknown', 'vulnerabilities were not scanned'),
    );
  else {
    const bad = fixableCriticalHigh(report.findings);
    checks.set(
      'no-fixable-critical-high',
      bad.length
        ? check(
            'no-fixable-critical-high',
            'fail',
            `${bad.length} fixable critical/high vulnerabilit${bad.length === 1 ? 'y' : 'ies'}`,
            bad.map(
              (f) =>
                `${f.vulnerabilityId} ${f.package.name}@${f.package.version} → ${f.fixedVersion ?? '?'} (${f.severity})`,
            ),
          )
        : check('no-fixable-critical-high', 'pass', 'none'),
    );
  }

  for (const [id, kind, required] of [
    ['sbom-attestation', 'sbom', profile.sbomAttestation],
    ['provenance-attestation', 'provenance', profile.provenanceAttestation],
  ] as const) {
    if (!required) skip(id);
    else if (!input.attestations)
      checks.set(
        id,
        check(id, 'unknown', 'not looked up: attestations are read from a registry (registry:// targets)'),
      );
    else {
      const found = input.attestations.found.filter((f) => f.startsWith(`${kind}:`));
      checks.set(
        id,
        input.attestations[kind]
          ? check(id, 'pass', found[0]?.slice(kind.length + 2) ?? 'attached', found)
          : check(id, 'fail', `no ${kind} attestation found`),
      );
    }
  }

  const ordered = HARDENED_CHECK_IDS.map((id) => checks.get(id)!);
  return {
    schema: 'bulwark-catalog-verify/v1',
    target: src.target,
    image: {
      name: reference,
      ...(digest ? { digest } : {}),
      ...(meta?.config.user !== undefined ? { user: meta.config.user } : {}),
    },
    ...(approval?.entry
      ? {
          entry: {
            repository: approval.entry.repository,
            ...(approval.entry.owner ? { owner: approval.entry.owner } : {}),
            ...(approval.entry.notes ? { notes: approval.entry.notes } : {}),
          },
        }
      : {}),
    checks: ordered,
    passed: ordered.every((c) => c.status === 'pass' || c.status === 'skipped'),
  };
}
