/**
 * A prompt classifier at work: labels for new sentences, with what the model
 * put in the blank.
 */
import { maskLogProbs, type Bert } from '../../model/bert';
import { softmax, topIndices } from '../../util/softmax';
import { classification, type Classification } from '../head/classify';
import { classifierIds, scorer, type PromptClassifier, type PromptOptions, type WordIds } from './classifier';
import { parsePattern, promptQuery, type Pattern } from './pattern';
import { checkVerbalizerLabels } from './verbalizer';

/** The classifier's pattern and word ids for this model; throws when this model cannot read them (e.g. saved with another vocabulary). */
function readClassifier(bert: Bert, classifier: PromptClassifier): { pattern: Pattern; ids: WordIds } {
  const pattern = parsePattern(bert.tokenizer, classifier.pattern);
  checkVerbalizerLabels(classifier.labels, classifier.verbalizer);
  const ids = classifierIds(bert, classifier);
  if (ids.found !== null) {
    const labelWord = new Set(ids.label.flat());
    const both = ids.found.flat().find((id) => labelWord.has(id));
    if (both !== undefined) throw new Error(`"${bert.tokenizer.idToToken(both)}" is both a label word and a found word`);
  }
  return { pattern, ids };
}

/** Refuses a classifier whose words or pattern this model cannot read (e.g. saved with another vocabulary). */
export function checkPromptClassifier(bert: Bert, classifier: PromptClassifier): void {
  readClassifier(bert, classifier);
}

/** Label probabilities from rows of blank log-probabilities (already computed, e.g. for a whole test set). */
export function classifyLogProbs(bert: Bert, classifier: PromptClassifier, rows: Float32Array[]): Classification[] {
  const score = scorer(classifier, classifierIds(bert, classifier));
  return rows.map((row) => classification(classifier.labels, softmax(score(row))));
}

export interface PromptClassification extends Classification {
  /** The pattern as filled in (the text cut to fit when `truncated`). */
  filled: string;
  truncated: boolean;
  /** Characters of the text cut off to fit (Encoding.droppedChars); 0 when it fits. */
  droppedChars: number;
  /** The model's top guesses for the blank, with the label each word speaks for (null: none). */
  guesses: { token: string; probability: number; label: string | null }[];
  /** P(word | blank) of every label word (found: from verbalizer search), by label. */
  wordProbabilities: Record<string, { word: string; probability: number; found: boolean }[]>;
}

/** Classify texts with a prompt classifier; each result also shows the blank's guesses, for the page. */
export async function classifyPrompt(
  bert: Bert,
  classifier: PromptClassifier,
  texts: string[],
  options: PromptOptions & { topK?: number } = {},
): Promise<PromptClassification[]> {
  const { pattern, ids } = readClassifier(bert, classifier);
  const queries = texts.map((t) => promptQuery(bert.tokenizer, pattern, t));
  const rows = await maskLogProbs(bert, queries, options);
  const foundIds = ids.found ?? classifier.labels.map(() => []);
  const owner = new Map<number, string>();
  [...ids.label, ...foundIds].forEach((words, c) => words.forEach((id) => owner.set(id, classifier.labels[c % classifier.labels.length])));
  const score = scorer(classifier, ids);
  const topK = options.topK ?? 10;
  return rows.map((row, i) => {
    const top = topIndices(row, topK);
    return {
      ...classification(classifier.labels, softmax(score(row))),
      filled: queries[i].filled,
      truncated: queries[i].encoding.truncated,
      droppedChars: queries[i].encoding.droppedChars,
      guesses: top.map((id) => ({ token: bert.tokenizer.idToToken(id), probability: Math.exp(row[id]), label: owner.get(id) ?? null })),
      wordProbabilities: Object.fromEntries(
        classifier.labels.map((l, c) => [
          l,
          [...ids.label[c].map((id) => ({ id, found: false })), ...foundIds[c].map((id) => ({ id, found: true }))].map(({ id, found }) => ({
            word: bert.tokenizer.idToToken(id),
            probability: Math.exp(row[id]),
            found,
          })),
        ]),
      ),
    };
  });
}

