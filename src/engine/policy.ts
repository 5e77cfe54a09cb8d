/**
 * Policies and the approved catalogue as library calls: evaluate a target (scanned now) or a stored scan
 * report against the policies of `.bulwark.yaml`, and verify an image against the hardened profile of its
 * catalogue entry. The registry look-ups the policies need beyond the report (attestations attached to
 * a registry image, the digest its base image's tag points to now) happen here; the judgement itself is
 * the pure {@link evaluatePolicies} / {@link verifyHardened}.
 */
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { BaseImage } from '../model/base-image.js';
import {
  parseCatalogue,
  type ApprovedCatalogue,
  type HardenedProfile,
} from '../policy/approved/catalogue.js';
import {
  createImageFactsVisitor,
  type ImageFacts,
  type ImageFactsVisitor,
} from '../policy/approved/facts.js';
import { verifyHardened } from '../policy/approved/verify.js';
import { parseIgnoreRules } from '../policy/config.js';
import { parsePolicySettings, type PolicySettings } from '../policy/rules/config.js';
import {
  evaluatePolicies,
  type BaseImageLookup,
  type PolicyContext,
  type RegisterException,
} from '../policy/rules/evaluate.js';
import type { CatalogVerification, PolicyEvaluation } from '../report/policy-types.js';
import type { ScanReport } from '../report/types.js';
import { findAttestations, type AttestationFacts } from '../source/registry/attestations.js';
import { connectRegistry, type RegistryOptions } from '../source/registry/open-registry.js';
import { splitReference } from '../policy/approved/catalogue.js';
import type { ImageMetadata } from '../source/types.js';
import type { ScannerName } from '../extra-scanners/types.js';
import { z } from 'zod';
import { RATINGS } from '../db/types.js';
import { parseSbom } from '../sbom/read/index.js';
import { readJsonFile } from '../util/json-file.js';
import { BulwarkError, InputError, UsageError, oneLine } from '../util/errors.js';
import { parseJson } from '../source/image/oci.js';
import { resolve } from 'node:path';
import { lintConfigFrom } from '../lint/config.js';
import { loadDockerIgnoreFor } from '../lint/dockerignore.js';
import { lintDockerfile } from '../lint/engine.js';
import { defaultSecretDetector, defaultTextSecretDetector } from '../lint/secret-detector.js';
import type { Misconfiguration } from '../extra-scanners/types.js';
import { readDockerfile } from './catalog.js';
import { scanTarget, type ScanOptions } from './scan.js';
import { toTarget, type Target } from './target.js';

/** Options of {@link evaluateTargetPolicies} and {@link verifyCatalogImage}. */
export interface PolicyRunOptions extends Omit<ScanOptions, 'scanners' | 'extraVisitors' | 'filters'> {
  /**
   * Ask registries what the report cannot say: the attestations of a registry image and where its base
   * image's tag points now (default true). Without, those policies are `unknown`.
   */
  readonly lookups?: boolean;
  /** Risk acceptances from the register (server). */
  readonly exceptions?: readonly RegisterException[];
  /** A catalogue to use instead of the configuration file's `approved:` (e.g. the server's). */
  readonly catalogue?: ApprovedCatalogue;
  /** The clock (default now). */
  readonly now?: Date;
}

export interface TargetPolicyRun {
  readonly report: ScanReport;
  readonly evaluation: PolicyEvaluation;
}

/** The policy-related sections of the configuration file, validated. */
export interface PolicyConfig {
  readonly settings: PolicySettings;
  readonly catalogue?: ApprovedCatalogue;
  readonly ignoreRules: ReturnType<typeof parseIgnoreRules>;
}

/** Read `policies:`, `approved:` and `ignore:` of the configuration (one-line InputError when invalid). */
export function policyConfigFrom(config: LoadedConfig): PolicyConfig {
  const where = config.path ?? '.bulwark.yaml';
  const catalogue = parseCatalogue(config.data, where);
  return {
    settings: parsePolicySettings(config.data, where),
    ...(catalogue ? { catalogue } : {}),
    ignoreRules: parseIgnoreRules(config.data, where),
  };
}

