/** A mistake the user can fix: printed without a stack trace, exit code 1. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(message: string, readonly hint?: string, readonly exitCode = 1) {
    super(message);
  }
}
