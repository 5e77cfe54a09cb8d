/**
 * Every Dockerfile rule, in documentation order. Adding a rule: one file in this folder exporting a
 * {@link LintRule}, one line here, one section in docs/lint.md, tests in rules.test.ts.
 */
import type { LintRule } from '../types.js';
import { addRemoteWithoutChecksum } from './add-remote-without-checksum.js';
import { apkAddNoCache } from './apk-add-no-cache.js';
import { aptGetMissingYes } from './apt-get-missing-yes.js';
import { aptGetNoInstallRecommends } from './apt-get-no-install-recommends.js';
import { aptListsNotCleaned } from './apt-lists-not-cleaned.js';
import { cdInRun } from './cd-in-run.js';
import { chmodWorldWritable } from './chmod-world-writable.js';
import { copyContextUnfiltered } from './copy-context-unfiltered.js';
import { copySensitiveFile } from './copy-sensitive-file.js';
import { credentialsInRun } from './credentials-in-run.js';
import { dockerfileSyntax } from './dockerfile-syntax.js';
import { exposeSsh } from './expose-ssh.js';
import { finalUserRoot } from './final-user-root.js';
import { fromUnpinnedTag } from './from-unpinned-tag.js';
import { fromUntrustedRegistry } from './from-untrusted-registry.js';
import { fromWithoutDigest } from './from-without-digest.js';
import { hardcodedSecret } from './hardcoded-secret.js';
import { insecureDownload } from './insecure-download.js';
import { maintainerDeprecated } from './maintainer-deprecated.js';
import { missingHealthcheck } from './missing-healthcheck.js';
import { multipleCmdEntrypoint } from './multiple-cmd-entrypoint.js';
import { packageUpgrade } from './package-upgrade.js';
import { pipNoCacheDir } from './pip-no-cache-dir.js';
import { pipeToShell } from './pipe-to-shell.js';
import { pipeWithoutPipefail } from './pipe-without-pipefail.js';
import { relativeWorkdir } from './relative-workdir.js';
import { secretBuildArg } from './secret-build-arg.js';
import { secretInRun } from './secret-in-run.js';
import { sudoInRun } from './sudo-in-run.js';
import { suppressionWithoutReason } from './suppression-without-reason.js';
import { unpinnedPackage } from './unpinned-package.js';

export const RULES: readonly LintRule[] = [
  // secrets
  hardcodedSecret,
  credentialsInRun,
  secretInRun,
  secretBuildArg,
  // sensitive files
  copySensitiveFile,
  copyContextUnfiltered,
  // root
  finalUserRoot,
  sudoInRun,
  // supply chain
  fromUnpinnedTag,
  fromWithoutDigest,
  fromUntrustedRegistry,
  addRemoteWithoutChecksum,
  pipeToShell,
  insecureDownload,
  packageUpgrade,
  // hygiene
  aptGetMissingYes,
  aptGetNoInstallRecommends,
  aptListsNotCleaned,
  apkAddNoCache,
  pipNoCacheDir,
  unpinnedPackage,
  chmodWorldWritable,
  exposeSsh,
  missingHealthcheck,
  multipleCmdEntrypoint,
  relativeWorkdir,
  cdInRun,
  maintainerDeprecated,
  pipeWithoutPipefail,
  // syntax and suppressions
  dockerfileSyntax,
  suppressionWithoutReason,
];

export const RULES_BY_ID: ReadonlyMap<string, LintRule> = new Map(RULES.map((r) => [r.id, r]));
