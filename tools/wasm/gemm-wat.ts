/**
 * Writes src/engine/kernels/gemm.wat: C = A·B (+ bias) in WebAssembly SIMD
 * with relaxed fused multiply-add, for tfjs's wasm backend (used by
 * src/engine/kernels/wasmGemm.ts).
 *
 * Why generated: the inner kernel keeps a 6 × 8 block of C in twelve
 * registers and runs the k loop four steps at a time, which written out by
 * hand is 24 near-identical blocks of code. XNNPACK builds its own kernels
 * from templates in the same way. `npm run build:kernels` writes the .wat
 * (committed, to be read) and compiles it; test/wasmKernels.test.ts checks
 * that both committed files are up to date.
 *
 * Why not tfjs-wasm's own product: XNNPACK in tfjs-wasm 4.22 was built
 * without relaxed SIMD, so each multiply-add is a multiply and an add. With
 * f32x4.relaxed_madd, which V8 turns into one FMA instruction where the CPU
 * has it, this kernel ran 31–40 GFLOP/s on the shapes of a BERT layer in
 * Chromium here, against 21–25 for tfjs's matMul (a throwaway page timing
 * both on the same inputs, not kept). End to end, `npm run bench -- --backend
 * wasm` measures the shipped model at 128 tokens in ~33–39 ms instead of ~44.
 */

/** Rows of C that the main kernel computes at once. Six rows × two vectors = 12 accumulators, which fit x64's 16 SIMD registers with the two B vectors and one A broadcast (4 and 5 rows measured slower). */
export const ROWS = 6;

/**
 * Rows of B (k) per slice. Over a whole panel, the first block of rows reads
 * it from memory and the others from cache, so the memory sits idle two
 * thirds of the time at 16 rows; in slices of 128 rows (4 KB of a packed
 * panel) the next slice streams in while the current one is reused. A
 * forward pass's 16 weight products at 16 tokens, each weight read once as in
 * the model, in Chromium: 3.9 → 3.4 ms (32 tokens 6.8 → 6.4; 128 tokens level;
 * 64-row slices 3.6 ms).
 */
export const KC = 128;

const get = (name: string) => `(local.get $${name})`;
const madd = (x: string, b: string, acc: string) => `(local.set $${acc} (f32x4.relaxed_madd ${get(x)} ${get(b)} ${get(acc)}))`;
const bump = (name: string, by: string) => `(local.set $${name} (i32.add ${get(name)} ${by}))`;

/**
 * The block kernel: rows × 8 columns of C from `rows` rows of A (stride
 * lda bytes) and 8 columns of B (stride ldb bytes), over k. C starts from the
 * bias (or 0 when the bias pointer is 0, which tfjs-wasm's heap never hands
 * out: it is C's NULL).
 */
function blockKernel(rows: number): string {
  const r = [...Array(rows).keys()];
  const lines: string[] = [];
  const emit = (indent: number, text: string) => lines.push(' '.repeat(indent) + text);
  emit(2, `;; ${rows} row${rows > 1 ? 's' : ''} × 8 columns of C`);
  emit(2, `(func $block${rows} (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $k i32) (param $c i32) (param $ldc i32) (param $bias i32) (param $acc i32)`);
  emit(4, r.map((i) => `(local $a${i} i32)`).join(' '));
  emit(4, r.map((i) => `(local $c${i}l v128) (local $c${i}h v128)`).join(' '));
  emit(4, '(local $bl v128) (local $bh v128) (local $x v128) (local $end i32) (local $p i32)');
  emit(4, `(local.set $a0 ${get('a')})`);
  for (const i of r.slice(1)) emit(4, `(local.set $a${i} (i32.add ${get(`a${i - 1}`)} ${get('lda')}))`);
  // Where C starts: the sums so far (a later slice of k), else the bias, else 0.
  emit(4, `(if ${get('acc')} (then`);
  emit(6, `(local.set $p ${get('c')})`);
  for (const i of r) {
    emit(6, `(local.set $c${i}l (v128.load ${get('p')})) (local.set $c${i}h (v128.load offset=16 ${get('p')}))${i < rows - 1 ? ' ' + bump('p', get('ldc')) : ''}`);
  }
  emit(4, `) (else (if ${get('bias')} (then`);
  emit(6, `(local.set $bl (v128.load ${get('bias')})) (local.set $bh (v128.load offset=16 ${get('bias')}))`);
  for (const i of r) emit(6, `(local.set $c${i}l ${get('bl')}) (local.set $c${i}h ${get('bh')})`);
  emit(4, '))))');
  // One step of k: a row of B (8 floats) times one number of each row of A.
  const step = (indent: number, aOffset: number) => {
    emit(indent, `(local.set $bl (v128.load ${get('b')})) (local.set $bh (v128.load offset=16 ${get('b')})) ${bump('b', get('ldb'))}`);
    for (const i of r) {
      emit(indent, `(local.set $x (v128.load32_splat offset=${aOffset} ${get(`a${i}`)})) ${madd('x', 'bl', `c${i}l`)} ${madd('x', 'bh', `c${i}h`)}`);
    }
  };
  emit(4, ';; k four steps at a time, then the rest one by one');
  emit(4, `(local.set $end (i32.add ${get('a0')} (i32.shl (i32.and ${get('k')} (i32.const -4)) (i32.const 2))))`);
  emit(4, `(block $done4 (br_if $done4 (i32.ge_u ${get('a0')} ${get('end')})) (loop $four`);
  for (let u = 0; u < 4; u++) step(6, 4 * u);
  emit(6, r.map((i) => bump(`a${i}`, '(i32.const 16)')).join(' '));
  emit(6, `(br_if $four (i32.lt_u ${get('a0')} ${get('end')}))))`);
  emit(4, `(local.set $end (i32.add ${get('end')} (i32.shl (i32.and ${get('k')} (i32.const 3)) (i32.const 2))))`);
  emit(4, `(block $done1 (br_if $done1 (i32.ge_u ${get('a0')} ${get('end')})) (loop $one`);
  step(6, 0);
  emit(6, r.map((i) => bump(`a${i}`, '(i32.const 4)')).join(' '));
  emit(6, `(br_if $one (i32.lt_u ${get('a0')} ${get('end')}))))`);
  for (const i of r) {
    emit(4, `(v128.store ${get('c')} ${get(`c${i}l`)}) (v128.store offset=16 ${get('c')} ${get(`c${i}h`)})${i < rows - 1 ? ' ' + bump('c', get('ldc')) : ''}`);
  }
  emit(2, ')');
  return lines.join('\n');
}

