/**
 * The documented order of findings, shared by the match stage (which sorts its result) and the report
 * renderers (which do not trust a loaded report's order blindly). Kept apart from ./match.ts so the
 * renderers need not load the matchers and the database code.
 */
import { byString } from '../sbom/format/common.js';
import type { Finding } from './types.js';

/** Compare findings: risk (highest first), then vulnerability id, package name, version, id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    b.risk - a.risk ||
    byString(a.vulnerabilityId, b.vulnerabilityId) ||
    byString(a.package.name, b.package.name) ||
    byString(a.package.version, b.package.version) ||
    byString(a.id, b.id)
  );
}