/** The scanners the enabled policies need: vulnerabilities always; secrets and config checks when asked. */
export function scannersFor(settings: PolicySettings): ScannerName[] {
  return [
    'vuln',
    ...(settings.enabled['no-secrets'] ? (['secret'] as const) : []),
    ...(settings.enabled['dockerfile-lint'] ? (['config'] as const) : []),
  ];
}

const warn = (options: { onWarning?: (m: string) => void }, m: string): void => options.onWarning?.(m);

/**
 * The attestations attached to a registry image (undefined for other formats: an archive or layout does
 * not carry its registry's referrers).
 */
export async function lookupAttestations(
  image: ImageMetadata,
  registry: RegistryOptions = {},
): Promise<AttestationFacts | undefined> {
  if (image.format !== 'registry') return undefined;
  const pinned = image.repoDigests[0];
  if (!pinned) return undefined;
  const [name, top] = pinned.split('@') as [string, string];
  const client = await connectRegistry(`${name}@${top}`, registry);
  try {
    const digests = [top, image.manifestDigest].filter(Boolean);
    return await findAttestations(client, digests, top !== image.manifestDigest ? top : undefined);
  } finally {
    await client.close();
  }
}

/**
 * Where the base image's tag points now, with the platform manifests of that index (the base's recorded
 * digest may be either). Never throws: a failure is the lookup's `error`.
 */
export async function lookupBaseImage(
  base: BaseImage,
  registry: RegistryOptions = {},
): Promise<BaseImageLookup | undefined> {
  if (!base.name) return undefined;
  const ref = splitReference(base.name);
  if (!ref) return { reference: base.name, error: 'not an image reference' };
  if (!ref.tag) return { reference: base.name, error: 'pinned by digest only: no tag to follow' };
  const reference = `${ref.repository}:${ref.tag}`;
  let client;
  try {
    client = await connectRegistry(reference, registry);
    const digest = await client.headManifest(ref.tag);
    if (!digest) return { reference, error: 'the tag no longer exists' };
    const digests = [digest];
    const m = await client.optionalManifest(digest);
    const doc = m
      ? (parseJson(m.bytes, `${reference}: manifest`) as { manifests?: { digest?: unknown }[] })
      : undefined;
    for (const child of Array.isArray(doc?.manifests) ? doc.manifests : [])
      if (typeof child?.digest === 'string') digests.push(child.digest);
    return { reference, digests };
  } catch (err) {
    return { reference, error: err instanceof BulwarkError ? err.message : oneLine(err) };
  } finally {
    await client?.close();
  }
}

