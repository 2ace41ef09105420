// Fuzz: damaged copies of real safetensors files through the checkpoint loader.
// Each case is refused with one clear line naming the file, or loads a checkpoint
// whose weights are finite — never a hang, a crash from deep inside, or a NaN let through.
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectedWeights, loadCheckpoint, type Checkpoint } from '../../src/engine/checkpoint/checkpoint';
import { parseSafetensors } from '../../src/engine/checkpoint/safetensors';
import { memorySource } from '../../src/engine/checkpoint/source';
import { encode, fromCheckpoint } from '../../src/engine/model/bert';
import { initNodeBackend } from '../../src/engine/node';
import { mutate, mutation } from './safetensorsMutations';
import { fuzzLong, fuzzParameters, fuzzRuns, fuzzTimeout, reportRun } from './settings';

const FILE = 'model.safetensors';
/** A load of a 100 KB file takes about a millisecond; a second means something spins. */
const HANG_MS = 5000;

function folder(name: string): Map<string, Uint8Array> {
  const dir = `test/fixtures/checkpoints/${name}`;
  return new Map(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(`${dir}/${f}`))]));
}

type Outcome = { loaded: Checkpoint } | { refused: unknown } | { hung: true };

async function load(files: Map<string, Uint8Array>): Promise<Outcome> {
  // Fresh ArrayBuffers each time: the loader must not depend on (or damage) shared bytes.
  const buffers = new Map([...files].map(([f, b]) => [f, b.slice().buffer as ArrayBuffer]));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve({ hung: true }), HANG_MS)));
  try {
    return await Promise.race([
      loadCheckpoint(memorySource(buffers, 'fuzzed')).then(
        (loaded): Outcome => ({ loaded }),
        (refused: unknown): Outcome => ({ refused }),
      ),
      hang,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Names of the weights the model reads (the loader may let unused extras hold anything). */
function usedWeights(c: Checkpoint): string[] {
  const { required, optional } = expectedWeights(c.config);
  return [...required.keys(), ...optional.keys()].filter((n) => c.weights.has(n));
}

describe.each(['tiny-mlm-f32', 'tiny-mlm-f16-legacy'])('fuzz: damaged %s/model.safetensors', (name) => {
  const original = folder(name);

  beforeAll(async () => {
    await initNodeBackend(['cpu']);
  });

  it('the undamaged file loads (so a refusal below is the damage, not the fixture)', async () => {
    const outcome = await load(original);
    expect('loaded' in outcome).toBe(true);
  });

  it('is refused with a message naming the file, or loads finite weights that run', async () => {
    const started = performance.now();
    const runs = fuzzRuns(1000);
    const counts = { loaded: 0, refused: 0, nonFiniteOutputs: 0 };
    const reasons = new Map<string, number>();
    let firstOverflow = '';
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (mutations) => {
        const bytes = mutations.reduce(mutate, original.get(FILE) as Uint8Array);
        const outcome = await load(new Map(original).set(FILE, bytes));
        expect('hung' in outcome, `no answer within ${HANG_MS} ms`).toBe(false);
        if ('refused' in outcome) {
          const e = outcome.refused;
          // A plain Error the loader threw on purpose (not a TypeError or RangeError from deep
          // inside), one line of a length a person reads, naming the file, whatever the header holds.
          const what = e instanceof Error ? `${Object.getPrototypeOf(e) === Error.prototype ? 'Error' : e.name}: ${e.message}` : `thrown ${String(e)}`;
          expect(what).toMatch(new RegExp(`^Error: ${FILE.replace('.', '\\.')}: [^\\n\\r]+$`));
          expect(what.length, what).toBeLessThanOrEqual(400);
          const message = (e as Error).message;
          counts.refused++;
          const reason = message.slice(FILE.length + 2).replace(/"[^"]*"/g, '"…"').replace(/\d+/g, 'N').slice(0, 60);
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
          return;
        }
        if (!('loaded' in outcome)) return;
        const checkpoint = outcome.loaded;
        for (const w of usedWeights(checkpoint)) {
          const values = checkpoint.weights.get(w)!.values;
          expect(values.every(Number.isFinite), `${w} holds a non-finite value`).toBe(true);
        }
        counts.loaded++;
        // Finite weights can still be large enough to overflow (a flipped exponent bit gives 3e38):
        // then encode must refuse with its own message, never hand back NaN.
        const bert = fromCheckpoint(checkpoint);
        try {
          const e = await encode(bert, 'the cat sat on [MASK] mat', { hiddenStates: true, lm: 'all' });
          const outputs = [...e.attentions.flat(), ...(e.hiddenStates ?? []), ...e.lm.map((l) => l.logits)];
          expect(outputs.every((a) => a.every(Number.isFinite)), 'encode returned a non-finite number').toBe(true);
        } catch (error) {
          expect(error instanceof Error ? error.message : String(error)).toMatch(/is not a number \(NaN\/Inf\)|numbers that are not finite/);
          if (counts.nonFiniteOutputs++ === 0) {
            const largest = usedWeights(checkpoint)
              .map((w) => ({ w, max: checkpoint.weights.get(w)!.values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) }))
              .sort((a, b) => b.max - a.max)[0];
            firstOverflow = `e.g. ${largest.w} holds ${largest.max.toExponential(2)} after ${JSON.stringify(mutations).slice(0, 200)}`;
          }
        } finally {
          bert.dispose();
        }
      }),
      fuzzParameters(1000),
    );
    // Both outcomes happen: a fuzz that only ever refused (or only loaded) would test half of the rule.
    expect(counts.loaded).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
    const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([r, n]) => `${n}× ${r}`);
    reportRun(`safetensors ${name}`, runs, started, `${counts.loaded} loaded (${counts.nonFiniteOutputs} of them refused by encode: not finite${firstOverflow ? `, ${firstOverflow}` : ''}), ${counts.refused} refused${fuzzLong ? `; most common refusals:\n  ${top.join('\n  ')}` : ''}`);
  }, fuzzTimeout);
});

