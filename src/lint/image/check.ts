/**
 * Built-image checks (no Dockerfile): `checkImage` for a metadata object plus an iterable of the final
 * filesystem's entries, or `createImageChecker` to feed entries one at a time from a tree walk.
 */
import type { EntryHeader, ImageMetadata } from '../../source/types.js';
import { defaultSecretDetector } from '../secret-detector.js';
import { checkImageConfig, type Emit } from './config-checks.js';
import { FinalTreeChecker } from './file-checks.js';
import type { ImageCheckOptions, ImageFinding, ImageLocation } from './types.js';

export interface ImageChecker {
  /** One entry of the final filesystem (after whiteouts were applied). */
  entry(header: EntryHeader): void;
  /** Findings for the configuration, history and every entry fed so far, sorted. */
  finish(): ImageFinding[];
}

export function createImageChecker(meta: ImageMetadata, given: ImageCheckOptions = {}): ImageChecker {
  // Values are also matched against the secret-scanning rules unless the caller supplies a detector.
  const options: ImageCheckOptions = { detectSecret: defaultSecretDetector(), ...given };
  const findings: ImageFinding[] = [];
  const emit: Emit = (rule, message, location, severity) => {
    const override = options.config?.rules[rule.id];
    if (override === 'off') return;
    findings.push({
      ruleId: rule.id,
      title: rule.title,
      severity: override ?? severity ?? rule.severity,
      message,
      location,
    });
  };
  const tree = new FinalTreeChecker(emit, options.maxPerRule ?? 50);
  let done = false;
  return {
    entry: (h) => tree.entry(h),
    finish() {
      if (!done) {
        done = true;
        checkImageConfig(meta, options, emit);
        tree.finish();
        findings.sort(compareImageFindings);
      }
      return [...findings];
    },
  };
}

export function checkImage(
  meta: ImageMetadata,
  entries: Iterable<EntryHeader>,
  options: ImageCheckOptions = {},
): ImageFinding[] {
  const checker = createImageChecker(meta, options);
  for (const e of entries) checker.entry(e);
  return checker.finish();
}

const locationKey = (l: ImageLocation): string =>
  l.kind === 'config'
    ? `0 ${l.field} ${l.key ?? ''}`
    : l.kind === 'history'
      ? `1 ${String(l.index).padStart(6, '0')}`
      : `2 ${l.path}`;

function compareImageFindings(a: ImageFinding, b: ImageFinding): number {
  const ka = locationKey(a.location);
  const kb = locationKey(b.location);
  return ka < kb
    ? -1
    : ka > kb
      ? 1
      : a.ruleId < b.ruleId
        ? -1
        : a.ruleId > b.ruleId
          ? 1
          : a.message < b.message
            ? -1
            : a.message > b.message
              ? 1
              : 0;
}
