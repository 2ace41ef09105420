;; WebAssembly SIMD kernels that run on tfjs-wasm's own memory (imported, not
;; copied): the elementwise parts of a BERT layer that tfjs-wasm has no
;; fused kernel for. Each loop handles 4 float32 lanes at a time, so the
;; callers (src/engine/kernels/wasmFused.ts) only use them on sizes divisible by 4.
;; All pointers are byte offsets into that memory.
;;
;; Compiled by `npm run build:kernels` (wabt) into simd.wasm.ts; a unit test
;; checks that the committed bytes are what this file compiles to.
(module
  (import "env" "memory" (memory 1))

  ;; y[i] = x[i]·Φ(x[i]), BERT's erf GELU (not the tanh one), for n floats (n divisible by 4).
  ;; Φ(x) = ½(1 + erf(x/√2)), with erf from Abramowitz & Stegun 7.1.28:
  ;; erf(z) ≈ 1 − (1 + a1·z + … + a6·z⁶)⁻¹⁶ for z ≥ 0, absolute error ≤ 3e-7;
  ;; odd in z. Only multiplies, adds and one division: no exp, no table, so
  ;; four lanes at once.
  (func (export "gelu") (param $x i32) (param $y i32) (param $n i32)
    (local $end i32) (local $v v128) (local $z v128) (local $p v128)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $next
        (local.set $v (v128.load (local.get $x)))
        ;; z = |x|/√2
        (local.set $z (f32x4.mul (f32x4.abs (local.get $v)) (v128.const f32x4 0.70710678 0.70710678 0.70710678 0.70710678)))
        ;; p = 1 + z(a1 + z(a2 + z(a3 + z(a4 + z(a5 + z·a6)))))
        (local.set $p (f32x4.mul (local.get $z) (v128.const f32x4 0.0000430638 0.0000430638 0.0000430638 0.0000430638)))
        (local.set $p (f32x4.mul (local.get $z) (f32x4.add (local.get $p) (v128.const f32x4 0.0002765672 0.0002765672 0.0002765672 0.0002765672))))
        (local.set $p (f32x4.mul (local.get $z) (f32x4.add (local.get $p) (v128.const f32x4 0.0001520143 0.0001520143 0.0001520143 0.0001520143))))
        (local.set $p (f32x4.mul (local.get $z) (f32x4.add (local.get $p) (v128.const f32x4 0.0092705272 0.0092705272 0.0092705272 0.0092705272))))
        (local.set $p (f32x4.mul (local.get $z) (f32x4.add (local.get $p) (v128.const f32x4 0.0422820123 0.0422820123 0.0422820123 0.0422820123))))
        (local.set $p (f32x4.mul (local.get $z) (f32x4.add (local.get $p) (v128.const f32x4 0.0705230784 0.0705230784 0.0705230784 0.0705230784))))
        (local.set $p (f32x4.add (local.get $p) (v128.const f32x4 1 1 1 1)))
        ;; p¹⁶ by four squarings (overflows to +inf for large z, and 1/inf = 0: erf = 1)
        (local.set $p (f32x4.mul (local.get $p) (local.get $p)))
        (local.set $p (f32x4.mul (local.get $p) (local.get $p)))
        (local.set $p (f32x4.mul (local.get $p) (local.get $p)))
        (local.set $p (f32x4.mul (local.get $p) (local.get $p)))
        ;; erf(|z|) = 1 − 1/p¹⁶, then the sign of x
        (local.set $p (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.div (v128.const f32x4 1 1 1 1) (local.get $p))))
        (local.set $p (v128.bitselect (local.get $v) (local.get $p) (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000)))
        ;; y = ½·x·(1 + erf)
        (v128.store (local.get $y)
          (f32x4.mul (f32x4.mul (local.get $v) (v128.const f32x4 0.5 0.5 0.5 0.5))
                     (f32x4.add (local.get $p) (v128.const f32x4 1 1 1 1))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $x) (local.get $end)))
      )
    )
  )

  ;; y = x + r for n floats (n divisible by 4).
  (func (export "add") (param $x i32) (param $r i32) (param $y i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (loop $next
        (v128.store (local.get $y) (f32x4.add (v128.load (local.get $x)) (v128.load (local.get $r))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $r (i32.add (local.get $r) (i32.const 16)))
        (local.set $y (i32.add (local.get $y) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $x) (local.get $end)))
      )
    )
  )

  ;; The embedding sum for n tokens (n = sentences × t): row i of y =
  ;; word[ids[i]] + position[i mod t] + segment[types[i]] (segment 0 when
  ;; $typed is 0). Rows of h floats, h divisible by 4; ids and types int32.
  (func (export "embed_rows") (param $word i32) (param $ids i32) (param $position i32) (param $segment i32)
      (param $types i32) (param $typed i32) (param $y i32) (param $n i32) (param $t i32) (param $h i32)
    (local $i i32) (local $bytes i32) (local $w i32) (local $p i32) (local $s i32) (local $end i32)
    (local.set $bytes (i32.shl (local.get $h) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $token
        (local.set $w (i32.add (local.get $word) (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))) (local.get $bytes))))
        (local.set $p (i32.add (local.get $position) (i32.mul (i32.rem_u (local.get $i) (local.get $t)) (local.get $bytes))))
        (local.set $s (local.get $segment))
        (if (local.get $typed)
          (then (local.set $s (i32.add (local.get $segment)
            (i32.mul (i32.load (i32.add (local.get $types) (i32.shl (local.get $i) (i32.const 2)))) (local.get $bytes))))))
        (local.set $end (i32.add (local.get $y) (local.get $bytes)))
        (loop $lane
          (v128.store (local.get $y)
            (f32x4.add (f32x4.add (v128.load (local.get $w)) (v128.load (local.get $p))) (v128.load (local.get $s))))
          (local.set $y (i32.add (local.get $y) (i32.const 16)))
          (local.set $w (i32.add (local.get $w) (i32.const 16)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $s (i32.add (local.get $s) (i32.const 16)))
          (br_if $lane (i32.lt_u (local.get $y) (local.get $end)))
        )
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $token (i32.lt_u (local.get $i) (local.get $n)))
      )
    )
  )

  ;; One head's columns out of the fused [t, 3·hidden] query/key/value
  ;; projection x: q = x[:, col:col+d]·scale ([t, d]), kT = x[:, hidden+col:…]ᵀ
  ;; ([d, t]), v = x[:, 2·hidden+col:…] ([t, d]); d divisible by 4.
  (func (export "split_head") (param $x i32) (param $t i32) (param $hidden i32) (param $col i32) (param $d i32)
      (param $scale f32) (param $q i32) (param $kT i32) (param $v i32)
    (local $r i32) (local $c i32) (local $src i32) (local $rowBytes i32) (local $hiddenBytes i32) (local $scales v128)
    (local.set $rowBytes (i32.mul (local.get $hidden) (i32.const 12)))
    (local.set $hiddenBytes (i32.shl (local.get $hidden) (i32.const 2)))
    (local.set $scales (f32x4.splat (local.get $scale)))
    (local.set $x (i32.add (local.get $x) (i32.shl (local.get $col) (i32.const 2))))
    (block $done
      (br_if $done (i32.eqz (local.get $t)))
      (loop $row
        (local.set $src (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $rowBytes))))
        (local.set $c (i32.const 0))
        (loop $lane
          (v128.store (local.get $q) (f32x4.mul (v128.load (local.get $src)) (local.get $scales)))
          (v128.store (local.get $v) (v128.load (i32.add (local.get $src) (i32.shl (local.get $hiddenBytes) (i32.const 1)))))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (local.set $v (i32.add (local.get $v) (i32.const 16)))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br_if $lane (i32.lt_u (local.get $c) (local.get $d)))
        )
        ;; the key row becomes column r of kT
        (local.set $src (i32.add (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $rowBytes))) (local.get $hiddenBytes)))
        (local.set $c (i32.const 0))
        (loop $key
          (f32.store
            (i32.add (local.get $kT) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $t)) (local.get $r)) (i32.const 2)))
            (f32.load (i32.add (local.get $src) (i32.shl (local.get $c) (i32.const 2)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br_if $key (i32.lt_u (local.get $c) (local.get $d)))
        )
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br_if $row (i32.lt_u (local.get $r) (local.get $t)))
      )
    )
  )

  ;; Sum of a vector's four lanes.
  (func $lanes (param $v v128) (result f32)
    (f32.add
      (f32.add (f32x4.extract_lane 0 (local.get $v)) (f32x4.extract_lane 1 (local.get $v)))
      (f32.add (f32x4.extract_lane 2 (local.get $v)) (f32x4.extract_lane 3 (local.get $v))))
  )

  ;; In place, each of `rows` rows of h floats (h divisible by 4):
  ;; y = (y − mean)/√(var + eps)·γ + β, population variance (as PyTorch),
  ;; computed from the centred values (two passes) for accuracy.
  (func (export "norm_rows") (param $y i32) (param $gamma i32) (param $beta i32) (param $rows i32) (param $h i32) (param $eps f32)
    (local $rowEnd i32) (local $at i32) (local $acc v128) (local $mean v128) (local $scale v128) (local $d v128)
    (local $g i32) (local $b i32) (local $bytes i32)
    (local.set $bytes (i32.shl (local.get $h) (i32.const 2)))
    (block $done
      (br_if $done (i32.eqz (local.get $rows)))
      (loop $row
        (local.set $rowEnd (i32.add (local.get $y) (local.get $bytes)))
        ;; mean
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $at (local.get $y))
        (loop $sum
          (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $at))))
          (local.set $at (i32.add (local.get $at) (i32.const 16)))
          (br_if $sum (i32.lt_u (local.get $at) (local.get $rowEnd)))
        )
        (local.set $mean (f32x4.splat (f32.div (call $lanes (local.get $acc)) (f32.convert_i32_u (local.get $h)))))
        ;; variance of the centred values
        (local.set $acc (v128.const f32x4 0 0 0 0))
        (local.set $at (local.get $y))
        (loop $squares
          (local.set $d (f32x4.sub (v128.load (local.get $at)) (local.get $mean)))
          (local.set $acc (f32x4.add (local.get $acc) (f32x4.mul (local.get $d) (local.get $d))))
          (local.set $at (i32.add (local.get $at) (i32.const 16)))
          (br_if $squares (i32.lt_u (local.get $at) (local.get $rowEnd)))
        )
        (local.set $scale (f32x4.splat (f32.div (f32.const 1)
          (f32.sqrt (f32.add (f32.div (call $lanes (local.get $acc)) (f32.convert_i32_u (local.get $h))) (local.get $eps))))))
        ;; normalise, scale and shift
        (local.set $at (local.get $y))
        (local.set $g (local.get $gamma))
        (local.set $b (local.get $beta))
        (loop $write
          (v128.store (local.get $at)
            (f32x4.add
              (f32x4.mul (f32x4.mul (f32x4.sub (v128.load (local.get $at)) (local.get $mean)) (local.get $scale)) (v128.load (local.get $g)))
              (v128.load (local.get $b))))
          (local.set $at (i32.add (local.get $at) (i32.const 16)))
          (local.set $g (i32.add (local.get $g) (i32.const 16)))
          (local.set $b (i32.add (local.get $b) (i32.const 16)))
          (br_if $write (i32.lt_u (local.get $at) (local.get $rowEnd)))
        )
        (local.set $y (local.get $rowEnd))
        (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
        (br_if $row (i32.gt_u (local.get $rows) (i32.const 0)))
      )
    )
  )
)
