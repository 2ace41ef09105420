/**
 * Ways to damage a real safetensors file, as fast-check arbitraries of plain
 * data (so a failing case prints as a readable plan): random byte flips in the
 * header or the data, truncation, trailing junk, a rewritten header-length
 * field, and edits of the header JSON — wrong dtypes, shapes and offsets,
 * huge, negative, fractional and non-numeric numbers, deleted, renamed,
 * duplicated and added tensors, non-object entries, and text that is not JSON.
 */
import fc from 'fast-check';

/** A number JSON can spell but JSON.stringify cannot write (1e400 parses as Infinity), written verbatim. */
interface Raw {
  raw: string;
}
/** A header value: JSON, where any number may also be spelt raw. */
type Value = null | boolean | number | string | Raw | Value[] | { [key: string]: Value };

export type HeaderEdit =
  | { op: 'dtype' | 'shape' | 'data_offsets' | 'entry'; tensor: number; value: Value }
  | { op: 'delete'; tensor: number }
  | { op: 'rename'; tensor: number; name: string }
  | { op: 'duplicate'; tensor: number; value: Value }
  | { op: 'add'; name: string; value: Value }
  | { op: 'shiftOffsets'; tensor: number; begin: number; end: number }
  | { op: 'swapOffsets'; tensor: number; other: number }
  | { op: 'metadata'; value: Value };

export type Mutation =
  | { kind: 'flip'; region: 'header' | 'data' | 'anywhere'; flips: { at: number; xor: number }[] }
  | { kind: 'truncate'; keep: number }
  | { kind: 'append'; bytes: number[] }
  | { kind: 'lengthField'; value: string }
  | { kind: 'header'; edits: HeaderEdit[]; lengthFixed: boolean; padding: number }
  | { kind: 'headerText'; text: string };

const interestingNumbers: Value[] = [
  -1, 0, 1, 2, 3, 4, 7, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53 - 1, 2 ** 53 + 2, 1e20, 1e308, -1e308, Number.MIN_VALUE,
  { raw: '1e400' }, { raw: '-1e400' }, { raw: '18446744073709551616' }, { raw: '1.0' }, { raw: '4e0' }, { raw: '-0' },
];
const numberish: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom(...interestingNumbers),
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom<Value>('4', null, true, [], {}),
);
const value: fc.Arbitrary<Value> = fc.oneof(
  numberish,
  fc.array(numberish, { maxLength: 4 }),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Value>,
);
const dtype: fc.Arbitrary<Value> = fc.oneof(
  fc.constantFrom<Value>('F32', 'F16', 'BF16', 'F64', 'I64', 'I32', 'U8', 'BOOL', 'F8_E4M3', 'f32', 'F32 ', '', null, 32),
  value,
);
/** What may stand where a tensor's {dtype, shape, data_offsets} object belongs. */
const notAnEntry: fc.Arbitrary<Value> = fc.oneof(fc.constantFrom<Value>(null, 0, 'F32', true, [], ['F32', [4], [0, 16]]), value);
const tensor = fc.nat({ max: 1000 }); // taken modulo the number of tensors
const name = fc.oneof(
  fc.constantFrom('', '__metadata__', '__proto__', 'constructor', 'bert.embeddings.word_embeddings.weight', 'embeddings.word_embeddings.weight', 'cls.predictions.decoder.bias', 'x\ny', 'x\u0000y'),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

const headerEdit: fc.Arbitrary<HeaderEdit> = fc.oneof(
  fc.record({ op: fc.constant('dtype' as const), tensor, value: dtype }),
  fc.record({ op: fc.constant('shape' as const), tensor, value }),
  fc.record({ op: fc.constant('data_offsets' as const), tensor, value }),
  fc.record({ op: fc.constant('entry' as const), tensor, value: notAnEntry }),
  fc.record({ op: fc.constant('delete' as const), tensor }),
  fc.record({ op: fc.constant('rename' as const), tensor, name }),
  fc.record({ op: fc.constant('duplicate' as const), tensor, value: notAnEntry }),
  fc.record({ op: fc.constant('add' as const), name, value: notAnEntry }),
  fc.record({ op: fc.constant('shiftOffsets' as const), tensor, begin: fc.integer({ min: -8, max: 8 }), end: fc.integer({ min: -8, max: 8 }) }),
  fc.record({ op: fc.constant('swapOffsets' as const), tensor, other: tensor }),
  fc.record({ op: fc.constant('metadata' as const), value }),
);

const lengthFieldValues = ['0', '1', '2', '7', '8', '9', '100000000', '100000001', '9007199254740993', '18446744073709551615', '9223372036854775808'];

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('flip' as const), region: fc.constantFrom('header' as const, 'data' as const, 'anywhere' as const), flips: fc.array(fc.record({ at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }), { minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('append' as const), bytes: fc.array(fc.nat({ max: 255 }), { minLength: 1, maxLength: 16 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lengthField' as const), value: fc.oneof(fc.constantFrom(...lengthFieldValues), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.integer({ min: -64, max: 64 }).map((d) => `header${d >= 0 ? '+' : ''}${d}`)) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('header' as const), edits: fc.array(headerEdit, { minLength: 1, maxLength: 3 }), lengthFixed: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), padding: fc.nat({ max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('headerText' as const), text: fc.oneof({ weight: 2, arbitrary: fc.constantFrom('', 'null', '[]', '{}', '1', '"x"', '{"a":', '{"a": null}', '{"a": 1}', '{"a": []}', '\uFEFF{}', 'PK\u0003\u0004', '[1]', '{"__metadata__": null}') }, fc.string({ unit: 'binary', maxLength: 30 }), fc.json({ maxDepth: 2 })) }) },
);

// ---------------------------------------------------------------------------

function headerLength(bytes: Uint8Array): number {
  return bytes.length < 8 ? 0 : Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
}

/** The header as ordered entries, or null when it no longer parses. */
function parseHeader(bytes: Uint8Array): [string, Value][] | null {
  const n = headerLength(bytes);
  if (n > bytes.length - 8) return null;
  try {
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as unknown;
    return typeof header === 'object' && header !== null && !Array.isArray(header) ? Object.entries(header as Record<string, Value>) : null;
  } catch {
    return null;
  }
}

/** JSON text of entries, which may repeat a key (JSON.stringify of an object cannot) and hold raw numbers. */
function writeEntries(entries: [string, Value][]): string {
  const raws: string[] = [];
  const encode = (v: Value): string =>
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'object' && x !== null && 'raw' in x && typeof (x as Raw).raw === 'string' && Object.keys(x).length === 1) {
        raws.push((x as Raw).raw);
        return `\u0000raw${raws.length - 1}\u0000`;
      }
      return x;
    });
  const body = entries.map(([k, v]) => `${JSON.stringify(k)}:${encode(v)}`).join(',');
  // The placeholders are JSON strings; put the raw numbers in their place.
  return `{${body}}`.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]);
}