/** The context of {@link evaluatePolicies} for a report: configuration, register exceptions, look-ups. */
export async function policyContextFor(
  report: ScanReport,
  config: PolicyConfig,
  options: PolicyRunOptions & { readonly attestations?: AttestationFacts } = {},
): Promise<PolicyContext> {
  const lookups = options.lookups !== false;
  const src = report.sbom.source;
  let attestations = options.attestations;
  if (
    lookups &&
    !attestations &&
    config.settings.enabled['supply-chain-attestations'] &&
    src.kind === 'image'
  ) {
    try {
      attestations = await lookupAttestations(src.image, options.registry);
    } catch (err) {
      warn(
        options,
        `attestations could not be looked up: ${err instanceof BulwarkError ? err.message : oneLine(err)}`,
      );
    }
  }
  const base = report.baseImage;
  const baseImageLookup =
    lookups && base && config.settings.enabled['up-to-date-base-image'] && base.digest
      ? await lookupBaseImage(base, options.registry)
      : undefined;
  const catalogue = options.catalogue ?? config.catalogue;
  return {
    settings: config.settings,
    ...(catalogue ? { catalogue } : {}),
    ignoreRules: config.ignoreRules,
    ...(options.exceptions ? { exceptions: options.exceptions } : {}),
    ...(attestations ? { attestations } : {}),
    ...(baseImageLookup ? { baseImageLookup } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
}

/**
 * Scan a target with the scanners the enabled policies need (one pass) and evaluate every policy.
 * Filters are never applied: a policy judges everything that was found.
 */
export async function evaluateTargetPolicies(
  input: string | Target,
  options: PolicyRunOptions = {},
): Promise<TargetPolicyRun> {
  const target = toTarget(input);
  const cwd = options.cwd ?? process.cwd();
  const loaded = loadConfig(cwd, options.configFile);
  const config = policyConfigFrom(loaded);
  const scanned = await scanTarget(target, {
    ...options,
    cwd,
    scanners: target.kind === 'sbom' ? ['vuln'] : scannersFor(config.settings),
  });
  let report = scanned.report;
  // The Dockerfile the image was built from is linted too: its findings count for dockerfile-lint.
  if (options.dockerfile && config.settings.enabled['dockerfile-lint']) {
    const df = readDockerfile(options.dockerfile, cwd);
    const linted = lintDockerfile(df.text, {
      path: df.name,
      config: lintConfigFrom(loaded),
      dockerignore: loadDockerIgnoreFor(resolve(cwd, df.name)),
      detectSecret: defaultSecretDetector(),
      detectSecretsInText: defaultTextSecretDetector(),
    });
    report = {
      ...report,
      misconfigurations: [
        ...(report.misconfigurations ?? []),
        ...linted.findings.map((f): Misconfiguration => ({ kind: 'dockerfile', ...f })),
      ],
    };
  }
  const context = await policyContextFor(report, config, { ...options, cwd });
  return { report, evaluation: evaluatePolicies(report, { ...context, target: target.text }) };
}

/** Evaluate the policies of the configuration against a stored scan report (`bulwark policy --report`). */
export async function evaluateReportPolicies(
  report: ScanReport,
  options: PolicyRunOptions = {},
): Promise<PolicyEvaluation> {
  const cwd = options.cwd ?? process.cwd();
  const config = policyConfigFrom(loadConfig(cwd, options.configFile));
  const context = await policyContextFor(report, config, { ...options, cwd });
  return evaluatePolicies(report, context);
}

export interface VerifyOptions extends PolicyRunOptions {
  /** The name the image is checked under in the catalogue (default: its tag in the archive or registry). */
  readonly reference?: string;
  /** Check this profile instead of the catalogue entry's. */
  readonly profile?: HardenedProfile;
}

export interface CatalogVerifyRun {
  readonly verification: CatalogVerification;
  readonly facts: ImageFacts;
  readonly report: ScanReport;
}

/**
 * `bulwark catalog verify`: one pass over the image (vulnerabilities and the filesystem facts of the
 * profile), the registry's attestations, then every point of the profile.
 */
export async function verifyCatalogImage(
  input: string | Target,
  options: VerifyOptions = {},
): Promise<CatalogVerifyRun> {
  const target = toTarget(input);
  const cwd = options.cwd ?? process.cwd();
  const config = policyConfigFrom(loadConfig(cwd, options.configFile));
  let visitor: ImageFactsVisitor | undefined;
  const { report } = await scanTarget(target, {
    ...options,
    cwd,
    scanners: ['vuln'],
    extraVisitors: (source) => {
      if (source.description.kind !== 'image') return [];
      visitor = createImageFactsVisitor();
      return [visitor];
    },
  });
  const src = report.sbom.source;
  if (src.kind !== 'image' || !visitor)
    throw new UsageError(`${target.text}: catalog verify needs an image (not a folder or an SBOM)`);
  const facts = visitor.finish();
  let attestations: AttestationFacts | undefined;
  if (options.lookups !== false) {
    try {
      attestations = await lookupAttestations(src.image, options.registry);
    } catch (err) {
      // The image itself was read: a registry that fails on referrers leaves those points unknown.
      warn(
        options,
        `attestations could not be looked up: ${err instanceof BulwarkError ? err.message : oneLine(err)}`,
      );
    }
  }
  const catalogue = options.catalogue ?? config.catalogue;
  const verification = verifyHardened({
    report,
    facts,
    ...(catalogue ? { catalogue } : {}),
    ...(options.reference ? { reference: options.reference } : {}),
    ...(attestations ? { attestations } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
  return { verification, facts, report };
}

/** Largest stored scan report `bulwark policy --report` reads. */
const MAX_REPORT_BYTES = 512 * 1024 * 1024;

/**
 * Read a stored scan report (`bulwark scan -f json`, schema bulwark-scan/v1) for policy evaluation: the
 * SBOM through the SBOM reader (validated), findings, secrets, misconfigurations and the base image as
 * stored. A file that is not such a report is a one-line input error.
 */
export function readScanReportFile(file: string, cwd: string = process.cwd()): ScanReport {
  const { doc } = readJsonFile(file, cwd, {
    maxBytes: MAX_REPORT_BYTES,
    notFile: () => new InputError('E_NOT_FILE', `${file}: not a file`),
    tooLarge: () => new InputError('E_TOO_LARGE', `${file}: report larger than ${MAX_REPORT_BYTES} bytes`),
    notJson: (detail) => new InputError('E_NOT_REPORT', `${file}: not JSON (${detail})`),
  });
  const parsed = storedReport.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(
      'E_NOT_REPORT',
      `${file}: not a Bulwark scan report (bulwark scan -f json): ${issue.path.join('.') || 'document'}: ${issue.message}`,
    );
  }
  const r = parsed.data;
  const sbom = parseSbom(r.sbom, `report://${file}`, file);
  return {
    schema: 'bulwark-scan/v1',
    tool: { name: 'bulwark', version: r.tool?.version ?? 'unknown' },
    sbom,
    findings: r.findings as unknown as ScanReport['findings'],
    ...(r.database ? { database: r.database as ScanReport['database'] } : {}),
    ...(r.coverage ? { coverage: r.coverage as unknown as ScanReport['coverage'] } : {}),
    expiredSuppressions: [],
    filters: {},
    ...(r.secrets ? { secrets: r.secrets as unknown as ScanReport['secrets'] } : {}),
    ...(r.misconfigurations
      ? { misconfigurations: r.misconfigurations as unknown as ScanReport['misconfigurations'] }
      : {}),
    ...(r.baseImage ? { baseImage: r.baseImage as ScanReport['baseImage'] } : {}),
  };
}

const storedFinding = z.looseObject({
  vulnerabilityId: z.string(),
  aliases: z.array(z.string()),
  severity: z.enum(RATINGS),
  fixState: z.enum(['fixed', 'not-fixed', 'wont-fix']),
  package: z.looseObject({ name: z.string(), version: z.string(), purl: z.string() }),
});
const storedReport = z.looseObject({
  schema: z.literal('bulwark-scan/v1'),
  tool: z.looseObject({ version: z.string() }).optional(),
  findings: z.array(storedFinding),
  database: z.looseObject({ path: z.string() }).optional(),
  coverage: z.looseObject({ packages: z.number() }).optional(),
  secrets: z.array(z.looseObject({ ruleId: z.string(), severity: z.string(), path: z.string() })).optional(),
  misconfigurations: z
    .array(z.looseObject({ kind: z.enum(['dockerfile', 'image']), ruleId: z.string(), severity: z.string() }))
    .optional(),
  baseImage: z
    .looseObject({
      name: z.string().optional(),
      digest: z.string().optional(),
      layers: z.number().int().min(0),
      detectedBy: z.string(),
      confidence: z.string(),
    })
    .optional(),
  sbom: z.record(z.string(), z.unknown()),
});
