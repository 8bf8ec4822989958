import type { Api } from '@headroom/plan/runtime';

/** The error kinds the router itself produces, mapped to each front door's own error format. */
export type RouterErrorKind =
  | 'invalid_request' | 'authentication' | 'not_found' | 'unknown_route' | 'method_not_allowed' | 'request_too_large'
  | 'rate_limit' | 'overloaded' | 'internal' | 'upstream' | 'timeout';

const STATUS: Record<RouterErrorKind, number> = {
  invalid_request: 400, authentication: 401, not_found: 404, unknown_route: 404, method_not_allowed: 405, request_too_large: 413,
  rate_limit: 429, overloaded: 529, internal: 500, upstream: 502, timeout: 504,
};

// https://docs.anthropic.com/en/api/errors
const ANTHROPIC_TYPE: Record<RouterErrorKind, string> = {
  invalid_request: 'invalid_request_error', authentication: 'authentication_error', not_found: 'not_found_error',
  unknown_route: 'not_found_error', method_not_allowed: 'invalid_request_error',
  request_too_large: 'request_too_large', rate_limit: 'rate_limit_error', overloaded: 'overloaded_error',
  internal: 'api_error', upstream: 'api_error', timeout: 'api_error',
};

// https://platform.openai.com/docs/guides/error-codes. Overloaded is OpenAI's 503 "The engine is currently
// overloaded": {error:{message, type:"server_error", param:null, code:null}}, which the SDK raises as InternalServerError.
const OPENAI_TYPE: Record<RouterErrorKind, { type: string; code: string | null }> = {
  invalid_request: { type: 'invalid_request_error', code: null },
  authentication: { type: 'invalid_request_error', code: 'invalid_api_key' },
  not_found: { type: 'invalid_request_error', code: 'model_not_found' },
  unknown_route: { type: 'invalid_request_error', code: null },
  method_not_allowed: { type: 'invalid_request_error', code: 'method_not_allowed' },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large' },
  rate_limit: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  overloaded: { type: 'server_error', code: null },
  internal: { type: 'server_error', code: null },
  upstream: { type: 'server_error', code: null },
  timeout: { type: 'server_error', code: 'timeout' },
};

/** An error the router answers with, in the front door's own format; never carries secrets or stacks. */
export class FrontDoorError extends Error {
  override readonly name = 'FrontDoorError';
  constructor(
    readonly kind: RouterErrorKind,
    message: string,
    /** Seconds for `retry-after` (429 only). */
    readonly retryAfterSeconds?: number,
    readonly param?: string,
  ) {
    super(message);
  }

  get status(): number {
    // OpenAI has no 529; its clients expect 503 for capacity.
    return this.kind === 'overloaded' ? 529 : STATUS[this.kind];
  }

  statusFor(api: Api): number {
    return api === 'openai' && this.kind === 'overloaded' ? 503 : this.status;
  }

  body(api: Api): unknown {
    if (api === 'anthropic') return { type: 'error', error: { type: ANTHROPIC_TYPE[this.kind], message: this.message } };
    const { type, code } = OPENAI_TYPE[this.kind];
    return { error: { message: this.message, type, param: this.param ?? null, code } };
  }

  headers(): Record<string, string> {
    return this.retryAfterSeconds !== undefined ? { 'retry-after': String(this.retryAfterSeconds) } : {};
  }
}
