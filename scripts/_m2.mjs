import { readFileSync } from 'node:fs';
import { openDatabase } from '../dist/db/store.js';
import { matchSbom } from '../dist/match/match.js';
const sbom = JSON.parse(readFileSync('/tmp/ws/sbom.json','utf8'));
console.log('packages', sbom.packages.length);
for (let k=0;k<3;k++){ const db = openDatabase('/tmp/ws/db.sqlite'); const t=performance.now(); const r = await matchSbom(sbom, db, {}); console.log('matchSbom ms', (performance.now()-t).toFixed(0), r.findings?.length); db.close(); }
