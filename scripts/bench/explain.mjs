// Query plans of the server's list queries on a seeded register (`BENCH_SERVER_EXPLAIN=1 npm run bench --
// --only server`): EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite. The SQL is what the
// routes send (see listFindings and overdue in src/server/routes.ts, keysetPage and cappedTotal in
// src/server/paging.ts), with the project `big` of the benchmark.
import { performance } from 'node:perf_hooks';

const OPEN = `('new','triaged','fix-planned','reopened')`;

function queries(p, now, cursor) {
  const page = (where, order = 'sla_due_at, id') =>
    `select * from findings where project_id = ${p}${where} order by ${order} limit 101`;
  const count = (where) =>
    `select count(*) as n from (select 1 as one from findings where project_id = ${p}${where} limit 10001) as capped`;
  return [
    ['page, sort due', page('')],
    ['page after a cursor', page(` and sla_due_at is not null and (sla_due_at, id) > (${cursor})`)],
    ['page, state=new,triaged', page(` and state in ('new','triaged')`)],
    ['count, state=new,triaged', count(` and state in ('new','triaged')`)],
    ['page, severity=critical,high', page(` and severity in ('critical','high')`)],
    ['count, severity=critical,high', count(` and severity in ('critical','high')`)],
    ['page, kev=true', page(' and kev = 1')],
    ['page, fixable=true', page(' and fixed_version is not null')],
    ['page, sort first-seen', page('', 'first_seen_at desc, id desc')],
    ['count, all (capped)', count('')],
    [
      'overdue list',
      `select findings.*, projects.name as project_name from findings inner join projects on projects.id = findings.project_id
       where findings.state in ${OPEN} and (findings.sla_due_at < '${now}' or (findings.state = 'fix-planned' and findings.planned_fix_at < '${now}'))
       order by findings.sla_due_at, findings.id limit 101`,
    ],
    ['before: count(*), all', `select count(*) from findings where project_id = ${p}`],
    ['before: offset 250000', `${page('').replace('limit 101', 'limit 100 offset 250000')}`],
  ];
}

/** Print the plan of each list query; `run(sql)` returns rows, `engine` picks the EXPLAIN form. */
export async function explainPlans(engine, run) {
  const [big] = await run(`select id from projects where name = 'big'`);
  const p = `'${big.id}'`;
  const now = new Date().toISOString();
  const [mid] = await run(
    `select sla_due_at, id from findings where project_id = ${p} order by sla_due_at, id limit 1 offset 250000`,
  );
  const cursor = `'${mid.sla_due_at}', '${mid.id}'`;
  console.log(
    `\n### Query plans (${engine}, 1 project of ${(await run(`select count(*) as n from findings where project_id = ${p}`))[0].n} findings)`,
  );
  for (const [label, q] of queries(p, now, cursor)) {
    if (engine === 'sqlite') {
      const t0 = performance.now();
      await run(q);
      const ms = performance.now() - t0;
      const plan = await run(`explain query plan ${q}`);
      console.log(`- ${label} (${ms.toFixed(1)} ms): ${plan.map((r) => r.detail).join('; ')}`);
    } else {
      const rows = await run(`explain (analyze, buffers, format text) ${q}`);
      const lines = rows.map((r) => r['QUERY PLAN']);
      const exec = lines.find((l) => l.startsWith('Execution Time')) ?? '';
      const nodes = lines
        .filter((l) => /->|^\S/.test(l) && !/^(Planning|Execution)/.test(l))
        .map((l) =>
          l
            .trim()
            .replace(/^-> +/, '')
            .replace(/ +\(cost=[^)]*\)/, ''),
        )
        .slice(0, 4);
      console.log(`- ${label} (${exec.replace('Execution Time: ', '')}): ${nodes.join(' ← ')}`);
    }
  }
}
