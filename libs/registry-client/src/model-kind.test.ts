import { Code, HeadstartError } from '@headstart/errors';
import { registry } from '@headstart/proto';
import { formatModelKind, parseModelKind } from './model-kind';

describe('parseModelKind', () => {
  it.each([
    ['dataset', registry.ModelKind.MODEL_KIND_DATASET],
    ['TOKENIZER', registry.ModelKind.MODEL_KIND_TOKENIZER],
    ['base-model', registry.ModelKind.MODEL_KIND_BASE_MODEL],
    ['MODEL_KIND_FINETUNED_MODEL', registry.ModelKind.MODEL_KIND_FINETUNED_MODEL],
  ])('reads %s', (input, kind) => {
    expect(parseModelKind(input)).toBe(kind);
    expect(parseModelKind(formatModelKind(kind))).toBe(kind);
  });

  it('refuses an unknown kind naming the choices', () => {
    expect(() => parseModelKind('checkpoint')).toThrow(HeadstartError);
    try {
      parseModelKind('checkpoint');
    } catch (err) {
      expect((err as HeadstartError).code).toBe(Code.INVALID_ARGUMENT);
      expect((err as HeadstartError).message).toContain('dataset, tokenizer, base_model, finetuned_model');
    }
  });

  it('formats the unspecified kind', () => {
    expect(formatModelKind(registry.ModelKind.MODEL_KIND_UNSPECIFIED)).toBe('unspecified');
  });
});
