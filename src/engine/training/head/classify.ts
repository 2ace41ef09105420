/**
 * A trained head at work: labels for new sentences, and which tokens a
 * prediction rests on.
 */
import type { Bert } from '../../model/bert';
import type { Encoding, Offset } from '../../tokenizer/tokenizer';
import { argmax, softmax } from '../../util/softmax';
import { batched, encodeText, FEATURE_BATCH, headDense, headForward, padded, sentenceBatch, topFromHead } from './features';
import { checkHead, type ClassifierHead } from './head';

export interface Classification {
  label: string;
  probs: Record<string, number>;
}

/** A head's classification of one text, with what was cut of it to fit the model's positions. */
export interface HeadClassification extends Classification {
  truncated: boolean;
  /** Characters of the text cut off (Encoding.droppedChars); 0 when it fits. */
  droppedChars: number;
}

/** Logits [labels] for each encoding. */
async function headLogits(bert: Bert, head: ClassifierHead, encodings: Encoding[]): Promise<Float32Array[]> {
  checkHead(bert, head);
  const rows = await batched(encodings, FEATURE_BATCH, (batch) => {
    const top = head.unfrozen === undefined ? null : topFromHead(head.unfrozen, bert.config.layers);
    return headForward(headDense(head), sentenceBatch(bert, padded(bert, batch), head.pooling, top));
  });
  return rows as Float32Array[]; // null only when stopped, and nothing stops it
}

/** Probabilities → the most probable label and every label's probability. */
export function classification(labels: string[], probs: number[]): Classification {
  return { label: labels[argmax(probs)], probs: Object.fromEntries(labels.map((l, i) => [l, probs[i]])) };
}

export async function classify(bert: Bert, head: ClassifierHead, text: string): Promise<HeadClassification> {
  return (await classifyBatch(bert, head, [text]))[0];
}

/** classify for many texts, batched. */
export async function classifyBatch(bert: Bert, head: ClassifierHead, texts: string[]): Promise<HeadClassification[]> {
  const encodings = texts.map((t, i) => encodeText(bert, t, `text ${i}`));
  const logits = await headLogits(bert, head, encodings);
  return logits.map((row, i) => ({
    ...classification(head.labels, softmax(row)),
    truncated: encodings[i].truncated,
    droppedChars: encodings[i].droppedChars,
  }));
}

export interface Attributions {
  tokens: string[];
  offsets: Offset[];
  /** Per token: p(label) − p(label with this token masked). Positive = the token pushed towards the prediction; 0 for [CLS]/[SEP]. */
  scores: number[];
  /** The predicted label for the whole text. */
  label: string;
}

/**
 * Which tokens the prediction rests on, by occlusion (Zeiler & Fergus 2014):
 * replace one token at a time with [MASK] — the token BERT learnt to read as
 * "unknown word" — and measure how much the predicted label's probability drops.
 * One batch for all variants; no gradients, so it works for any head.
 */
export async function tokenAttributions(bert: Bert, head: ClassifierHead, text: string): Promise<Attributions> {
  const original = encodeText(bert, text, 'text');
  const positions = original.ids.map((_, p) => p).filter((p) => original.specialTokensMask[p] === 0);
  const variants = positions.map((p) => {
    const ids = [...original.ids];
    ids[p] = bert.tokenizer.maskId;
    return { ...original, ids };
  });
  const logits = await headLogits(bert, head, [original, ...variants]);
  const base = softmax(logits[0]);
  const label = argmax(base);
  const scores = original.ids.map(() => 0);
  positions.forEach((p, i) => (scores[p] = base[label] - softmax(logits[i + 1])[label]));
  return { tokens: original.tokens, offsets: original.offsets, scores, label: head.labels[label] };
}
