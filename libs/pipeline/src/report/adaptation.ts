// What task-adaptive pre-training bought: the adapted base's fine-tunes against the general base's on the
// same task, paired by seed at each budget both studies ran (a seed fixes the label draw and the
// fine-tune's initialisation and data order in both studies, so the pairs differ only in the base).
// Test scores, in points, with Student-t 95% intervals: the same statistics the studies use.
import { common, type finetune } from '@headstart/proto';
import { pairedDifference, type PairedDifference } from '@headstart/study';

import type { AdaptationGain } from './report-types';

type Scores = Map<string, { accuracy: number; macroF1: number }>;

/** Test scores (points) of a study's succeeded pre-trained trials, keyed by budget and seed. */
function pretrainedScores(study: finetune.Study): Scores {
  const scores: Scores = new Map();
  for (const t of study.trials) {
    if (t.arm !== 'pretrained' || t.state !== common.JobState.JOB_STATE_SUCCEEDED) continue;
    scores.set(`${t.labelBudget}/${t.seed}`, {
      accuracy: 100 * t.testAccuracy,
      macroF1: 100 * t.testMacroF1,
    });
  }
  return scores;
}

/** adapted − general at every budget both studies have paired seeds for (at least two). */
export function adaptationGain(adapted: finetune.Study, general: finetune.Study): AdaptationGain[] {
  const a = pretrainedScores(adapted);
  const g = pretrainedScores(general);
  const budgets = [...new Set([...a.keys()].map((k) => Number(k.split('/')[0])))].sort((x, y) => x - y);
  const gains: AdaptationGain[] = [];
  for (const budget of budgets) {
    const pairs = [...a.entries()]
      .filter(([key]) => key.startsWith(`${budget}/`) && g.has(key))
      .map(([key, score]) => ({ seed: Number(key.split('/')[1]), adapted: score, general: g.get(key)! }))
      .sort((x, y) => x.seed - y.seed);
    if (pairs.length < 2) continue;
    const diff = (metric: 'accuracy' | 'macroF1'): PairedDifference =>
      pairedDifference(
        pairs.map((p) => p.adapted[metric]),
        pairs.map((p) => p.general[metric]),
      );
    gains.push({
      budget,
      seeds: pairs.map((p) => p.seed),
      accuracy: diff('accuracy'),
      macroF1: diff('macroF1'),
    });
  }
  return gains;
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

/** "+4.1 points accuracy at 200 labels, 95% CI [1.2, 7.0], 5 paired seeds (5 up)". */
export function describeGain(gain: AdaptationGain): string {
  const d = gain.accuracy;
  const ci = d.lower !== null && d.upper !== null ? `95% CI [${signed(d.lower)}, ${signed(d.upper)}], ` : '';
  const budget = gain.budget === 0 ? 'every label' : `${gain.budget} labels`;
  return `${signed(d.mean)} points accuracy at ${budget}, ${ci}${gain.seeds.length} paired seeds (${d.positive} up, ${d.negative} down)`;
}
