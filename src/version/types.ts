/**
 * Version schemes. Each scheme lives in its own folder (`src/version/<id>/index.ts`) and is listed in
 * `src/version/index.ts`. Comparing versions of different schemes is a typed error, never a string compare.
 */

export type VersionSchemeId =
  | 'dpkg'
  | 'apk'
  | 'rpm'
  | 'semver'
  | 'semver-loose'
  | 'go'
  | 'pep440'
  | 'maven'
  | 'rubygems'
  | 'nuget'
  | 'composer';

export interface VersionScheme {
  readonly id: VersionSchemeId;
  /** True when `v` parses in this scheme. */
  isValid(v: string): boolean;
  /** -1, 0 or 1. Throws {@link InvalidVersionError} when either side does not parse. */
  compare(a: string, b: string): -1 | 0 | 1;
}

export class InvalidVersionError extends Error {
  override readonly name = 'InvalidVersionError';
  constructor(
    readonly scheme: VersionSchemeId,
    readonly version: string,
    reason?: string,
  ) {
    super(`invalid ${scheme} version "${version}"${reason ? `: ${reason}` : ''}`);
  }
}

export class VersionSchemeMismatchError extends Error {
  override readonly name = 'VersionSchemeMismatchError';
  constructor(
    readonly a: VersionSchemeId,
    readonly b: VersionSchemeId,
  ) {
    super(`cannot compare a ${a} version with a ${b} version`);
  }
}
