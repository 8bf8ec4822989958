import type { Plan } from './types';

/** Alarm settings a plan may omit; CDK and Pulumi both read them from here. */
export const ALARM_DEFAULTS = { throttleRatePct: 1, headroomBelowPct: 15, headroomPeriods: 5 } as const;

export type AlarmSettings = { readonly [K in keyof typeof ALARM_DEFAULTS]: number };

/** The plan's alarm settings with defaults filled in. */
export function alarmSettings(plan: Pick<Plan, 'alarms'>): AlarmSettings {
  return { ...ALARM_DEFAULTS, ...plan.alarms };
}
