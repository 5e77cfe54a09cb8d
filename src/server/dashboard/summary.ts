/**
 * The per-scan summary the dashboard reads (table `scan_summaries`), computed once at ingest from the
 * documents already parsed: counts by severity, fixable, KEV, secrets, the health grade, the image's
 * facts (OS, platform, size, created, base image) and its layers with what each one added. Pushed
 * documents come from clients, so everything shown is taken field by field and redacted again: history
 * commands through the SBOM redactor, secrets reduced to the CLI's preview, length and fingerprint.
 */
import { redactCreatedBy } from '../../sbom/format/redact.js';
import { previewLength } from '../../secrets/redact.js';
import type { Tx } from '../store/connect.js';
import type { ScanSummariesTable } from '../store/schema.js';
import { gradeImage, type GradedSeverity, type GradeResult } from './grade.js';

/** The scanned document as pushed (scan report) or built by the server (SBOM upload). */
export interface ScanDocument {
  /** Bulwark SBOM JSON (object). */
  readonly sbom: unknown;
  /** The scan report's `findings` (scan JSON). */
  readonly findings: readonly unknown[];
  /** The scan report's `secrets`, when the secret scanner ran. */
  readonly secrets?: unknown;
  /** The scan report's `baseImage`, when detected. */
  readonly baseImage?: unknown;
}

export const SEVERITIES: readonly GradedSeverity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'negligible',
  'unknown',
];

type Counts = Record<GradedSeverity, number>;
const zero = (): Counts => ({ critical: 0, high: 0, medium: 0, low: 0, negligible: 0, unknown: 0 });

export interface LayerSummary {
  readonly index: number;
  readonly digest: string;
  readonly diffId: string;
  readonly size: number;
  readonly mediaType: string;
  /** The Dockerfile instruction from the image history, redacted. */
  readonly createdBy: string | null;
  readonly created: string | null;
  /** Packages whose version this layer introduced. */
  readonly packages: number;
  /** Findings in those packages, by severity (suppressed ones not counted). */
  readonly findings: Counts & { readonly total: number; readonly fixable: number };
  /** Secrets whose file this layer wrote. */
  readonly secrets: number;
  /** True when the base image contributed this layer. */
  readonly fromBaseImage: boolean;
}

export interface RedactedSecretView {
  readonly ruleId: string;
  readonly title: string;
  readonly severity: string;
  readonly path: string;
  readonly line: number | null;
  readonly status: string | null;
  readonly layer: number | null;
  readonly removedInLayer: number | null;
  readonly secret: { readonly preview: string; readonly length: number; readonly fingerprint: string };
}

export interface BaseImageView {
  readonly name: string | null;
  readonly digest: string | null;
  readonly layers: number;
  readonly detectedBy: string | null;
  readonly confidence: string | null;
}

