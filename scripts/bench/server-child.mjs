// The server under test for scripts/bench-server.mjs, in its own process so that its memory is measured
// alone: `node server-child.mjs` (forked with IPC; settings in the environment). Starts `bulwark server`
// from the build on 127.0.0.1 and a free port, sends `{ address }`, answers `rss` with its peak RSS (MB)
// and `stop` by closing the server.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dist } from './common.mjs';

const { buildServer } = await import(dist('server/app.js'));
const { loadServerConfig } = await import(dist('server/config.js'));
const home = mkdtempSync(join(tmpdir(), 'bulwark-bench-server-home-'));
const config = loadServerConfig({
  env: {
    HOME: home,
    BULWARK_SERVER_DATABASE_URL: process.env.BENCH_DATABASE_URL,
    BULWARK_SERVER_ADMIN_PASSWORD: process.env.BENCH_ADMIN_PASSWORD,
    BULWARK_SERVER_LOG_LEVEL: 'silent',
    ...(process.env.BENCH_VULN_DB ? { BULWARK_SERVER_VULN_DB: process.env.BENCH_VULN_DB } : {}),
  },
  cwd: home,
});
const server = await buildServer({ config, logger: false });
const address = await server.app.listen({ host: '127.0.0.1', port: 0 });
process.on('message', (m) => {
  if (m === 'rss') process.send({ rssMB: process.resourceUsage().maxRSS / 1024 });
  if (m === 'stop') void server.close().then(() => process.exit(0));
});
process.send({ address });
