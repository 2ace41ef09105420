/**
 * The peer benchmark's Node side: identical weights for our engine and
 * onnxruntime-web, served same-origin by `vite preview`.
 *
 * - Seeded random models are written once as Hugging Face folders under
 *   bench/.cache/ (git-ignored): our engine loads the folder, onnxruntime-web
 *   the ONNX graph tools/export_onnx writes from that same folder.
 * - `ortPlugin()` serves onnxruntime-web's dist files at /__ort/ and the cache at
 *   /__bench/ from the preview server (the app is cross-origin isolated, so
 *   everything the page loads stays same-origin).
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import type { Plugin } from 'vite';
import { randomCheckpoint, type RandomShape, writeSafetensors } from '../src/engine/node';

export const CACHE = 'bench/.cache';
const ORT_DIST = 'node_modules/onnxruntime-web/dist';
const PYTHON = '/usr/bin/python3';
const EXPORTER = 'tools/export_onnx/export_onnx.py';

/** Throws with the install command when Debian's PyTorch/ONNX are missing (the export needs them). */
export function checkPython(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import torch, onnx, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    throw new Error(
      `the onnxruntime-web comparison exports ONNX with ${PYTHON} + PyTorch + ONNX, which are missing ` +
        `(${probe.stderr?.trim().split('\n').pop() || probe.error?.message || 'not found'}): ` +
        'sudo apt-get install -y python3-onnx python3-torch',
    );
  }
}

/**
 * A seeded random BERT (src/engine/checkpoint/random.ts, as `bertPlayground.randomModel` builds it) written as a
 * Hugging Face folder; reused when already there. Returns the folder.
 */
export function randomFolder(shape: RandomShape, seed = 1): string {
  const vocab = shape.vocabSize ?? 1000;
  const dir = join(CACHE, `random-${shape.layers}-${shape.hidden}-${shape.heads}-${shape.intermediate}-v${vocab}-s${seed}`);
  const weights = join(dir, 'model.safetensors');
  if (existsSync(weights)) return dir; // written last: its presence means the folder is complete
  mkdirSync(dir, { recursive: true });
  const checkpoint = randomCheckpoint(shape, seed);
  const c = checkpoint.config;
  const config = {
    model_type: 'bert',
    architectures: [c.architecture],
    vocab_size: c.vocabSize,
    hidden_size: c.hidden,
    num_hidden_layers: c.layers,
    num_attention_heads: c.heads,
    intermediate_size: c.intermediate,
    max_position_embeddings: c.maxPositions,
    type_vocab_size: c.typeVocabSize,
    layer_norm_eps: c.layerNormEps,
    hidden_act: 'gelu',
    is_decoder: c.isDecoder,
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
  writeFileSync(join(dir, 'vocab.txt'), checkpoint.vocabText);
  const tensors = [...checkpoint.weights].map(([name, w]) => ({ name, shape: w.shape, values: w.values }));
  writeFileSync(weights + '.tmp', writeSafetensors(tensors));
  renameSync(weights + '.tmp', weights);
  return dir;
}

/** tools/export_onnx on a folder, cached in bench/.cache/onnx/NAME.onnx until the weights or the exporter change. */
export function onnxFor(modelDir: string, name: string, say: (line: string) => void): string {
  const out = join(CACHE, 'onnx', `${name}.onnx`);
  const sources = [EXPORTER, join(modelDir, 'config.json'), join(modelDir, 'model.safetensors')].filter(existsSync);
  if (existsSync(out) && sources.every((s) => statSync(s).mtimeMs <= statSync(out).mtimeMs)) return out;
  mkdirSync(dirname(out), { recursive: true });
  say(`exporting ${modelDir} to ONNX (tools/export_onnx)…`);
  const r = spawnSync(PYTHON, [EXPORTER, modelDir, out], { encoding: 'utf8', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`tools/export_onnx failed on ${modelDir}:\n${r.stderr || r.error?.message}`);
  return out;
}

/** A URL path under /__bench/ for a file or folder in bench/.cache. */
export function cacheUrl(path: string): string {
  const rel = resolve(path).slice(resolve(CACHE).length + 1).split(sep).join('/');
  return `/__bench/${rel}${statSync(path).isDirectory() ? '/' : ''}`;
}

const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

function serveFile(root: string, urlPath: string, res: ServerResponse): void {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    rel = '';
  }
  const file = resolve(root, '.' + (rel.startsWith('/') ? rel : '/' + rel));
  if (!file.startsWith(resolve(root) + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.statusCode = 404; // the checkpoint loader treats 404 as "absent" (tokenizer_config.json…)
    res.end();
    return;
  }
  res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
  res.setHeader('Content-Length', String(statSync(file).size));
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
  res.setHeader('Cache-Control', 'no-store');
  createReadStream(file).pipe(res);
}

/** Serves /__ort/* (onnxruntime-web's dist) and /__bench/* (bench/.cache) from `vite preview`. */
export function ortPlugin(): Plugin {
  return {
    name: 'bench-ort-files',
    configurePreviewServer(server) {
      server.middlewares.use('/__ort', (req, res) => serveFile(ORT_DIST, req.url ?? '', res));
      server.middlewares.use('/__bench', (req, res) => serveFile(CACHE, req.url ?? '', res));
    },
  };
}
