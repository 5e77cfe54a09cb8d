/** FROM instructions that pull an image (not `scratch`, not an earlier stage, no unresolved variable). */
import type { Instruction, Stage } from '../dockerfile/types.js';
import type { Dockerfile } from '../dockerfile/types.js';
import { parseImageRef, type ImageRef } from '../image-ref.js';

export interface PulledBase {
  readonly stage: Stage;
  readonly from: Instruction;
  readonly image: string;
  readonly ref: ImageRef;
}

export function pulledBases(file: Dockerfile): PulledBase[] {
  const out: PulledBase[] = [];
  for (const stage of file.stages) {
    const image = stage.image;
    if (!image || stage.baseStage !== undefined || image.toLowerCase() === 'scratch' || image.includes('$'))
      continue;
    out.push({ stage, from: stage.from, image, ref: parseImageRef(image) });
  }
  return out;
}
