// A study's bag-of-words baseline as a job: multinomial naive Bayes or logistic regression on word counts
// (@headstart/study), fitted on the job's label budget with its settings chosen on the dev split, scored
// on dev and test like a fine-tune. Evaluated only: nothing is registered, the job record keeps the scores.
import { finetune } from '@headstart/proto';
import { trainLogisticRegression, trainNaiveBayes, type BaselineModel } from '@headstart/study';
import { dataSettings } from '../spec/resolve-spec';
import { classificationMetrics, flatMetrics } from '../training/metrics';
import type { LabelledExample } from '../data/prepare-examples';
import type { JobResults, RunJobContext } from './run-job';

const { Method } = finetune;

function indexed(examples: readonly LabelledExample[], labels: readonly string[]) {
  const index = new Map(labels.map((l, i) => [l, i]));
  return {
    texts: examples.map((e) => e.text),
    labels: Int32Array.from(examples, (e) => index.get(e.label) as number),
  };
}

function fit(method: finetune.Method, input: Parameters<typeof trainNaiveBayes>[0]): BaselineModel<unknown> {
  return method === Method.METHOD_NAIVE_BAYES ? trainNaiveBayes(input) : trainLogisticRegression(input);
}

export async function runBaseline(ctx: RunJobContext): Promise<JobResults> {
  const { job, client, signal } = ctx;
  const spec = job.spec as finetune.FinetuneSpec;
  const datasetRef = job.datasetVersion as finetune.ResolvedVersion;
  const datasetVersion = await client.getVersion(
    { name: datasetRef.modelName, selector: { $case: 'version', version: datasetRef.version } },
    { signal },
  );
  const examples = await ctx.datasets.prepare(datasetVersion, dataSettings(spec), signal);
  const labels = examples.labels;
  const train = indexed(examples.train, labels);
  const dev = indexed(examples.dev, labels);
  const test = indexed(examples.test, labels);
  ctx.reporter.setDataFacts({
    labels,
    trainExamples: train.texts.length,
    devExamples: dev.texts.length,
    testExamples: test.texts.length,
    splitSource: examples.splitSource,
    truncatedExamples: 0,
    warnings: examples.warnings,
    resumedFromStep: 0,
  });
  await ctx.reporter.report({ step: 0 }, true);
  signal.throwIfAborted();
  const model = fit(spec.method, {
    texts: train.texts,
    labels: train.labels,
    numClasses: labels.length,
    // The study's verdict speaks of accuracy, so the baselines are tuned for it too.
    selectBy: 'accuracy',
    ...(dev.texts.length > 0 ? { dev: { texts: dev.texts, labels: dev.labels } } : {}),
  });
  const score = (split: string, data: { texts: string[]; labels: Int32Array }) =>
    classificationMetrics(labels, data.labels, model.predict(data.texts), 0, split, 0);
  const bestDev = dev.texts.length > 0 ? score('dev', dev) : undefined;
  const testEval = score('test', test);
  ctx.logger.info(
    { finetune: job.id, method: finetune.methodToJSON(spec.method), accuracy: testEval.accuracy },
    'baseline evaluated',
  );
  return {
    resultVersion: undefined,
    metrics: flatMetrics(testEval, bestDev),
    bestDev,
    test: testEval,
    step: 0,
    stoppedEarly: false,
  };
}
