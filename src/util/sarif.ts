/**
 * A small, typed SARIF 2.1.0 builder shared by every scanner that reports to code scanning
 * (lint, secrets, scan). Scanners map their findings to {@link SarifRule} and {@link SarifResult};
 * this module produces a deterministic log (rules and results sorted).
 */
import { BULWARK_VERSION } from '../util/tool-version.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: string;
  fullDescription?: string;
  /** Markdown help (rationale and fix). */
  helpMarkdown?: string;
  helpUri?: string;
  defaultLevel: SarifLevel;
  /** GitHub reads `security-severity` (a number as a string, 0–10) and `tags`. */
  properties?: Record<string, unknown>;
}

export interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
}

export interface SarifResult {
  ruleId: string;
  level: SarifLevel;
  message: string;
  /** A path relative to the scan root (forward slashes), or a URI. */
  uri: string;
  region?: SarifRegion;
  /** Stable identity so code scanning can track the alert across runs. */
  fingerprint?: string;
  /** Set when the result was suppressed (an ignore rule, a VEX statement): code scanning closes it. */
  suppressions?: SarifSuppression[];
  properties?: Record<string, unknown>;
}

/** SARIF `suppression`: `external` for rules kept outside the scanned code (config, VEX). */
export interface SarifSuppression {
  kind: 'inSource' | 'external';
  status?: 'accepted' | 'underReview' | 'rejected';
  justification?: string;
}

/** Map Bulwark severities to SARIF levels and GitHub security-severity scores. */
export function severityToSarif(severity: string): { level: SarifLevel; securitySeverity: string } {
  switch (severity.toLowerCase()) {
    case 'critical':
      return { level: 'error', securitySeverity: '9.5' };
    case 'high':
      return { level: 'error', securitySeverity: '8.0' };
    case 'medium':
      return { level: 'warning', securitySeverity: '5.5' };
    case 'low':
      return { level: 'note', securitySeverity: '3.0' };
    default:
      return { level: 'note', securitySeverity: '0.0' };
  }
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildSarif(input: {
  /** e.g. `bulwark-lint` */
  toolName?: string;
  informationUri?: string;
  rules: SarifRule[];
  results: SarifResult[];
}): Record<string, unknown> {
  const rules = [...input.rules].sort((a, b) => byString(a.id, b.id));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const results = [...input.results].sort(
    (a, b) =>
      byString(a.uri, b.uri) ||
      (a.region?.startLine ?? 0) - (b.region?.startLine ?? 0) ||
      (a.region?.startColumn ?? 0) - (b.region?.startColumn ?? 0) ||
      byString(a.ruleId, b.ruleId) ||
      byString(a.message, b.message),
  );
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: input.toolName ?? 'bulwark',
            version: BULWARK_VERSION,
            semanticVersion: BULWARK_VERSION,
            informationUri: input.informationUri ?? 'https://github.com/bulwark-security/bulwark',
            rules: rules.map((r) => ({
              id: r.id,
              ...(r.name ? { name: r.name } : {}),
              shortDescription: { text: r.shortDescription },
              fullDescription: { text: r.fullDescription ?? r.shortDescription },
              ...(r.helpMarkdown ? { help: { text: r.helpMarkdown, markdown: r.helpMarkdown } } : {}),
              ...(r.helpUri ? { helpUri: r.helpUri } : {}),
              defaultConfiguration: { level: r.defaultLevel },
              ...(r.properties ? { properties: r.properties } : {}),
            })),
          },
        },
        results: results.map((r) => ({
          ruleId: r.ruleId,
          ...(ruleIndex.has(r.ruleId) ? { ruleIndex: ruleIndex.get(r.ruleId) } : {}),
          level: r.level,
          message: { text: r.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.uri },
                ...(r.region
                  ? {
                      region: {
                        startLine: Math.max(1, r.region.startLine),
                        ...(r.region.startColumn ? { startColumn: r.region.startColumn } : {}),
                        ...(r.region.endLine ? { endLine: r.region.endLine } : {}),
                        ...(r.region.endColumn ? { endColumn: r.region.endColumn } : {}),
                      },
                    }
                  : {}),
              },
            },
          ],
          ...(r.fingerprint ? { partialFingerprints: { primaryLocationLineHash: r.fingerprint } } : {}),
          ...(r.suppressions && r.suppressions.length > 0
            ? {
                suppressions: r.suppressions.map((s) => ({
                  kind: s.kind,
                  ...(s.status ? { status: s.status } : {}),
                  ...(s.justification ? { justification: s.justification } : {}),
                })),
              }
            : {}),
          ...(r.properties ? { properties: r.properties } : {}),
        })),
      },
    ],
  };
}
