/** Runtime detectors, one per runtime. */
import type { Cataloger } from '../types.js';
import { goRuntimeCataloger } from './go.js';
import { javaRuntimeCataloger } from './java.js';
import { nodeRuntimeCataloger } from './node.js';
import { pythonRuntimeCataloger } from './python.js';

export const RUNTIME_CATALOGERS: readonly Cataloger[] = [
  nodeRuntimeCataloger,
  pythonRuntimeCataloger,
  javaRuntimeCataloger,
  goRuntimeCataloger,
];
