/**
 * Java runtimes: the `release` file every JDK/JRE image ships at its root (`JAVA_VERSION="17.0.2"`,
 * `IMPLEMENTOR=…`), under `/usr/lib/jvm/*`, `/opt/java/*`, `/usr/local/openjdk-*` and similar.
 */
import type { Cataloger } from '../types.js';
import { parseOsRelease } from '../distro/os-release.js';
import { catalogRuntimes } from './runtime-package.js';

const ID = 'runtime-java';
const RELEASE =
  /^\/(?:usr\/lib\/jvm\/[^/]+|opt\/java\/[^/]+|opt\/[^/]*(?:jdk|jre|java)[^/]*|usr\/local\/[^/]*(?:jdk|jre|java)[^/]*|usr\/java\/[^/]+)(?:\/jre)?\/release$/i;

export const javaRuntimeCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 1024 * 1024,
  match: (path) => RELEASE.test(path),
  catalog: (view) =>
    catalogRuntimes(ID, view, (file, buf) => {
      const fields = parseOsRelease(buf.toString('utf8'));
      const version = fields.get('JAVA_VERSION');
      if (!version) return undefined; // some other product's `release` file
      if (!/^[\w.+-]{1,40}$/.test(version))
        throw new Error(`unexpected JAVA_VERSION ${JSON.stringify(version.slice(0, 40))}`);
      const metadata: Record<string, unknown> = {};
      for (const [k, m] of [
        ['IMPLEMENTOR', 'implementor'],
        ['JAVA_RUNTIME_VERSION', 'runtimeVersion'],
        ['IMAGE_TYPE', 'imageType'],
      ] as const) {
        const v = fields.get(k);
        if (v) metadata[m] = v;
      }
      return {
        name: 'openjdk',
        version,
        cpe: 'oracle:openjdk',
        licenses: ['GPL-2.0-only WITH Classpath-exception-2.0'],
        file,
        metadata,
      };
    }),
};
