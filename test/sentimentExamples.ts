// The tiny labelled set the fine-tuning and prompt tests train on (label<TAB>text lines).
import { readFileSync } from 'node:fs';
import type { LabelledExample } from '../src/engine/training/examples';

export const examples: LabelledExample[] = readFileSync('test/fixtures/finetune/sentiment.tsv', 'utf8')
  .trim()
  .split('\n')
  .map((line) => {
    const [label, text] = line.split('\t');
    return { label, text };
  });