/** A safetensors file whose header is `header` (as text) over `dataBytes` zero bytes. */
function fileWithHeader(header: string, dataBytes: number): ArrayBuffer {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out.buffer;
}

describe('counterexamples the fuzz found, kept as tests', () => {
  it('a header entry that is null, a number or a list is refused naming the file and tensor (was a bare TypeError)', () => {
    expect(() => parseSafetensors('m.safetensors', fileWithHeader('{"a": null}', 0))).toThrow(
      /^m\.safetensors: tensor "a" is null, not an object with dtype, shape and data_offsets$/,
    );
    expect(() => parseSafetensors('m.safetensors', fileWithHeader('{"a": 1}', 0))).toThrow('m.safetensors: tensor "a" is 1, not an object');
    expect(() => parseSafetensors('m.safetensors', fileWithHeader('{"a": ["F32", [1], [0, 4]]}', 4))).toThrow(
      'm.safetensors: tensor "a" is ["F32",[1],[0,4]], not an object',
    );
  });

  it('a pooler weight without its bias is refused at load (was a TypeError inside BertModel)', async () => {
    // The shrunk counterexample: one bit flipped turns "bert.pooler.dense.bias" into "cert.pooler.dense.bias".
    const files = folder('tiny-mlm-f32');
    const bytes = mutate(files.get(FILE)!, { kind: 'flip', region: 'anywhere', flips: [{ at: 1953703591, xor: 1 }] });
    expect(new TextDecoder().decode(bytes)).toContain('"cert.pooler.dense.bias"');
    const outcome = await load(files.set(FILE, bytes));
    expect('refused' in outcome && (outcome.refused as Error).message).toBe(
      'model.safetensors: tensor "pooler.dense.bias" is missing (the checkpoint has "pooler.dense.weight", so its head is built)',
    );
  });

  it('a header that is a JSON list is "not a JSON object" (was read as tensors "0", "1", …)', () => {
    expect(() => parseSafetensors('m.safetensors', fileWithHeader('[1]', 0))).toThrow(/^m\.safetensors: the header is not a JSON object$/);
  });

  it('a tensor name with a newline or a megabyte of text still gives one short line', () => {
    const entry = '{"dtype": "I64", "shape": [1], "data_offsets": [0, 8]}';
    expect(() => parseSafetensors('m.safetensors', fileWithHeader(`{"x\\ny": ${entry}}`, 8))).toThrow(
      /^m\.safetensors: tensor "x\\ny" has dtype I64; only F32, F16 and BF16 are supported$/,
    );
    const long = 'w'.repeat(1_000_000);
    let message = '';
    try {
      parseSafetensors('m.safetensors', fileWithHeader(`{"${long}": ${entry}}`, 8));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/^m\.safetensors: tensor "w+… has dtype I64/);
    expect(message.length).toBeLessThan(200);
  });
});
