import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyTfjsFlags, TFJS_FLAGS_MAX } from '../src/engine';
import { initNodeBackend } from '../src/engine/node';

// `?tfjsflags=` as the page hands it to the engine's worker (src/worker/backend.ts): applied as tfjs
// would apply it from its own URL, except that a bad entry is refused with a reason, not thrown.
describe('applyTfjsFlags', () => {
  beforeAll(async () => {
    await initNodeBackend(['cpu']);
  });
  const saved = { keep: false, handoff: 0 };
  beforeAll(() => {
    saved.keep = tf.env().getBool('KEEP_INTERMEDIATE_TENSORS');
    saved.handoff = tf.env().getNumber('CPU_HANDOFF_SIZE_THRESHOLD');
  });
  afterEach(() => {
    tf.env().set('KEEP_INTERMEDIATE_TENSORS', saved.keep);
    tf.env().set('CPU_HANDOFF_SIZE_THRESHOLD', saved.handoff);
  });

  it('sets booleans and numbers, read as tfjs reads them', () => {
    const result = applyTfjsFlags(`KEEP_INTERMEDIATE_TENSORS:${String(!saved.keep).toUpperCase()},CPU_HANDOFF_SIZE_THRESHOLD:256`);
    expect(result).toEqual({ applied: { KEEP_INTERMEDIATE_TENSORS: !saved.keep, CPU_HANDOFF_SIZE_THRESHOLD: 256 }, pending: {}, refused: [] });
    expect(tf.env().getBool('KEEP_INTERMEDIATE_TENSORS')).toBe(!saved.keep);
    expect(tf.env().getNumber('CPU_HANDOFF_SIZE_THRESHOLD')).toBe(256);
  });

  it('a flag not registered yet waits, as tfjs keeps URL flags, and is set when a module registers it', () => {
    const result = applyTfjsFlags('BERT_PLAYGROUND_TEST_FLAG:7');
    expect(result).toEqual({ applied: {}, pending: { BERT_PLAYGROUND_TEST_FLAG: 7 }, refused: [] });
    tf.env().registerFlag('BERT_PLAYGROUND_TEST_FLAG', () => 1); // as a backend loaded later does
    expect(tf.env().getNumber('BERT_PLAYGROUND_TEST_FLAG')).toBe(7);
  });

  it('refuses, with a reason each, what tfjs would throw on, and still applies the rest', () => {
    const result = applyTfjsFlags('CPU_HANDOFF_SIZE_THRESHOLD:lots,KEEP_INTERMEDIATE_TENSORS,a:b:c,,__proto__:true,constructor:1,CPU_HANDOFF_SIZE_THRESHOLD:64');
    expect(result.applied).toEqual({ CPU_HANDOFF_SIZE_THRESHOLD: 64 });
    expect(result.pending).toEqual({});
    expect(result.refused).toEqual([
      'tfjsflags: "CPU_HANDOFF_SIZE_THRESHOLD:lots" is not NAME:value (a flag name in capitals; true, false or a number)',
      'tfjsflags: "KEEP_INTERMEDIATE_TENSORS" is not NAME:value (a flag name in capitals; true, false or a number)',
      'tfjsflags: "a:b:c" is not NAME:value (a flag name in capitals; true, false or a number)',
      'tfjsflags: "__proto__:true" is not NAME:value (a flag name in capitals; true, false or a number)',
      'tfjsflags: "constructor:1" is not NAME:value (a flag name in capitals; true, false or a number)',
    ]);
    expect(Object.getPrototypeOf(tf.env().getFlags())).toBe(Object.prototype);
    expect(tf.env().getNumber('CPU_HANDOFF_SIZE_THRESHOLD')).toBe(64);
  });

  it('takes nothing from an oversized text', () => {
    const text = 'CPU_HANDOFF_SIZE_THRESHOLD:1,'.repeat(100);
    const result = applyTfjsFlags(text);
    expect(result.applied).toEqual({});
    expect(result.refused).toEqual([`tfjsflags: ${text.length} characters, more than the ${TFJS_FLAGS_MAX} taken; none applied`]);
    expect(tf.env().getNumber('CPU_HANDOFF_SIZE_THRESHOLD')).toBe(saved.handoff);
  });
});
