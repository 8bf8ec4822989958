import * as pulumi from '@pulumi/pulumi';
import { formatProblem, type PlanProblem } from '@headroom/plan';

/** Reports each warning once through the Pulumi engine, attached to the component. */
export function emitWarnings(warnings: readonly PlanProblem[], resource: pulumi.Resource): void {
  for (const warning of warnings) void pulumi.log.warn(formatProblem(warning), resource);
}
