import { describe } from 'vitest';

import { itAccepts, itRejects, itSortsChain } from '../scheme-test-kit.js';
import { nuget } from './index.js';

describe('nuget', () => {
  // .NET 6 release train (Microsoft.Extensions.* on nuget.org).
  itSortsChain(
    nuget,
    '5.0.17 < 6.0.0-alpha < 6.0.0-preview.7.21377.19 < 6.0.0-Preview.9 < 6.0.0-preview.10 < 6.0.0-rc.1.21451.13 < 6.0.0-rc.2.21480.5 < 6.0.0 < 6.0.0.1 < 6.0.1',
  );
  itSortsChain(
    nuget,
    '1 = 1.0 = 1.0.0 = 1.0.0.0 = 1.0.0+sha.1 < 1.0.0.1 < 1.0.1-BETA = 1.0.1-beta < 1.0.1-beta.2 < 1.0.1-beta.10 < 1.0.1-rc-2 < 1.0.1-rc1',
  );
  itAccepts(nuget, ['3.7.10.6', '2.0.0-preview2-25407-01', '01.02.03']);
  itRejects(nuget, [
    '1.0.0.0.0',
    'v1.0.0',
    '1.0.0-',
    '1.0.0-beta..1',
    '1.0.0-01',
    '2147483648.0.0',
    '1.0.0-be_ta',
    '.1',
  ]);
});
