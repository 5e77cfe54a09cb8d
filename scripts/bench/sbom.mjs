// `bulwark sbom` against its floor (read + decompress only), and memory on a synthetic image ≥ 2 GB.
import { join } from 'node:path';
import { IMAGES, ROOT, SBOM_MODULES, fmt, haveImages, measureCli, measureNode, table } from './common.mjs';
import { syntheticImage } from './synthetic.mjs';

export async function benchSbom() {
  if (!haveImages()) {
    console.log('\n## sbom\nskipped: no test images (run scripts/setup-test-env.sh as root)');
    return;
  }
  const rows = [];
  for (const [label, target, floorTarget] of [
    [
      'debian12-node docker-archive',
      `archive://${join(IMAGES, 'debian12-node.docker.tar')}`,
      join(IMAGES, 'debian12-node.docker.tar'),
    ],
    [
      'debian12-node OCI layout',
      `oci-dir://${join(IMAGES, 'debian12-node.oci')}`,
      join(IMAGES, 'debian12-node.oci'),
    ],
  ]) {
    const floor = measureNode(join(ROOT, 'scripts', 'bench', 'floor.mjs'), [floorTarget]);
    const run = measureCli(['sbom', target, '-f', 'json', '-q', '--no-cache']);
    rows.push({
      target: label,
      'sbom ms (work)': fmt(run.workMs),
      'sbom ms (process)': fmt(run.wallMs),
      'floor ms': fmt(floor.wallMs),
      'ratio (target ≤ 1.5)': fmt(run.workMs / floor.wallMs, 2),
      'peak RSS MB (target ≤ 200)': fmt(run.maxRssMB),
    });
  }
  table('sbom vs read+decompress floor (best of 3)', rows);

  const bench = join(ROOT, '.bench');
  const big = [];
  for (const size of [256 * 1024 * 1024, 2200 * 1024 * 1024]) {
    const dir = await syntheticImage(bench, size);
    const floor = measureNode(join(ROOT, 'scripts', 'bench', 'floor.mjs'), [dir]);
    const run = measureCli(
      ['sbom', `oci-dir://${dir}`, '-f', 'json', '-q', '--no-cache'],
      1,
      {},
      SBOM_MODULES,
    );
    big.push({
      image: `synthetic ${fmt(size / 1024 ** 3, 2)} GiB of layers`,
      'sbom ms': fmt(run.workMs),
      'floor ms': fmt(floor.wallMs),
      ratio: fmt(run.workMs / floor.wallMs, 2),
      'peak RSS MB': fmt(run.maxRssMB),
    });
  }
  table('memory does not grow with image size', big);
}
