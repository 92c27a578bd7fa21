// Small checks that turn a bad field into `{ field, message }`, the message naming the field the way
// the proto does (`training.learning_rate: NaN is not a finite number > 0`).

/** One thing wrong with a run spec; `field` is the proto path, e.g. `model.d_model`. */
export interface SpecProblem {
  field: string;
  message: string;
}

export class ProblemList {
  readonly problems: SpecProblem[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message: `${field}: ${message}` });
  }

  /** A finite number within [min, max] (`exclusiveMin`: strictly above min). */
  number(
    field: string,
    value: number,
    range: { min?: number; max?: number; exclusiveMin?: boolean; exclusiveMax?: boolean },
  ): void {
    const { min, max, exclusiveMin = false, exclusiveMax = false } = range;
    const low = min === undefined ? '' : exclusiveMin ? `> ${min}` : `≥ ${min}`;
    const high = max === undefined ? '' : exclusiveMax ? `< ${max}` : `≤ ${max}`;
    const wanted = [low, high].filter(Boolean).join(' and ');
    const ok =
      Number.isFinite(value) &&
      (min === undefined || (exclusiveMin ? value > min : value >= min)) &&
      (max === undefined || (exclusiveMax ? value < max : value <= max));
    if (!ok) this.add(field, `${describe(value)} is not a finite number${wanted ? ` ${wanted}` : ''}`);
  }

  /** An integer within [min, max]. */
  integer(field: string, value: number, min: number, max: number): void {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.add(field, `${describe(value)} is not an integer between ${min} and ${max}`);
    }
  }

  pattern(field: string, value: string, pattern: RegExp, rule: string): void {
    if (!pattern.test(value)) this.add(field, `"${value}" is not valid: ${rule}`);
  }
}

export function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

// The registry's naming rules (services/registry/src/domain/names.ts), checked here too so a bad name
// fails StartRun instead of the first checkpoint, minutes or hours later.
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const ALIAS_NAME_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$/;
