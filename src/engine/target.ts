/**
 * Targets: a target string (`archive://image.tar`, `debian:12`, `fs://.`, `sbom://bom.json`, …) is
 * parsed once into a {@link Target} and handed around parsed; opening it yields a {@link Source}.
 */
import {
  openSource,
  parseTarget as parseTargetText,
  type OpenSourceOptions,
  type ParsedTarget,
} from '../source/open.js';
import type { Source } from '../source/types.js';

/** A parsed target: its scheme (`auto` without one), the rest after `scheme://`, and the text as given. */
export type Target = ParsedTarget;
export type { TargetKind } from '../source/open.js';

/** Options for opening a target: working directory, platform, folder filters, registry and daemon access. */
export type OpenTargetOptions = OpenSourceOptions;

/** Parse a target string. Unknown `scheme://` prefixes are a usage error. */
export function parseTarget(text: string): Target {
  return parseTargetText(text);
}

/** Accept a target as typed or already parsed. */
export function toTarget(target: string | Target): Target {
  return typeof target === 'string' ? parseTargetText(target) : target;
}

/**
 * Open an image or folder target for a single pass over its files (close it when done). `sbom://`
 * targets have no files: they are read by {@link catalogTarget} instead.
 */
export function openTarget(target: string | Target, options: OpenTargetOptions = {}): Promise<Source> {
  return openSource(toTarget(target), options);
}
