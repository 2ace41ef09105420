import { describe, expect, it } from 'vitest';
import { loadStoredExamples, parseExamples, saveExamples, STARTER_EXAMPLES } from '../src/ui/examples';

describe('parseExamples', () => {
  it('reads TSV label<TAB>text, reporting bad lines by number and keeping the rest', () => {
    const r = parseExamples('positive\tgreat film\nno tab here\nnegative\t\n\nnegative\tawful, just awful\n');
    expect(r.examples).toEqual([
      { label: 'positive', text: 'great film' },
      { label: 'negative', text: 'awful, just awful' },
    ]);
    expect(r.errors).toEqual([
      { line: 2, problem: 'noTab' },
      { line: 3, problem: 'noText' },
    ]);
  });

  it('reads CSV with quotes (a comma or a newline inside the text) and a header in any order', () => {
    const r = parseExamples('text,label\n"good, honest food",positive\n"two\nlines",negative\n,positive\n');
    expect(r.examples).toEqual([
      { label: 'positive', text: 'good, honest food' },
      { label: 'negative', text: 'two\nlines' },
    ]);
    expect(r.errors).toEqual([{ line: 5, problem: 'noText' }]);
  });

  it('reports a row without a comma, and an empty label, as codes the UI translates', () => {
    expect(parseExamples('positive,fine\njust one field\n,no label here\n').errors).toEqual([
      { line: 2, problem: 'noComma' },
      { line: 3, problem: 'noLabel' },
    ]);
  });

  it('reads headerless CSV as label,text', () => {
    expect(parseExamples('negative,cold soup').examples).toEqual([{ label: 'negative', text: 'cold soup' }]);
  });
});

describe('stored examples', () => {
  it('starts from a balanced starter set of about 40 and round-trips through storage', () => {
    const memory = new Map<string, string>();
    const storage = {
      getItem: (k: string) => memory.get(k) ?? null,
      setItem: (k: string, v: string) => void memory.set(k, v),
    } as unknown as Storage;
    const first = loadStoredExamples(storage);
    expect(first.examples).toHaveLength(STARTER_EXAMPLES.length);
    expect(first.examples.filter((e) => e.label === 'positive')).toHaveLength(20);
    saveExamples({ labels: ['a', 'b'], examples: [{ label: 'a', text: 'x' }] }, storage);
    expect(loadStoredExamples(storage)).toEqual({ labels: ['a', 'b'], examples: [{ label: 'a', text: 'x' }] });
    memory.set('bert-playground.examples.v1', '{broken');
    expect(loadStoredExamples(storage).examples).toHaveLength(40);
  });
});
