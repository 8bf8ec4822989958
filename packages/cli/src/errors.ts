/** A mistake the user can fix: printed without a stack trace, exit code 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, readonly hint?: string, readonly exitCode = 1) {
    super(message);
  }
}

/**
 * A failed `listen` the user can fix (the port is taken, or privileged), as a UserError naming the
 * port; undefined for anything else. `ports` describes what --port sets, e.g. for a range.
 */
export function listenFailure(error: unknown, ports = 'the port'): UserError | undefined {
  const failure = error as (NodeJS.ErrnoException & { port?: number; address?: string }) | undefined;
  if (failure?.syscall !== 'listen') return undefined;
  const where = `port ${failure.port ?? '?'} on ${failure.address ?? 'this host'}`;
  if (failure.code === 'EADDRINUSE') {
    return new UserError(
      `${where} is already in use`,
      `pick another port with --port (it sets ${ports}), or stop the process using port ${failure.port} (e.g. \`lsof -i :${failure.port}\`); --port 0 picks a free one`,
    );
  }
  if (failure.code === 'EACCES') {
    return new UserError(`no permission to listen on ${where}`, `ports below 1024 need privileges: pick a higher one with --port (it sets ${ports}), or --port 0 for a free one`);
  }
  return undefined;
}
