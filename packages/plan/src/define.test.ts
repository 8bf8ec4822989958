import { definePlan } from './define';
import { PlanValidationError } from './problems';
import { examplePlanInput } from './testing';

describe('definePlan', () => {
  it('returns the validated plan', () => {
    expect(definePlan(examplePlanInput()).name).toBe('support-bot');
  });

  it('throws one PlanValidationError listing every error with field paths', () => {
    const input = examplePlanInput();
    (input.families.gpt!.targets['openai']!.limits as { rpm: number }).rpm = 0;
    (input as { name: string }).name = 'Bad Name';
    let caught: unknown;
    try {
      definePlan(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(PlanValidationError);
    const error = caught as PlanValidationError;
    expect(error.errors.map((p) => p.code).sort()).toEqual(['naming/plan-name', 'schema/too-small']);
    expect(error.message).toContain('error families.gpt.targets.openai.limits.rpm');
    expect(error.message).toContain('received: 0');
  });
});
