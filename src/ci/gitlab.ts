/**
 * GitLab security reports (schema version 15.0.7 of gitlab-org/security-products/security-report-schemas):
 * secret detection (the secrets check), dependency scanning (the dependencies check) and container
 * scanning (vulnerabilities of the image check). Lint findings have no GitLab security report type;
 * they reach the merge request through the Markdown comment and the job log.
 */
import { BULWARK_VERSION } from '../util/tool-version.js';
import type { CiFinding, CiReport } from './types.js';

export const GITLAB_SCHEMA_VERSION = '15.0.7';

export const GITLAB_REPORT_FILES = {
  secret_detection: 'gl-secret-detection-report.json',
  dependency_scanning: 'gl-dependency-scanning-report.json',
  container_scanning: 'gl-container-scanning-report.json',
} as const;

export type GitlabReportType = keyof typeof GITLAB_REPORT_FILES;

const SEVERITY: Record<CiFinding['severity'], string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

/** GitLab's time format: `YYYY-MM-DDTHH:MM:SS`, no zone, no fraction. */
function gitlabTime(d: Date): string {
  return d.toISOString().slice(0, 19);
}

/** A UUID-shaped id from the fingerprint (GitLab keys findings by it; stable across runs). */
function uuidOf(fingerprint: string): string {
  const h = fingerprint
    .replace(/[^0-9a-f]/g, '')
    .padEnd(32, '0')
    .slice(0, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function identifiers(f: CiFinding): Record<string, string>[] {
  if (f.kind === 'vulnerability') {
    const id = f.ruleId;
    const type = id.startsWith('CVE-') ? 'cve' : id.startsWith('GHSA-') ? 'ghsa' : 'osv';
    const url =
      type === 'cve' ? `https://nvd.nist.gov/vuln/detail/${id}` : `https://osv.dev/vulnerability/${id}`;
    return [{ type, name: id, value: id, url }];
  }
  return [{ type: 'bulwark_rule_id', name: `Bulwark rule ${f.ruleId}`, value: f.ruleId }];
}

function scanner(type: GitlabReportType) {
  const vendor = { name: 'Bulwark' };
  return {
    analyzer: { id: 'bulwark', name: 'Bulwark', version: BULWARK_VERSION, vendor },
    scanner: { id: `bulwark-${type.replace(/_/g, '-')}`, name: 'Bulwark', version: BULWARK_VERSION, vendor },
    type,
  };
}

function vulnerability(f: CiFinding, location: Record<string, unknown>): Record<string, unknown> {
  return {
    id: uuidOf(f.fingerprint),
    name: f.title.slice(0, 255),
    description: f.message,
    severity: SEVERITY[f.severity],
    ...(f.fixedVersion
      ? { solution: `Upgrade ${f.package?.name ?? 'the package'} to ${f.fixedVersion} or later.` }
      : {}),
    identifiers: identifiers(f),
    location,
  };
}

/** The GitLab reports of a CI report, by type (every type present, possibly with no vulnerabilities). */
export function gitlabReports(
  report: CiReport,
  times: { start: Date; end: Date },
): Record<GitlabReportType, Record<string, unknown>> {
  const scanTimes = {
    start_time: gitlabTime(times.start),
    end_time: gitlabTime(times.end),
    status: 'success',
  };
  const commitSha = report.range?.head ?? report.ci.commit ?? '0000000000000000000000000000000000000000';
  const secrets = report.findings
    .filter((f) => f.check === 'secrets' && f.kind === 'secret')
    .map((f) =>
      vulnerability(f, {
        file: f.path ?? '',
        ...(f.line !== undefined ? { start_line: f.line, end_line: f.endLine ?? f.line } : {}),
        commit: { sha: f.commit ?? commitSha },
      }),
    );
  const deps = report.findings
    .filter((f) => f.check === 'dependencies' && f.kind === 'vulnerability' && f.package)
    .map((f) =>
      vulnerability(f, {
        file: f.path ?? '',
        dependency: { package: { name: f.package!.name }, version: f.package!.version },
      }),
    );
  const containers = report.findings
    .filter((f) => f.check === 'image' && f.kind === 'vulnerability' && f.package)
    .map((f) =>
      vulnerability(f, {
        dependency: { package: { name: f.package!.name }, version: f.package!.version },
        operating_system: osOf(f),
        image: f.image ?? '',
      }),
    );
  const doc = (type: GitlabReportType, vulnerabilities: Record<string, unknown>[]) => ({
    version: GITLAB_SCHEMA_VERSION,
    scan: { ...scanner(type), ...scanTimes },
    vulnerabilities,
  });
  return {
    secret_detection: doc('secret_detection', secrets),
    dependency_scanning: { ...doc('dependency_scanning', deps), dependency_files: [] },
    container_scanning: doc('container_scanning', containers),
  };
}

/** `debian:12` from a purl's `distro=debian-12` qualifier; `unknown` for language packages. */
function osOf(f: CiFinding): string {
  const distro = /[?&]distro=([^&#]+)/.exec(f.package?.purl ?? '')?.[1];
  if (!distro) return 'unknown';
  const decoded = decodeURIComponent(distro);
  const m = /^([a-z]+)-(.+)$/.exec(decoded);
  return m ? `${m[1]}:${m[2]}` : decoded;
}
