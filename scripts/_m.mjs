import { readFileSync } from 'node:fs';
import { openDatabase } from '../dist/db/store.js';
import { evaluate } from '../dist/db/affected.js';
const sbom = JSON.parse(readFileSync('/tmp/ws/sbom.json','utf8'));
const db = openDatabase('/tmp/ws/db.sqlite');
let nrec=0, nver=0, nranges=0; const pk=[];
let t=performance.now();
for (const p of sbom.packages) {
  const eco = p.type==='deb' ? 'Debian:12' : p.type==='npm' ? 'npm' : null; if (!eco) continue;
  const name = p.type==='deb' ? (p.metadata?.source ?? p.name) : p.name;
  const recs = db.lookup(eco, name); nrec += recs.length;
  for (const r of recs) for (const a of r.affected) { nver += a.versions?.length ?? 0; nranges += a.ranges?.length ?? 0; }
  pk.push([eco, name, p.version, recs]);
}
console.log('lookup ms', (performance.now()-t).toFixed(0), 'packages', pk.length, 'records', nrec, 'versions listed', nver, 'ranges', nranges);
for (let k=0;k<3;k++){ t=performance.now(); let aff=0;
for (const [eco,name,version,recs] of pk) for (const r of recs) if (evaluate(r,{ecosystem:eco,name,version}).affected) aff++;
console.log('evaluate ms', (performance.now()-t).toFixed(0), 'affected', aff); }
