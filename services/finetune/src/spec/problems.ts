import { invalidArgument, type HeadstartError } from '@headstart/errors';

/** Collects every bad field of a request, so one INVALID_ARGUMENT names them all. */
export class Problems {
  readonly list: { field: string; message: string }[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message: `${field}: ${message}` });
  }

  /** A finite number in [min, max] (`exclusiveMin` / `exclusiveMax` make that end open). */
  number(
    field: string,
    value: number,
    range: { min: number; max: number; exclusiveMin?: boolean; exclusiveMax?: boolean },
  ): void {
    const { min, max, exclusiveMin = false, exclusiveMax = false } = range;
    const ok =
      Number.isFinite(value) &&
      (exclusiveMin ? value > min : value >= min) &&
      (exclusiveMax ? value < max : value <= max);
    if (!ok) {
      const wanted = `${exclusiveMin ? '>' : '≥'} ${min} and ${exclusiveMax ? '<' : '≤'} ${max}`;
      this.add(field, `${describe(value)} is not a finite number ${wanted}`);
    }
  }

  integer(field: string, value: number, min: number, max: number): void {
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.add(field, `${describe(value)} is not an integer between ${min} and ${max}`);
    }
  }

  pattern(field: string, value: string, pattern: RegExp, rule: string): void {
    if (!pattern.test(value)) this.add(field, `${JSON.stringify(value)} is not valid: ${rule}`);
  }

  /** Throws one INVALID_ARGUMENT listing every problem (details.field: the first one). */
  throwIfAny(): void {
    const first = this.list[0];
    if (!first) return;
    throw problemsError(this.list);
  }
}

export function problemsError(list: { field: string; message: string }[]): HeadstartError {
  return invalidArgument(list.map((p) => p.message).join('; '), {
    field: list[0]?.field ?? '',
    fields: list.map((p) => p.field).join(','),
  });
}

export function describe(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

// The registry's naming rules, checked here so a bad name fails at StartFinetune/CreateTrigger instead of
// when the finished model is registered.
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,127}$/;
export const MODEL_NAME_RULE = "1-128 characters of a-z, 0-9, '.', '_', '-', starting with a letter or digit";
export const ALIAS_NAME_PATTERN = /^[a-z][a-z0-9._-]{0,63}$/;
export const ALIAS_NAME_RULE = "1-64 characters of a-z, 0-9, '.', '_', '-', starting with a letter";
export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:=/-]{0,63}$/;
export const TAG_RULE = "1-64 characters of letters, digits, '.', '_', ':', '=', '/', '-'";