function withHeader(bytes: Uint8Array, text: string, lengthFixed: boolean, padding: number): Uint8Array {
  const oldLength = Math.min(headerLength(bytes), bytes.length - 8);
  const json = new TextEncoder().encode(text + ' '.repeat(padding));
  const data = bytes.subarray(8 + oldLength);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(lengthFixed ? json.length : oldLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function editEntries(entries: [string, Value][], edit: HeaderEdit): void {
  const tensors = entries.filter(([k]) => k !== '__metadata__');
  if (tensors.length === 0 && edit.op !== 'add' && edit.op !== 'metadata') return;
  const pick = (i: number) => tensors[i % tensors.length];
  const field = (e: [string, Value]) => (typeof e[1] === 'object' && e[1] !== null && !Array.isArray(e[1]) ? (e[1] as Record<string, Value>) : null);
  switch (edit.op) {
    case 'dtype':
    case 'shape':
    case 'data_offsets': {
      const f = field(pick(edit.tensor));
      if (f !== null) f[edit.op] = edit.value;
      break;
    }
    case 'entry':
      pick(edit.tensor)[1] = edit.value;
      break;
    case 'delete':
      entries.splice(entries.indexOf(pick(edit.tensor)), 1);
      break;
    case 'rename':
      pick(edit.tensor)[0] = edit.name;
      break;
    case 'duplicate': {
      const e = pick(edit.tensor);
      entries.push([e[0], edit.value]);
      break;
    }
    case 'add':
      entries.push([edit.name, edit.value]);
      break;
    case 'shiftOffsets': {
      const f = field(pick(edit.tensor));
      const o = f?.data_offsets;
      if (f !== null && Array.isArray(o) && o.length === 2 && typeof o[0] === 'number' && typeof o[1] === 'number') {
        f.data_offsets = [o[0] + edit.begin, o[1] + edit.end];
      }
      break;
    }
    case 'swapOffsets': {
      const [a, b] = [field(pick(edit.tensor)), field(pick(edit.other))];
      if (a !== null && b !== null) [a.data_offsets, b.data_offsets] = [b.data_offsets, a.data_offsets];
      break;
    }
    case 'metadata': {
      const i = entries.findIndex(([k]) => k === '__metadata__');
      if (i >= 0) entries[i][1] = edit.value;
      else entries.unshift(['__metadata__', edit.value]);
      break;
    }
  }
}

/** `file` after one mutation (a new array; `file` is left as it was). */
export function mutate(file: Uint8Array, m: Mutation): Uint8Array {
  const header = 8 + Math.min(headerLength(file), Math.max(file.length - 8, 0));
  switch (m.kind) {
    case 'flip': {
      const out = file.slice();
      const [from, to] = m.region === 'header' ? [0, header] : m.region === 'data' ? [header, out.length] : [0, out.length];
      if (to > from) for (const { at, xor } of m.flips) out[from + (at % (to - from))] ^= xor;
      return out;
    }
    case 'truncate':
      return file.slice(0, file.length === 0 ? 0 : m.keep % file.length);
    case 'append': {
      const out = new Uint8Array(file.length + m.bytes.length);
      out.set(file);
      out.set(m.bytes, file.length);
      return out;
    }
    case 'lengthField': {
      const out = file.slice();
      if (out.length < 8) return out;
      const relative = /^header([+-]\d+)$/.exec(m.value);
      const n = relative ? BigInt(Math.max(0, header - 8 + Number(relative[1]))) : BigInt(m.value);
      new DataView(out.buffer).setBigUint64(0, n, true);
      return out;
    }
    case 'header': {
      const entries = parseHeader(file);
      if (entries === null) return file.slice();
      const edited: [string, Value][] = entries.map(([k, v]) => [k, structuredClone(v)]);
      for (const edit of m.edits) editEntries(edited, edit);
      return withHeader(file, writeEntries(edited), m.lengthFixed, m.padding);
    }
    case 'headerText':
      return withHeader(file, m.text, true, 0);
  }
}
