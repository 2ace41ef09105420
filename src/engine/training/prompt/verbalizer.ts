/**
 * The verbalizer: the words that speak for each label in the blank ("great"
 * for positive, "terrible" for negative) — parsed from text, checked against
 * the vocabulary, or chosen from the label names.
 */
import type { Bert } from '../../model/bert';

/** Label → its words (each one vocabulary piece, a whole word). */
export type Verbalizer = Record<string, string[]>;

/**
 * Words for label names a class will use for sentiment, so that zero-shot works
 * before any example is given. Chosen before looking at any labelled data: the
 * plain evaluative adjectives of English; `defaultVerbalizer` keeps those that are
 * single pieces of the model's vocabulary.
 */
const KNOWN_LABEL_WORDS: Record<string, string[]> = {
  positive: ['good', 'great', 'excellent', 'wonderful', 'fine', 'beautiful', 'best', 'awesome', 'amazing'],
  negative: ['bad', 'terrible', 'poor', 'worst', 'dull', 'awful', 'boring', 'horrible'],
  neutral: ['okay', 'ok', 'average', 'fair'],
  긍정: ['좋', '좋다', '최고', '훌륭'],
  부정: ['나쁘', '나쁘다', '최악', '별로'],
};
const LABEL_ALIASES: Record<string, string> = {
  pos: 'positive',
  good: 'positive',
  '1': 'positive',
  '+': 'positive',
  neg: 'negative',
  bad: 'negative',
  '0': 'negative',
  '-': 'negative',
};

/** "positive=good,great;negative=bad,terrible" → { positive: [...], negative: [...] }. */
export function parseVerbalizer(text: string): Verbalizer {
  const out: Verbalizer = {};
  for (const part of text.split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new Error(`verbalizer: "${part.trim()}" should look like label=word,word`);
    const label = part.slice(0, eq).trim();
    const words = part
      .slice(eq + 1)
      .split(',')
      .map((w) => w.trim())
      .filter((w) => w !== '');
    if (label === '') throw new Error(`verbalizer: "${part.trim()}" has no label before =`);
    if (words.length === 0) throw new Error(`verbalizer: label "${label}" has no words`);
    if (out[label] !== undefined) throw new Error(`verbalizer: label "${label}" is given twice`);
    out[label] = words;
  }
  return out;
}

export function formatVerbalizer(verbalizer: Verbalizer, labels: string[] = Object.keys(verbalizer)): string {
  return labels.map((l) => `${l}=${(verbalizer[l] ?? []).join(',')}`).join(';');
}

/**
 * Vocabulary ids of each label's words, in label order. Every label needs at
 * least one word, every word must be a single piece of the vocabulary (the
 * blank holds one piece), and no word may serve two labels.
 */
export function verbalizerIds(bert: Bert, labels: string[], verbalizer: Verbalizer): number[][] {
  const seen = new Map<string, string>();
  return labels.map((label) => {
    const words = verbalizer[label];
    if (!Array.isArray(words) || words.length === 0) throw new Error(`verbalizer: label "${label}" has no words`);
    return words.map((word) => {
      const pieces = bert.tokenizer.tokenize(word).tokens;
      if (pieces.length !== 1 || !bert.tokenizer.hasToken(pieces[0]) || pieces[0] === '[UNK]') {
        throw new Error(
          pieces.length > 1
            ? `verbalizer: "${word}" (label "${label}") is ${pieces.length} pieces for this model (${pieces.join(' ')}); the blank holds one — choose a single-piece word`
            : `verbalizer: "${word}" (label "${label}") is not in this model's vocabulary`,
        );
      }
      const other = seen.get(pieces[0]);
      if (other !== undefined && other !== label) throw new Error(`verbalizer: "${word}" is a word of both "${other}" and "${label}"`);
      seen.set(pieces[0], label);
      return bert.tokenizer.tokenToId(pieces[0]);
    });
  });
}

/** Unknown labels for Object.keys(verbalizer) are refused too: a typo there would silently drop a label. */
export function checkVerbalizerLabels(labels: string[], verbalizer: Verbalizer): void {
  for (const key of Object.keys(verbalizer)) {
    if (!labels.includes(key)) throw new Error(`verbalizer: "${key}" is not one of the labels (${labels.join(', ')})`);
  }
}

/**
 * Words for labels whose names say what they mean (positive/negative and the
 * like, in English or Korean), or the label name itself when it is one piece
 * of the vocabulary; null when some label has neither — then zero-shot needs
 * words from the user, or examples for verbalizer search.
 */
export function defaultVerbalizer(bert: Bert, labels: string[]): Verbalizer | null {
  const out: Verbalizer = {};
  const used = new Set<string>();
  for (const label of labels) {
    const key = label.trim().toLowerCase();
    const known = KNOWN_LABEL_WORDS[LABEL_ALIASES[key] ?? key] ?? [key];
    const words = known.filter((w) => {
      const pieces = bert.tokenizer.tokenize(w).tokens;
      return pieces.length === 1 && pieces[0] !== '[UNK]' && bert.tokenizer.hasToken(pieces[0]) && !used.has(pieces[0]);
    });
    if (words.length === 0) return null;
    words.forEach((w) => used.add(bert.tokenizer.tokenize(w).tokens[0]));
    out[label] = words;
  }
  return out;
}
