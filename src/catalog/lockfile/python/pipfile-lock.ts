/**
 * Pipfile.lock (pipenv, JSON): `default` (production) and `develop` (dev) sections, each mapping a
 * name to `{ version: "==1.2.3", hashes, markers }`. The file records neither direct dependencies nor
 * the dependency graph. Git, path and editable entries have no version and are reported.
 */
import type { DependencyScope } from '../../types.js';
import {
  defineLockCataloger,
  entries,
  isRecord,
  lockError,
  parseJson,
  pypiIdentity,
  redactUrl,
  str,
  type LockBuilder,
  type LockFileInput,
} from '../common.js';

function parsePipfileLock(input: LockFileInput, out: LockBuilder): void {
  const doc = parseJson(input.text, 'Pipfile.lock');
  if (!isRecord(doc) || (!isRecord(doc.default) && !isRecord(doc.develop))) {
    throw lockError('Pipfile.lock: no "default" or "develop" section');
  }
  const sections: [string, DependencyScope][] = [
    ['default', 'prod'],
    ['develop', 'dev'],
  ];
  for (const [section, scope] of sections) {
    for (const [name, raw] of entries(doc[section])) {
      if (!isRecord(raw)) {
        out.problem(`${section}.${name}: entry is not an object`);
        continue;
      }
      const written = str(raw.version);
      const version = written ? /^===?\s*(.+)$/.exec(written)?.[1] : undefined;
      if (!version) {
        const where = str(raw.git) ?? str(raw.path) ?? str(raw.file);
        out.problem(
          `${section}.${name}: ${where ? `"${redactUrl(where)}" has no pinned version; skipped` : written ? `version "${written}" is not a pin` : 'no version'}`,
        );
        continue;
      }
      // A package in both sections is needed in production: the first (default) one wins.
      out.add({
        ...pypiIdentity(name, version),
        scope,
        metadata: {
          hashes: Array.isArray(raw.hashes)
            ? raw.hashes.filter((h): h is string => typeof h === 'string').sort()
            : undefined,
          markers: str(raw.markers),
          index: str(raw.index),
        },
      });
    }
  }
}

/** Pipfile.lock. */
export const pipfileLockCataloger = defineLockCataloger({
  id: 'pipfile-lock',
  version: 3,
  primary: (base) => base === 'Pipfile.lock',
  parse: parsePipfileLock,
});
