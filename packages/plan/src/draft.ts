import type { z } from 'zod';
import { familySchema, planSchema, targetSchema } from './schema';
import type { Api, Geo, Plan, Target } from './types';

/**
 * The parts of a possibly-invalid plan that are individually well-formed, so semantic checks can
 * run beside schema errors and the user sees every problem in one pass.
 */
export interface PlanDraft {
  readonly name?: string;
  readonly aws?: Plan['aws'];
  readonly azure?: Plan['azure'];
  readonly gcp?: Plan['gcp'];
  readonly routing?: Plan['routing'];
  readonly quotas?: Plan['quotas'];
  readonly families: Readonly<Record<string, FamilyDraft>>;
  /** `families` is a map with no entries (a missing or malformed one is the schema's to report). */
  readonly familiesEmpty: boolean;
}

export interface FamilyDraft {
  readonly api?: Api;
  readonly aliases: readonly string[];
  readonly pins: readonly Geo[];
  /** Only the targets that are well-formed. */
  readonly targets: Readonly<Record<string, Target>>;
  /** All target keys, well-formed or not. */
  readonly targetIds: readonly string[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parsed<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  const result = schema.safeParse(value);
  return result.success ? result.data : undefined;
}

export function draftOf(raw: unknown): PlanDraft {
  const root = isRecord(raw) ? raw : {};
  const shape = planSchema.shape;
  const families: Record<string, FamilyDraft> = {};
  for (const [familyId, value] of Object.entries(isRecord(root.families) ? root.families : {})) {
    const family = isRecord(value) ? value : {};
    const targets: Record<string, Target> = {};
    const rawTargets = isRecord(family.targets) ? family.targets : {};
    for (const [targetId, target] of Object.entries(rawTargets)) {
      const ok = parsed(targetSchema, target);
      if (ok) targets[targetId] = ok;
    }
    const familyShape = familySchema.shape;
    families[familyId] = {
      api: parsed(familyShape.api, family.api),
      aliases: Array.isArray(family.aliases) ? family.aliases.filter((a): a is string => typeof a === 'string') : [],
      pins: parsed(familyShape.pins, family.pins) ?? [],
      targets,
      targetIds: Object.keys(rawTargets),
    };
  }
  return {
    name: parsed(shape.name, root.name),
    aws: parsed(shape.aws, root.aws),
    azure: parsed(shape.azure, root.azure),
    gcp: parsed(shape.gcp, root.gcp),
    routing: parsed(shape.routing, root.routing),
    quotas: parsed(shape.quotas, root.quotas),
    families,
    familiesEmpty: isRecord(root.families) && Object.keys(root.families).length === 0,
  };
}
