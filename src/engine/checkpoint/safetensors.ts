/**
 * Reading the safetensors format: an 8-byte little-endian header length, a JSON
 * header { name: { dtype, shape, data_offsets: [begin, end] } }, then the bytes.
 * Everything is checked before use, and every error names the file and tensor,
 * because a teacher loading a half-downloaded file needs to know what broke.
 */

export type DType = 'F32' | 'F16' | 'BF16';
const BYTES: Record<DType, number> = { F32: 4, F16: 2, BF16: 2 };
/** The reference implementation refuses longer headers (HeaderTooLarge). */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  file: string;
  tensors: Map<string, TensorEntry>;
  bytes: ArrayBuffer;
}

/**
 * A name or value from the header as a message shows it: JSON-quoted, so a
 * newline or control in a hostile name cannot break the one-line error, and
 * cut short, so a megabyte-long name cannot flood it.
 */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export function parseSafetensors(file: string, bytes: ArrayBuffer): SafetensorsFile {
  if (bytes.byteLength < 8) throw new Error(`${file}: too small to be a safetensors file (${bytes.byteLength} bytes)`);
  const view = new DataView(bytes);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) {
    throw new Error(
      `${file}: header claims ${headerLength} bytes, over the format's 100 MB limit (is this a safetensors file?)`,
    );
  }
  if (headerLength > bytes.byteLength - 8) {
    throw new Error(
      `${file}: header claims ${headerLength} bytes but the file has only ${bytes.byteLength} (truncated download?)`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 8, headerLength)));
  } catch {
    throw new Error(`${file}: the header is not valid JSON (is this a safetensors file?)`);
  }
  // An array is an object too, but its "names" would be 0, 1, …: say what is wrong instead.
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new Error(`${file}: the header is not a JSON object`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, TensorEntry>();
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    const tensor = `tensor ${shown(name)}`;
    // null, a number or a list in place of the entry used to reach `.dtype` and throw a bare TypeError.
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new Error(`${file}: ${tensor} is ${shown(raw)}, not an object with dtype, shape and data_offsets`);
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = info.dtype;
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      const named = typeof dtype === 'string' && /^[\w ]{0,16}$/.test(dtype) ? dtype : shown(dtype);
      throw new Error(`${file}: ${tensor} has dtype ${named}; only F32, F16 and BF16 are supported`);
    }
    const shape = info.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${file}: ${tensor} has an invalid shape ${shown(shape)}`);
    }
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      throw new Error(`${file}: ${tensor} has invalid data_offsets ${shown(offsets)}`);
    }
    const [b, e] = offsets as [number, number];
    if (b > e || e > dataLength) {
      throw new Error(`${file}: ${tensor} lies outside the file (bytes ${b}–${e} of ${dataLength}; truncated download?)`);
    }
    const count = (shape as number[]).reduce((a, d) => a * d, 1);
    if ((e - b) !== count * BYTES[dtype]) {
      throw new Error(
        `${file}: ${tensor} has ${e - b} bytes but shape ${shown(shape)} in ${dtype} needs ${count * BYTES[dtype]}`,
      );
    }
    tensors.set(name, { name, dtype, shape: shape as number[], begin: dataStart + b, end: dataStart + e });
  }
  checkLayout(file, [...tensors.values()], dataStart, dataLength);
  return { file, tensors, bytes };
}

/**
 * The format's layout rule: sorted by offset, the tensors' byte ranges tile the
 * data section exactly — no two share a byte, no byte belongs to none, first at
 * 0, last ending at the end of the file. Overlaps are reported before gaps: one
 * tensor reading another's bytes also leaves its own bytes unclaimed.
 */
function checkLayout(file: string, entries: TensorEntry[], dataStart: number, dataLength: number): void {
  const sorted = [...entries].sort((x, y) => x.begin - y.begin || x.end - y.end);
  const range = (t: TensorEntry) => `bytes ${t.begin - dataStart}–${t.end - dataStart}`;
  for (let i = 1; i < sorted.length; i++) {
    const [prev, t] = [sorted[i - 1], sorted[i]];
    if (t.begin < prev.end) {
      throw new Error(
        `${file}: tensor ${shown(t.name)} (${range(t)}) overlaps tensor ${shown(prev.name)} (${range(prev)}) in the data section`,
      );
    }
  }
  let at = 0;
  for (const t of sorted) {
    const begin = t.begin - dataStart;
    if (begin !== at) {
      throw new Error(`${file}: bytes ${at}–${begin} of the data section, before tensor ${shown(t.name)}, belong to no tensor`);
    }
    at = t.end - dataStart;
  }
  if (at !== dataLength) {
    const last = sorted.length > 0 ? `after tensor ${shown(sorted[sorted.length - 1].name)}` : 'and the header lists no tensors';
    throw new Error(`${file}: bytes ${at}–${dataLength} of the data section, ${last}, belong to no tensor`);
  }
}

/**
 * Refuses a NaN or ±Infinity in values the model will use, naming the file and
 * tensor: one would otherwise spread silently through every later activation.
 * One tight pass (`v - v` is 0 for every finite v, NaN otherwise).
 */
export function checkFinite(file: string, tensor: string, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v - v !== 0) {
      const what = Number.isNaN(v) ? 'a NaN' : v > 0 ? '+Infinity' : '-Infinity';
      throw new Error(`${file}: tensor ${shown(tensor)} has ${what} at index ${i}`);
    }
  }
}

/** float16 → float32 for every possible bit pattern, built once (256 KiB). */
let halfTable: Float32Array | null = null;
function halfToFloatTable(): Float32Array {
  if (halfTable !== null) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    let value: number;
    if (exponent === 0) value = fraction * 2 ** -24; // subnormal
    else if (exponent === 31) value = fraction === 0 ? Infinity : NaN;
    else value = (1 + fraction / 1024) * 2 ** (exponent - 15);
    halfTable[h] = sign * value;
  }
  return halfTable;
}

/** The tensor's values as float32, whatever its stored dtype. */
export function readFloat32(source: SafetensorsFile, entry: TensorEntry): Float32Array {
  const count = (entry.end - entry.begin) / BYTES[entry.dtype];
  if (entry.dtype === 'F32') {
    // Copy: the file's offsets need not be 4-byte aligned, and we drop the file afterwards.
    return new Float32Array(source.bytes.slice(entry.begin, entry.end));
  }
  const halves = new Uint16Array(source.bytes.slice(entry.begin, entry.end));
  const out = new Float32Array(count);
  if (entry.dtype === 'F16') {
    const table = halfToFloatTable();
    for (let i = 0; i < count; i++) out[i] = table[halves[i]];
  } else {
    // bfloat16 is the top 16 bits of a float32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) bits[i] = halves[i] << 16;
  }
  return out;
}
