import { renderValue, type FieldPath, type PlanProblem } from '../problems';

/** Collects problems; each check adds to it and never throws, so every problem is reported at once. */
export class ProblemList {
  readonly items: PlanProblem[] = [];

  error(code: string, path: FieldPath, message: string, detail: Detail): void {
    this.add('error', code, path, message, detail);
  }

  warn(code: string, path: FieldPath, message: string, detail: Detail): void {
    this.add('warning', code, path, message, detail);
  }

  private add(severity: PlanProblem['severity'], code: string, path: FieldPath, message: string, detail: Detail): void {
    const { value, ...rest } = detail;
    this.items.push({ severity, code, path, message, received: renderValue(value), ...rest });
  }
}

export interface Detail {
  readonly value: unknown;
  readonly allowed: string;
  readonly fix: string;
  readonly at?: FieldPath;
}
