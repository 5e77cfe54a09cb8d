/**
 * Renderers of a scan report ({@link ScanReport}), one module each, selected by `--format`. Each is a
 * pure function of the report and options, deterministic (with a pinned timestamp where the format
 * has one), and never prints image env values.
 */
import type { ScanReport } from '../types.js';
import { UsageError } from '../../util/errors.js';
import type { ScanRenderOptions } from './common.js';
import { renderCycloneDx } from './cyclonedx.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTable } from './table.js';

export type { ScanRenderOptions } from './common.js';
export { summarize, type ScanSummary } from './common.js';

export type ScanFormat = 'table' | 'json' | 'sarif' | 'cyclonedx-json' | 'markdown' | 'html';

/** Every format, in the order `--help` lists them. */
export const SCAN_FORMATS: readonly ScanFormat[] = [
  'table',
  'json',
  'sarif',
  'cyclonedx-json',
  'markdown',
  'html',
];

const RENDERERS: Record<ScanFormat, (report: ScanReport, options: ScanRenderOptions) => string> = {
  table: renderTable,
  json: (report) => renderJson(report),
  sarif: (report) => renderSarif(report),
  'cyclonedx-json': renderCycloneDx,
  markdown: renderMarkdown,
  html: renderHtml,
};

/** Whether a `--format` value names a scan report format. */
export function isScanFormat(value: string): value is ScanFormat {
  return Object.hasOwn(RENDERERS, value);
}

/** Render the report in `format`; an unknown format (from an untyped caller) is a usage error. */
export function renderScanReport(
  report: ScanReport,
  format: ScanFormat,
  options: ScanRenderOptions = {},
): string {
  if (!isScanFormat(format)) {
    throw new UsageError(
      `unknown report format "${String(format)}" (expected one of: ${SCAN_FORMATS.join(', ')})`,
    );
  }
  return RENDERERS[format](report, options);
}
