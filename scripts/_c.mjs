import { readdirSync, readFileSync } from 'node:fs';
const dir='/tmp/ws/cache/bulwark/layers';
for (const f of readdirSync(dir).filter(f=>f.endsWith('.bwl'))) {
  const b = readFileSync(dir+'/'+f); const hl=b.readUInt32BE(12);
  const p=b.subarray(16+hl); const jl=p.readUInt32BE(0); const j=JSON.parse(p.subarray(4,4+jl));
  const big = j.lengths.map((l,i)=>[l,i]).sort((a,b)=>b[0]-a[0]).slice(0,4);
  console.log(f.slice(0,12), 'total', b.length, 'json', jl, 'entries', j.entries.length, 'contents', j.lengths.length, 'content bytes', j.lengths.reduce((a,b)=>a+b,0), 'top', big.map(x=>x[0]));
  const named = j.entries.filter(e => JSON.stringify(e).match(/,(\d+)\]?$/) ); 
  console.log(JSON.stringify(j.entries.slice(0,2)).slice(0,300));
  // find entries with content index of biggest
  for (const [len, idx] of big.slice(0,3)) { const e = j.entries.find(e => Array.isArray(e) ? e[e.length-1]===idx : e.content===idx); console.log('  ', len, JSON.stringify(e).slice(0,120)); }
}
