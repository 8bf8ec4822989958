/** The process boundary, injected so commands are testable in-process. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  exitCode(code: number): void;
}

export const processIo: Io = {
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  exitCode: (c) => { process.exitCode = c; },
};
