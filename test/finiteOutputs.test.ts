// A corrupted checkpoint can hold a weight that is finite but absurd (a flipped exponent
// bit: 3e38). It passes the load-time NaN/Inf check, then overflows inside the model.
// encode must refuse with a message, never hand back NaN as attention or guesses.
import { beforeAll, describe, expect, it } from 'vitest';
import { randomCheckpoint } from '../src/engine/checkpoint/random';
import { encode, fromCheckpoint } from '../src/engine/model/bert';
import { initNodeBackend } from '../src/engine/node';

const SHAPE = { layers: 3, hidden: 16, heads: 2, intermediate: 32, vocabSize: 200 };

function corrupted(weight: string | null) {
  const checkpoint = randomCheckpoint(SHAPE, 7);
  if (weight !== null) checkpoint.weights.get(weight)!.values[5] = 3.26e38;
  return fromCheckpoint(checkpoint);
}

describe('encode refuses outputs that are not finite', () => {
  beforeAll(async () => {
    await initNodeBackend(['cpu']);
  });

  it('an intact model gives finite numbers', async () => {
    const bert = corrupted(null);
    const e = await encode(bert, 'a b c [MASK]', { hiddenStates: true });
    expect(e.attentions.flat().every((a) => a.every(Number.isFinite))).toBe(true);
    bert.dispose();
  });

  it('names the layer where attention first stops being a number', async () => {
    const bert = corrupted('encoder.layer.1.attention.self.key.weight');
    await expect(encode(bert, 'a b c [MASK]')).rejects.toThrow("the model's attention in layer 2 is not a number (NaN/Inf)");
    bert.dispose();
  });

  it('catches an overflow in the output layers too', async () => {
    const bert = corrupted('cls.predictions.transform.dense.weight');
    await expect(encode(bert, 'a b c [MASK]', { lm: 'masked' })).rejects.toThrow('numbers that are not finite');
    bert.dispose();
  });
});
