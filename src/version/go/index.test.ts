import { describe } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { go } from './index.js';

describe('go', () => {
  // Order checked with golang.org/x/mod/semver.
  itSortsChain(
    go,
    'v0.0.0-20190101000000-abcdefabcdef < v1.2.3-pre < v1.2.3-pre.0.20220101000000-abcdefabcdef < v1.2.3 < v1.2.4-0.20230101000000-abcdefabcdef < v1.2.4-rc.1 < v1.2.4 < v1.10.0 < v2.0.0+incompatible',
  );
  itSortsChain(go, 'v1 = 1.0.0 = v1.0 < v1.2 = 1.2.0 < v2.0.0 = v2.0.0+incompatible = 2.0.0+incompatible');
  itAccepts(go, [
    '0.0.0-20210220032938-85f4a76ec8a4',
    'v1.21.0',
    'v0.0.0-20210220032938-85f4a76ec8a4+incompatible',
  ]);
  // "(devel)" is a real entry of the Go vulnerability data; "v1.21rc1" is a Go toolchain name, not a module version.
  itRejects(go, ['(devel)', 'v1.21rc1', 'v1.2-pre', 'v1+meta', 'vv1.2.3', 'v01.2.3', 'v1.2.3.4', 'latest']);
});
