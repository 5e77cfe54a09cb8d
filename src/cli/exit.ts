/** Thrown by commands to end with a given exit code after printing their result (e.g. policy failure). */
export class ExitWith extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
