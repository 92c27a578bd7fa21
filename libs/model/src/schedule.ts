// Learning-rate schedule: linear warmup to the peak, then cosine or linear decay to minLr at totalSteps,
// and minLr after that (nanoGPT's get_lr, with a linear option).

export interface LrSchedule {
  /** Learning rate at the end of warmup. */
  peak: number;
  /** Steps of linear warmup from ~0 to `peak`. @default 0 */
  warmupSteps?: number;
  /** Step at which decay reaches `minLr`. */
  totalSteps: number;
  /** Shape of the decay after warmup. @default 'cosine' */
  decay?: 'cosine' | 'linear' | 'constant';
  /** Floor of the decay. @default 0 */
  minLr?: number;
}

/** Learning rate for 0-based `step`. */
export function getLr(step: number, schedule: LrSchedule): number {
  const { peak, totalSteps } = schedule;
  const warmupSteps = schedule.warmupSteps ?? 0;
  const minLr = schedule.minLr ?? 0;
  const decay = schedule.decay ?? 'cosine';
  if (!Number.isInteger(step) || step < 0)
    throw new RangeError(`step must be a non-negative integer, got ${step}`);
  // 1) linear warmup; (step + 1) so that step 0 already moves the weights
  if (step < warmupSteps) return (peak * (step + 1)) / (warmupSteps + 1);
  if (decay === 'constant') return peak;
  // 2) past the end of the schedule, stay at the floor
  if (step >= totalSteps) return minLr;
  // 3) in between, decay from peak to minLr
  const ratio = (step - warmupSteps) / (totalSteps - warmupSteps);
  const coefficient = decay === 'cosine' ? 0.5 * (1 + Math.cos(Math.PI * ratio)) : 1 - ratio;
  return minLr + coefficient * (peak - minLr);
}

/**
 * Learning rate for 0-based `step` of a run that is `fraction` (0..1) through a wall-clock budget, as in
 * the "Cramming" recipe: warmup by steps as in getLr, then the decay follows the fraction of the budget
 * used (or the step fraction, when the step cap is nearer), so it reaches `minLr` when the time is up
 * whatever the machine's speed. `totalSteps` is the run's step cap.
 */
export function getLrByFraction(step: number, fraction: number, schedule: LrSchedule): number {
  const byStep = getLr(step, schedule);
  const warmupSteps = schedule.warmupSteps ?? 0;
  if (step < warmupSteps || (schedule.decay ?? 'cosine') === 'constant') return byStep;
  if (!(fraction >= 0)) throw new RangeError(`fraction must be a number ≥ 0, got ${fraction}`);
  const stepRatio = (step - warmupSteps) / (schedule.totalSteps - warmupSteps);
  const ratio = Math.min(1, Math.max(fraction, stepRatio));
  const minLr = schedule.minLr ?? 0;
  const coefficient = schedule.decay === 'linear' ? 1 - ratio : 0.5 * (1 + Math.cos(Math.PI * ratio));
  return minLr + coefficient * (schedule.peak - minLr);
}

/** Problems with a schedule, naming the field (empty when valid). */
export function validateLrSchedule(schedule: LrSchedule): { field: keyof LrSchedule; message: string }[] {
  const problems: { field: keyof LrSchedule; message: string }[] = [];
  const finiteNonNegative = (field: 'peak' | 'minLr', value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) {
      problems.push({ field, message: `${field} must be a finite number ≥ 0, got ${value}` });
    }
  };
  finiteNonNegative('peak', schedule.peak);
  finiteNonNegative('minLr', schedule.minLr);
  if ((schedule.minLr ?? 0) > schedule.peak) {
    problems.push({
      field: 'minLr',
      message: `minLr (${schedule.minLr}) must not exceed peak (${schedule.peak})`,
    });
  }
  const warmup = schedule.warmupSteps ?? 0;
  if (!Number.isSafeInteger(warmup) || warmup < 0) {
    problems.push({ field: 'warmupSteps', message: `warmupSteps must be an integer ≥ 0, got ${warmup}` });
  }
  if (!Number.isSafeInteger(schedule.totalSteps) || schedule.totalSteps <= warmup) {
    problems.push({
      field: 'totalSteps',
      message: `totalSteps must be an integer greater than warmupSteps (${warmup}), got ${schedule.totalSteps}`,
    });
  }
  if (!['cosine', 'linear', 'constant', undefined].includes(schedule.decay)) {
    problems.push({
      field: 'decay',
      message: `decay must be 'cosine', 'linear' or 'constant', got ${schedule.decay}`,
    });
  }
  return problems;
}
