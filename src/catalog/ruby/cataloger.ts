/**
 * Installed Ruby gems: `…/specifications/*.gemspec` (and `specifications/default/` for default gems)
 * as written by RubyGems under `/usr/local/bundle`, `/var/lib/gems/*`, `/usr/lib/ruby/gems/*`, and by
 * Debian's ruby-* packages under `/usr/share/rubygems-integration/*`.
 */
import { PackageURL } from 'packageurl-js';
import type { Cataloger } from '../types.js';
import { normalizeLicenses } from '../license.js';
import { ResultBuilder, locationOf } from '../kit.js';
import { parseGemspec } from './gemspec.js';

const ID = 'ruby-installed';
const GEMSPEC = /\/specifications\/(?:default\/)?[^/]+\.gemspec$/;
const NAME = /^[A-Za-z0-9._-]+$/;

export const rubyInstalledCataloger: Cataloger = {
  id: ID,
  version: 1,
  maxFileSize: 4 * 1024 * 1024,
  match: (path) => GEMSPEC.test(path),
  async catalog(view) {
    const out = new ResultBuilder(ID);
    for (const file of view.files()) {
      await out.guard(file, async () => {
        const spec = parseGemspec((await file.read()).toString('utf8'));
        if (!spec.name || !spec.version)
          throw new Error(`gemspec lacks a literal ${!spec.name ? 'name' : 'version'}`);
        if (!NAME.test(spec.name))
          throw new Error(`invalid gem name ${JSON.stringify(spec.name.slice(0, 60))}`);
        const metadata: Record<string, unknown> = {};
        if (spec.homepage) metadata['homepage'] = spec.homepage;
        if (spec.authors.length) metadata['authors'] = spec.authors.slice(0, 50);
        if (spec.summary) metadata['summary'] = spec.summary.slice(0, 300);
        if (file.path.includes('/specifications/default/')) metadata['defaultGem'] = true;
        out.add({
          id: out.tempId(`${spec.name}@${spec.version}:${file.path}`),
          name: spec.name,
          version: spec.version,
          type: 'gem',
          purl: new PackageURL('gem', undefined, spec.name, spec.version).toString(),
          licenses: normalizeLicenses(spec.licenses),
          locations: [locationOf(file)],
          foundBy: ID,
          ...(file.layer ? { layer: file.layer } : {}),
          ...(Object.keys(metadata).length ? { metadata } : {}),
        });
      });
    }
    return out.result();
  },
};