/** The call of one block kernel `rows` high on rows i… of the current slice of k ($ak, $bk, $kn) and panel ($j, $bj). */
const blockCall = (rows: number) =>
  `(call $block${rows} (i32.add (local.get $ak) (i32.mul (local.get $i) (local.get $lda))) (local.get $lda) (local.get $bk) (local.get $ldb) (local.get $kn)
            (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $ldc)) (i32.shl (local.get $j) (i32.const 2)))) (local.get $ldc) (local.get $bj) (local.get $k0))`;

/** The call for the rows left after the last whole block of ROWS (0 to ROWS − 1 of them): one block kernel of that height. */
function remainder(): string {
  const lines: string[] = ['        (local.set $rest (i32.sub (local.get $m) (local.get $i)))'];
  for (let rows = 1; rows < ROWS; rows++) {
    lines.push(`        (if (i32.eq (local.get $rest) (i32.const ${rows})) (then ${blockCall(rows)}))`);
  }
  return lines.join('\n');
}

const HEADER = `;; Generated by \`npm run build:kernels\` (tools/wasm/gemm-wat.ts). Do not edit.
;;
;; C = A·B (+ bias): A [m, k], B [k, n], C [m, n], float32, row-major with
;; any row strides, on tfjs-wasm's memory (imported). Needs relaxed SIMD:
;; f32x4.relaxed_madd is one fused multiply-add where the CPU has one.
;; All pointers are byte offsets; strides are in floats.
(module
  (import "env" "memory" (memory 1))
`;

const COLUMN = `  ;; One column of C, all m rows, one number at a time: the columns past the
  ;; last whole block of 8 (a sentence of 13 tokens has 5 in its scores).
  (func $column (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $k i32) (param $c i32) (param $ldc i32) (param $m i32) (param $bias i32)
    (local $i i32) (local $kk i32) (local $s f32) (local $pa i32) (local $pb i32)
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $s (if (result f32) (local.get $bias) (then (f32.load (local.get $bias))) (else (f32.const 0))))
      (local.set $pa (local.get $a)) (local.set $pb (local.get $b)) (local.set $kk (i32.const 0))
      (block $k_done (loop $ks
        (br_if $k_done (i32.ge_u (local.get $kk) (local.get $k)))
        (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pa)) (f32.load (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (i32.const 4))) (local.set $pb (i32.add (local.get $pb) (local.get $ldb)))
        (local.set $kk (i32.add (local.get $kk) (i32.const 1)))
        (br $ks)))
      (f32.store (local.get $c) (local.get $s))
      (local.set $a (i32.add (local.get $a) (local.get $lda))) (local.set $c (i32.add (local.get $c) (local.get $ldc)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows)))
  )
`;

