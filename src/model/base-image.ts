/**
 * The base image an image was built on, as detected from the image (OCI annotations, the layer prefix it
 * shares with an image Bulwark knows) or from the Dockerfile's final `FROM`. The layers `0 … layers-1`
 * of the image came from the base image; findings in those layers are "from the base image", the rest
 * were "added by your layers".
 */
export interface BaseImage {
  /** The base's reference as detected, e.g. `docker.io/library/debian:12-slim`; absent when unknown. */
  readonly name?: string;
  /** The base's manifest digest (`sha256:…`), when known. */
  readonly digest?: string;
  /** How many leading layers of the image the base contributed (0 when not known). */
  readonly layers: number;
  /** How it was detected. */
  readonly detectedBy: 'annotation' | 'layers' | 'dockerfile' | 'label';
  /** How sure the detection is: layer-prefix and digest matches are `high`; a name alone `medium`. */
  readonly confidence: 'high' | 'medium' | 'low';
}
