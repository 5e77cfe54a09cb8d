import { describe, it, expect } from 'vitest';
import { zipSync } from 'fflate';
import { memoryView } from '../test-support/memory-view.js';
import { pythonInstalledCataloger } from './cataloger.js';
import { parseMetadataHeaders, pythonLicenses } from './metadata.js';

const ctx = { source: { kind: 'directory' as const, target: '.', path: '.' } };

async function run(files: Record<string, string | Buffer>) {
  return pythonInstalledCataloger.catalog(memoryView(files, pythonInstalledCataloger.match), ctx);
}

const SITE = '/usr/local/lib/python3.12/site-packages';

describe('python-installed cataloger', () => {
  it('reads dist-info METADATA with RECORD, names displayed as written and PEP 503 in the PURL', async () => {
    const res = await run({
      [`${SITE}/Flask_SQLAlchemy-3.1.1.dist-info/METADATA`]: [
        'Metadata-Version: 2.1',
        'Name: Flask_SQLAlchemy',
        'Version: 3.1.1',
        'Summary: Add SQLAlchemy support to your Flask application.',
        'Classifier: Framework :: Flask',
        'Classifier: License :: OSI Approved :: BSD License',
        'Requires-Dist: flask>=2.2.5',
        'Requires-Dist: sqlalchemy>=2.0.16',
        '',
        '# Flask-SQLAlchemy',
        'License: this line is in the body and must be ignored',
      ].join('\n'),
      [`${SITE}/Flask_SQLAlchemy-3.1.1.dist-info/RECORD`]:
        'flask_sqlalchemy/__init__.py,sha256=abc,2041\n"flask_sqlalchemy/odd,name.py",,\n../../../bin/flask,sha256=x,1\nFlask_SQLAlchemy-3.1.1.dist-info/RECORD,,\n',
      [`${SITE}/requests-2.31.0.dist-info/METADATA`]:
        'Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n',
      [`${SITE}/pkg_new-1.0.dist-info/METADATA`]:
        'Metadata-Version: 2.4\nName: pkg.New\nVersion: 1.0\nLicense-Expression: MIT OR Apache-2.0\nLicense: ignored\n',
    });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => `${p.name} ${p.version} ${p.purl} [${p.licenses.join(',')}]`)).toEqual([
      'Flask_SQLAlchemy 3.1.1 pkg:pypi/flask-sqlalchemy@3.1.1 [BSD-3-Clause]',
      'pkg.New 1.0 pkg:pypi/pkg-new@1.0 [MIT OR Apache-2.0]',
      'requests 2.31.0 pkg:pypi/requests@2.31.0 [Apache-2.0]',
    ]);
    const flask = res.packages[0]!;
    expect(flask.metadata?.['files']).toEqual([
      '/usr/local/bin/flask',
      `${SITE}/Flask_SQLAlchemy-3.1.1.dist-info/RECORD`,
      `${SITE}/flask_sqlalchemy/__init__.py`,
      `${SITE}/flask_sqlalchemy/odd,name.py`,
    ]);
    expect(flask.metadata?.['requiresDist']).toEqual(['flask>=2.2.5', 'sqlalchemy>=2.0.16']);
    expect(flask.locations).toEqual([{ path: `${SITE}/Flask_SQLAlchemy-3.1.1.dist-info/METADATA` }]);
  });

  it('reads Debian-style egg-info folders and files, egg folders and egg archives', async () => {
    const dist = '/usr/lib/python3/dist-packages';
    const egg = Buffer.from(
      zipSync({
        'EGG-INFO/PKG-INFO': Buffer.from(
          'Metadata-Version: 1.1\nName: zope.interface\nVersion: 5.5.2\nLicense: ZPL 2.1\n',
        ),
        'zope/__init__.py': Buffer.from(''),
      }),
    );
    const res = await run({
      [`${dist}/requests-2.28.1.egg-info/PKG-INFO`]:
        'Metadata-Version: 2.1\nName: requests\nVersion: 2.28.1\nLicense: Apache 2.0\n',
      [`${dist}/requests-2.28.1.egg-info/installed-files.txt`]: '../requests/__init__.py\nPKG-INFO\n',
      [`${dist}/six-1.16.0.egg-info`]: 'Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\nLicense: MIT\n',
      [`${dist}/legacy-0.1-py3.11.egg/EGG-INFO/PKG-INFO`]:
        'Metadata-Version: 1.0\nName: legacy\nVersion: 0.1\n',
      [`${dist}/zope.interface-5.5.2-py3.11.egg`]: egg,
    });
    expect(res.unknowns).toEqual([]);
    expect(res.packages.map((p) => `${p.purl} ${p.metadata?.['kind']} ${p.locations[0]!.path}`)).toEqual([
      `pkg:pypi/legacy@0.1 egg ${dist}/legacy-0.1-py3.11.egg/EGG-INFO/PKG-INFO`,
      `pkg:pypi/requests@2.28.1 egg-info ${dist}/requests-2.28.1.egg-info/PKG-INFO`,
      `pkg:pypi/six@1.16.0 egg-info ${dist}/six-1.16.0.egg-info`,
      `pkg:pypi/zope-interface@5.5.2 egg ${dist}/zope.interface-5.5.2-py3.11.egg`,
    ]);
    expect(res.packages[1]!.metadata?.['files']).toEqual([
      `${dist}/requests-2.28.1.egg-info/PKG-INFO`,
      `${dist}/requests/__init__.py`,
    ]);
  });

  it('reports malformed metadata and broken eggs as unknowns and goes on', async () => {
    const res = await run({
      [`${SITE}/a-1.dist-info/METADATA`]: 'Metadata-Version: 2.1\nVersion: 1\n',
      [`${SITE}/b-1.dist-info/METADATA`]: 'this is not a header\n',
      [`${SITE}/c-1.egg`]: Buffer.from(zipSync({ 'x.py': Buffer.from('') })),
      [`${SITE}/ok-1.dist-info/METADATA`]: 'Name: ok\nVersion: 1\n',
    });
    expect(res.unknowns!.map((u) => [u.path.slice(SITE.length), u.reason])).toEqual([
      ['/a-1.dist-info/METADATA', 'metadata lacks Name'],
      ['/b-1.dist-info/METADATA', 'malformed metadata header line "this is not a header"'],
      ['/c-1.egg', 'egg archive without EGG-INFO/PKG-INFO'],
    ]);
    expect(res.packages.map((p) => p.name)).toEqual(['ok']);
  });

  it('parses continuation lines and picks licences in order of precision', () => {
    const h = parseMetadataHeaders(
      'Name: x\nLicense: Copyright (c) someone\n        Permission is hereby granted\nClassifier: License :: OSI Approved :: MIT License\n',
    );
    expect(h.get('license')).toEqual(['Copyright (c) someone\nPermission is hereby granted']);
    expect(pythonLicenses(h)).toEqual(['MIT']);
  });
});
