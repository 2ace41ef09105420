/**
 * Writing the safetensors format (the reader is safetensors.ts): an 8-byte
 * little-endian header length, a JSON header padded with spaces to a multiple
 * of 8 bytes (as the reference implementation does, so the data stays aligned),
 * then the raw little-endian bytes of each tensor, in header order.
 */

export interface NamedTensor {
  name: string;
  shape: number[];
  values: Float32Array;
}

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** F32 tensors → the bytes of a .safetensors file. Names must be unique. */
export function writeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = { format: 'pt' }): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const t of sorted) {
    if (t.name in header) throw new Error(`safetensors: tensor "${t.name}" is written twice`);
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (count !== t.values.length) {
      throw new Error(`safetensors: tensor "${t.name}" has ${t.values.length} values but shape [${t.shape.join(', ')}]`);
    }
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.byteLength] };
    offset += t.values.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of sorted) {
    if (littleEndian) {
      out.set(new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength), at);
    } else {
      for (let i = 0; i < t.values.length; i++) view.setFloat32(at + 4 * i, t.values[i], true);
    }
    at += t.values.byteLength;
  }
  return out;
}