export interface ScanDetails {
  readonly layers: readonly LayerSummary[];
  readonly secrets: readonly RedactedSecretView[];
  readonly baseImage: BaseImageView | null;
  readonly grade: GradeResult;
  readonly fixableBySeverity: Counts;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const layerIndex = (v: unknown): number | null => (isObj(v) ? num(v.index) : null);

/** Is a scan-JSON finding fixable? (`fixable` as the CLI wrote it, else a fixed version is named.) */
export function findingFixable(f: Obj): boolean {
  if (typeof f.fixable === 'boolean') return f.fixable;
  return typeof f.fixedVersion === 'string' && f.fixedVersion !== '';
}

export const severityOf = (f: Obj): GradedSeverity => {
  const s = str(f.severity);
  return s !== null && (SEVERITIES as readonly string[]).includes(s) ? (s as GradedSeverity) : 'unknown';
};

/** A secret as the CLI shows it: never more of the value than its own preview rule allows. */
export function redactSecretView(s: Obj): RedactedSecretView | undefined {
  const ruleId = str(s.ruleId);
  const path = str(s.path);
  if (!ruleId || path === null) return undefined;
  const secret = isObj(s.secret) ? s.secret : {};
  const length = Math.max(0, Math.trunc(num(secret.length) ?? 0));
  const given = (str(secret.preview) ?? '').replace(/…$/, '');
  // Re-cut the preview to what the CLI would show for a secret of this length: a client cannot make the
  // register keep more of a value than the CLI ever prints.
  const preview = `${Array.from(given).slice(0, previewLength(length)).join('')}…`;
  const fp = str(secret.fingerprint) ?? '';
  return {
    ruleId,
    title: str(s.title) ?? ruleId,
    severity: str(s.severity) ?? 'unknown',
    path,
    line: num(s.line),
    status: str(s.status),
    layer: layerIndex(s.layer),
    removedInLayer: layerIndex(s.removedIn),
    secret: { preview, length, fingerprint: /^[0-9a-f]{1,64}$/.test(fp) ? fp : '' },
  };
}

function baseImageView(v: unknown): BaseImageView | null {
  if (!isObj(v)) return null;
  return {
    name: str(v.name),
    digest: str(v.digest),
    layers: Math.max(0, Math.trunc(num(v.layers) ?? 0)),
    detectedBy: str(v.detectedBy),
    confidence: str(v.confidence),
  };
}

export type SummaryRow = Omit<ScanSummariesTable, 'scan_id' | 'project_id' | 'image_id' | 'kind'>;

/** Compute the summary row of one scanned document. Pure; tolerant of missing fields. */
export function summarizeScan(doc: ScanDocument): { row: SummaryRow; details: ScanDetails } {
  const sbom = isObj(doc.sbom) ? doc.sbom : {};
  const source = isObj(sbom.source) ? sbom.source : {};
  const image = isObj(source.image) ? source.image : undefined;
  // The scan report's baseImage, else the SBOM's (an uploaded SBOM carries it there).
  const baseImage = baseImageView(doc.baseImage ?? sbom.baseImage);
  const packages = arr(sbom.packages).filter(isObj);

  const total = zero();
  const fixable = zero();
  let kev = 0;
  let fixableAll = 0;
  const perLayer = new Map<number, { c: Counts; fixable: number }>();
  for (const raw of doc.findings) {
    if (!isObj(raw) || raw.suppressed) continue;
    const sev = severityOf(raw);
    const fix = findingFixable(raw);
    total[sev]++;
    if (fix) {
      fixable[sev]++;
      fixableAll++;
    }
    if (raw.kev) kev++;
    const pkg = isObj(raw.package) ? raw.package : {};
    const li = layerIndex(pkg.layer);
    if (li !== null) {
      let e = perLayer.get(li);
      if (!e) perLayer.set(li, (e = { c: zero(), fixable: 0 }));
      e.c[sev]++;
      if (fix) e.fixable++;
    }
  }
  const secrets = arr(doc.secrets)
    .filter(isObj)
    .map(redactSecretView)
    .filter((s): s is RedactedSecretView => s !== undefined);

  const packagesPerLayer = new Map<number, number>();
  for (const p of packages) {
    const li = layerIndex(p.layer);
    if (li !== null) packagesPerLayer.set(li, (packagesPerLayer.get(li) ?? 0) + 1);
  }
  const secretsPerLayer = new Map<number, number>();
  for (const s of secrets)
    if (s.layer !== null) secretsPerLayer.set(s.layer, (secretsPerLayer.get(s.layer) ?? 0) + 1);

  const layers: LayerSummary[] = arr(image?.layers)
    .filter(isObj)
    .map((l, i) => {
      const index = num(l.index) ?? i;
      const e = perLayer.get(index);
      const c = e?.c ?? zero();
      return {
        index,
        digest: str(l.digest) ?? '',
        diffId: str(l.diffId) ?? '',
        size: num(l.size) ?? 0,
        mediaType: str(l.mediaType) ?? '',
        createdBy: redactCreatedBy(str(l.createdBy) ?? undefined) ?? null,
        created: str(l.created),
        packages: packagesPerLayer.get(index) ?? 0,
        findings: { ...c, total: SEVERITIES.reduce((n, s) => n + c[s], 0), fixable: e?.fixable ?? 0 },
        secrets: secretsPerLayer.get(index) ?? 0,
        fromBaseImage: baseImage !== null && index < baseImage.layers,
      };
    })
    .sort((a, b) => a.index - b.index);

  const grade = gradeImage({ total, fixable, kev, secrets: secrets.length });
  const distro = isObj(sbom.distro) ? sbom.distro : undefined;
  const os = distro
    ? (str(distro.prettyName) ??
      ([str(distro.name) ?? str(distro.id), str(distro.versionId)].filter(Boolean).join(' ') || null))
    : null;
  const platform = isObj(image?.platform)
    ? [str(image.platform.os), str(image.platform.architecture), str(image.platform.variant)]
        .filter(Boolean)
        .join('/') || null
    : null;
  const size = layers.length ? layers.reduce((n, l) => n + l.size, 0) : null;
  return {
    row: {
      grade: grade.grade,
      score: grade.score,
      ...total,
      fixable: fixableAll,
      kev,
      secrets: secrets.length,
      packages: packages.length,
      os,
      platform,
      base_image: baseImage?.name ?? null,
      size,
      image_created: str(image?.created),
      details: '',
    },
    details: { layers, secrets, baseImage, grade, fixableBySeverity: fixable },
  };
}

/** The stored SBOM text as a document; uploads without one (SARIF) have an empty text. */
export function parseSbomText(text: string): unknown {
  if (!text) return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return {};
  }
}

/** Write the summary of a scan in the ingest transaction. */
export async function recordScanSummary(
  tx: Tx,
  ids: { readonly scanId: string; readonly projectId: string; readonly imageId: string },
  kind: string,
  doc: ScanDocument,
): Promise<void> {
  const { row, details } = summarizeScan(doc);
  await tx
    .insertInto('scan_summaries')
    .values({
      ...row,
      kind,
      details: JSON.stringify(details),
      scan_id: ids.scanId,
      project_id: ids.projectId,
      image_id: ids.imageId,
    })
    .execute();
}

/** The stored details of a summary row. */
export function detailsOf(row: Pick<ScanSummariesTable, 'details'>): ScanDetails {
  return JSON.parse(row.details) as ScanDetails;
}
