/**
 * Labelled examples, the input of both training methods: the checks they
 * share, and one reader of pasted or saved CSV/TSV for the page and the CLI
 * alike — d3-dsv does the quoting rules, so a file reads the same in both.
 */
import { csvParseRows, tsvParseRows } from 'd3';

export interface LabelledExample {
  text: string;
  label: string;
}

/** Throws unless there are at least 2 labels, none empty, none listed twice. */
export function checkLabels(labels: string[]): void {
  if (!Array.isArray(labels) || labels.length < 2) {
    throw new Error(`a classifier needs at least 2 labels (got ${Array.isArray(labels) ? labels.length : 'none'})`);
  }
  labels.forEach((l, i) => {
    if (typeof l !== 'string' || l === '') throw new Error(`label ${i} is empty`);
    if (labels.indexOf(l) !== i) throw new Error(`label "${l}" is listed twice`);
  });
}

/**
 * Each example's label index; throws for no examples, a label outside
 * `labels`, or a missing text. `emptyText: false` also refuses a blank text —
 * a sentence vector needs a token; a prompt's blank can be read without one.
 */
export function checkExamples(examples: LabelledExample[], labels: string[], options: { emptyText: boolean }): number[] {
  if (!Array.isArray(examples) || examples.length === 0) throw new Error('no training examples');
  return examples.map((e, i) => {
    if (typeof e.text !== 'string') throw new Error(`example ${i}: the text is missing`);
    if (!options.emptyText && e.text.trim() === '') throw new Error(`example ${i}: the text is empty`);
    const c = labels.indexOf(e.label);
    if (c < 0) throw new Error(`example ${i}: label "${e.label}" is not one of the labels (${labels.join(', ')})`);
    return c;
  });
}

/** Why a row was skipped: a code, so that the page can say it in the reader's language. */
export type ParseProblem = 'noTab' | 'noComma' | 'noLabel' | 'noText';

export interface ParseResult {
  examples: LabelledExample[];
  /** Bad rows by physical line number (1-based); the good rows are kept. */
  errors: { line: number; problem: ParseProblem }[];
}

/** The problems in plain English, as the CLI prints them. */
const PARSE_PROBLEMS: Record<ParseProblem, string> = {
  noTab: 'expected "label<TAB>text" (no tab found)',
  noComma: 'expected "label,text" (no comma found)',
  noLabel: 'the label is empty',
  noText: 'the text is empty',
};

/**
 * Rows of `label<TAB>text` (TSV, when the input has a tab anywhere) or
 * `label,text` (CSV), or any column order under a header row naming `text`
 * and `label`. Quoting follows RFC 4180 as d3-dsv reads it (a field that
 * starts with `"` runs to the closing `"`, across commas, tabs and lines).
 * Labels and texts are trimmed; blank lines are skipped.
 */
export function parseExamples(input: string): ParseResult {
  const tsv = input.includes('\t');
  const rows = (tsv ? tsvParseRows : csvParseRows)(input.replace(/\r\n?/g, '\n'));
  let textCol = 1;
  let labelCol = 0;
  let start = 0;
  const header = rows[0]?.map((c) => c.trim().toLowerCase());
  if (header !== undefined && header.includes('text') && header.includes('label')) {
    textCol = header.indexOf('text');
    labelCol = header.indexOf('label');
    start = 1;
  }
  const lines = physicalLines(rows);
  const examples: LabelledExample[] = [];
  const errors: ParseResult['errors'] = [];
  for (let r = start; r < rows.length; r++) {
    const row = rows[r];
    const line = lines[r];
    if (row.length === 1 && row[0].trim() === '') continue; // blank line
    if (row.length < 2) {
      errors.push({ line, problem: tsv ? 'noTab' : 'noComma' });
      continue;
    }
    const label = (row[labelCol] ?? '').trim();
    const text = (row[textCol] ?? '').trim();
    if (label === '') errors.push({ line, problem: 'noLabel' });
    else if (text === '') errors.push({ line, problem: 'noText' });
    else examples.push({ label, text });
  }
  return { examples, errors };
}

/**
 * The line each row starts on. A row spans one line plus the line breaks
 * inside its quoted fields, which d3-dsv keeps in the field's value — so the
 * count is exact without re-reading the quoting rules here.
 */
function physicalLines(rows: string[][]): number[] {
  const lines: number[] = [];
  let line = 1;
  for (const row of rows) {
    lines.push(line);
    line += 1 + row.reduce((n, field) => n + (field.match(/\n/g)?.length ?? 0), 0);
  }
  return lines;
}

/**
 * A training file read strictly, as the CLI does: every bad row is reported
 * (`where:line: problem`) and nothing is returned; the labels are those the
 * examples use, in first-seen order, and there must be at least two.
 */
export function readExampleFile(input: string, where: string): { examples: LabelledExample[]; labels: string[] } {
  const { examples, errors } = parseExamples(input);
  if (errors.length > 0) throw new Error(errors.map((e) => `${where}:${e.line}: ${PARSE_PROBLEMS[e.problem]}`).join('\n'));
  if (examples.length === 0) throw new Error(`${where}: no examples`);
  const labels = [...new Set(examples.map((e) => e.label))];
  if (labels.length < 2) throw new Error(`${where}: a classifier needs at least 2 labels (found only "${labels[0]}")`);
  return { examples, labels };
}
