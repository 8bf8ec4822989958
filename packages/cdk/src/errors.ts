import { ValidationError } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

type ErrorName = ConstructorParameters<typeof ValidationError>[0];

export interface PropProblem {
  /** Stable id, e.g. `HeadroomRouterMemorySize`; becomes the error's name. */
  readonly code: string;
  /** The prop (or plan field) at fault, e.g. `memorySize`. */
  readonly prop: string;
  readonly message: string;
  /** The value received, rendered for people. */
  readonly received: unknown;
  readonly allowed: string;
  readonly fix: string;
}

function render(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const text = JSON.stringify(value);
    return text === undefined ? String(value) : text.length <= 120 ? text : `${text.slice(0, 117)}...`;
  } catch {
    return String(value);
  }
}

/**
 * A CDK `ValidationError` (so `Errors.isValidationError` recognises it and the CLI shows the
 * construct) whose message names the construct path, the value received, what is allowed and the fix.
 */
export function propError(scope: IConstruct, problem: PropProblem): ValidationError {
  const message = [
    `${scope.node.path}: ${problem.prop}: ${problem.message}`,
    `  received: ${render(problem.received)}`,
    `  allowed: ${problem.allowed}`,
    `  fix: ${problem.fix}`,
  ].join('\n');
  return new ValidationError(problem.code as unknown as ErrorName, message, scope);
}
