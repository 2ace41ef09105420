import { describe, expect, it } from 'vitest';
import { loadStoredExamples, parseExamples, saveExamples, STARTER_EXAMPLES } from '../src/ui/examples';
import { checkExamples, checkLabels, readExampleFile } from '../src/engine/training/examples';

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

describe('one reader for the page and the CLI (d3-dsv rules)', () => {
  // A file the two readers used to disagree on: the CLI split each line at its first tab and kept
  // quotes, header rows and extra tabs in the text; the page reads it as TSV with quoting.
  const file = 'label\ttext\npositive\t"a ""quoted"" word"\nnegative\t"two\nlines"\n\nnegative\t  padded  \n';

  it('reads the same file to the same examples in both', () => {
    const page = parseExamples(file);
    expect(page.errors).toEqual([]);
    expect(page.examples).toEqual([
      { label: 'positive', text: 'a "quoted" word' },
      { label: 'negative', text: 'two\nlines' },
      { label: 'negative', text: 'padded' },
    ]);
    expect(readExampleFile(file, 'train.tsv')).toEqual({ examples: page.examples, labels: ['positive', 'negative'] });
  });

  it('numbers lines as a reader counts them, past a quoted field that spans lines (TSV too)', () => {
    expect(parseExamples('positive\t"one\ntwo\nthree"\nno tab\nnegative\t\n').errors).toEqual([
      { line: 4, problem: 'noTab' },
      { line: 5, problem: 'noText' },
    ]);
  });

  it('the CLI refuses the whole file, naming every bad line in words', () => {
    expect(() => readExampleFile('positive\tgood\nnegative bad\n\tno label\npositive\t\n', 'f.tsv')).toThrow(
      'f.tsv:2: expected "label<TAB>text" (no tab found)\nf.tsv:3: the label is empty\nf.tsv:4: the text is empty',
    );
    expect(() => readExampleFile('positive,good\njust one field\n', 'f.csv')).toThrow('f.csv:2: expected "label,text" (no comma found)');
    expect(() => readExampleFile('\n\n', 'f.tsv')).toThrow('f.tsv: no examples');
    expect(() => readExampleFile('positive\tgood\npositive\tfine\n', 'f.tsv')).toThrow(
      'f.tsv: a classifier needs at least 2 labels (found only "positive")',
    );
  });
});

describe('the checks both training methods share', () => {
  it('labels: at least two, none empty, none twice', () => {
    expect(() => checkLabels(['a'])).toThrow('a classifier needs at least 2 labels (got 1)');
    expect(() => checkLabels(['a', ''])).toThrow('label 1 is empty');
    expect(() => checkLabels(['a', 'b', 'a'])).toThrow('label "a" is listed twice');
    expect(() => checkLabels(['a', 'b'])).not.toThrow();
  });

  it("examples: each one's label index; a blank text only where the method can read one", () => {
    const labels = ['a', 'b'];
    expect(checkExamples([{ text: 'x', label: 'b' }, { text: 'y', label: 'a' }], labels, { emptyText: false })).toEqual([1, 0]);
    expect(checkExamples([{ text: ' ', label: 'a' }], labels, { emptyText: true })).toEqual([0]);
    expect(() => checkExamples([{ text: ' ', label: 'a' }], labels, { emptyText: false })).toThrow('example 0: the text is empty');
    expect(() => checkExamples([], labels, { emptyText: true })).toThrow('no training examples');
    expect(() => checkExamples([{ text: 'x', label: 'c' }], labels, { emptyText: true })).toThrow(
      'example 0: label "c" is not one of the labels (a, b)',
    );
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