const DRIVER = () => `  ;; C = A·B + bias (bias 0: none). B is read as panels of 8 columns: panel p starts
  ;; p·panel floats after b, and its rows are ldb floats apart. Row-major B [k, n]:
  ;; ldb = n, panel = 8. Packed B (pack below): ldb = 8, panel = 8k, so each panel
  ;; is one contiguous run, read a cache line after another. Within a panel,
  ;; ${ROWS} rows of A at a time while the panel stays in cache, then single rows;
  ;; then the columns past the last whole panel, one by one.
  (func (export "gemm") (param $a i32) (param $lda i32) (param $b i32) (param $ldb i32) (param $panel i32) (param $bias i32)
      (param $c i32) (param $ldc i32) (param $m i32) (param $k i32) (param $n i32)
    (local $i i32) (local $j i32) (local $bj i32) (local $pj i32) (local $rest i32) (local $k0 i32) (local $kn i32) (local $ak i32) (local $bk i32)
    (local.set $lda (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $ldb (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $panel (i32.shl (local.get $panel) (i32.const 2)))
    (local.set $ldc (i32.shl (local.get $ldc) (i32.const 2)))
    (local.set $pj (local.get $b))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
      (local.set $bj (select (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))) (i32.const 0) (local.get $bias)))
      ;; k in slices of ${KC}: each slice of the panel is read from memory by the first block of
      ;; rows and from cache by the others, while the next slice streams in
      (local.set $k0 (i32.const 0))
      (loop $slices
        (local.set $kn (i32.sub (local.get $k) (local.get $k0)))
        (if (i32.gt_u (local.get $kn) (i32.const ${KC})) (then (local.set $kn (i32.const ${KC}))))
        (local.set $ak (i32.add (local.get $a) (i32.shl (local.get $k0) (i32.const 2))))
        (local.set $bk (i32.add (local.get $pj) (i32.mul (local.get $k0) (local.get $ldb))))
        (local.set $i (i32.const 0))
        (block $six_done (loop $six
          (br_if $six_done (i32.gt_u (i32.add (local.get $i) (i32.const ${ROWS})) (local.get $m)))
          ${blockCall(ROWS)}
          (local.set $i (i32.add (local.get $i) (i32.const ${ROWS})))
          (br $six)))
        ;; the last m mod ${ROWS} rows in one block of that many rows
${remainder()}
        (local.set $k0 (i32.add (local.get $k0) (i32.const ${KC})))
        (br_if $slices (i32.lt_u (local.get $k0) (local.get $k))))
      (local.set $pj (i32.add (local.get $pj) (local.get $panel)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $blocks)))
    (block $columns_done (loop $columns
      (br_if $columns_done (i32.ge_u (local.get $j) (local.get $n)))
      (call $column (local.get $a) (local.get $lda) (i32.add (local.get $pj) (i32.shl (i32.and (local.get $j) (i32.const 7)) (i32.const 2))) (local.get $ldb) (local.get $k)
        (i32.add (local.get $c) (i32.shl (local.get $j) (i32.const 2))) (local.get $ldc) (local.get $m)
        (select (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))) (i32.const 0) (local.get $bias)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $columns)))
  )

  ;; B [k, n] row-major → ⌈n/8⌉ panels [k, 8], one after another, the last one
  ;; padded with zeros: the layout gemm reads with ldb = 8, panel = 8k. Weights
  ;; are packed once, at load: row-major, a large B costs gemm a new memory page
  ;; at every step of k.
  (func (export "pack") (param $b i32) (param $bp i32) (param $k i32) (param $n i32)
    (local $j i32) (local $r i32) (local $col i32) (local $src i32) (local $ldb i32)
    (local.set $ldb (i32.shl (local.get $n) (i32.const 2)))
    (block $panels_done (loop $panels
      (br_if $panels_done (i32.ge_u (local.get $j) (local.get $n)))
      (local.set $r (i32.const 0))
      (local.set $src (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $k)))
        (if (i32.le_u (i32.add (local.get $j) (i32.const 8)) (local.get $n))
          (then
            (v128.store (local.get $bp) (v128.load (local.get $src)))
            (v128.store offset=16 (local.get $bp) (v128.load offset=16 (local.get $src))))
          (else
            ;; the last, partial panel: its real columns, then zeros
            (local.set $col (i32.const 0))
            (block $cols_done (loop $cols
              (br_if $cols_done (i32.ge_u (local.get $col) (i32.const 8)))
              (f32.store (i32.add (local.get $bp) (i32.shl (local.get $col) (i32.const 2)))
                (if (result f32) (i32.lt_u (i32.add (local.get $j) (local.get $col)) (local.get $n))
                  (then (f32.load (i32.add (local.get $src) (i32.shl (local.get $col) (i32.const 2)))))
                  (else (f32.const 0))))
              (local.set $col (i32.add (local.get $col) (i32.const 1)))
              (br $cols)))))
        (local.set $bp (i32.add (local.get $bp) (i32.const 32)))
        (local.set $src (i32.add (local.get $src) (local.get $ldb)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $panels)))
  )
)
`;

/** The whole module's text. */
export function gemmWat(): string {
  return `${HEADER}\n${[...Array(ROWS).keys()].map((i) => blockKernel(ROWS - i)).join('\n\n')}\n\n${COLUMN}\n${DRIVER()}`;
}
