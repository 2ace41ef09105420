/**
 * Hugging Face hub helpers: model ids, `resolve/main/` URLs, and the download
 * size of a checkpoint before it is fetched (HEAD requests → Content-Length).
 * Framework-free, so the CLI and tests can use it too.
 */

export const DEFAULT_HUB = 'https://huggingface.co';

/**
 * The hub's own rules for a repo id (huggingface_hub `validate_repo_id`): `name` or `org/name`;
 * each part 1–96 of letters, digits, `-`, `_`, `.`, starting and ending with a letter, digit or
 * `_`; no `--` or `..`; not ending in `.git`. Checked before any request, so a pasted or linked id
 * never becomes a request to some other path of the hub (`../`, `%2F`, `?`…).
 */
const PART = /^[A-Za-z0-9_](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_])?$/;
const ID_RULE =
  'each part uses letters, digits, "-", "_" and "." (at most 96), starts and ends with a letter, digit or "_", ' +
  'and has no "--" or ".."';

/**
 * `google-bert/bert-base-uncased`, a legacy id without an organisation
 * (`bert-base-uncased`), or a pasted hub page URL → the canonical id.
 * Throws a message saying what is wrong.
 */
export function parseModelId(input: string): string {
  let id = input.trim();
  if (id === '') throw new Error('Enter a model id, e.g. google-bert/bert-base-uncased');
  const url = /^https?:\/\/(?:www\.)?huggingface\.co\/(.+)$/i.exec(id);
  if (url !== null) {
    // https://huggingface.co/org/name[/tree/main|/resolve/main/…|/blob/…]
    id = url[1].split(/[?#]/)[0].replace(/\/(?:tree|resolve|blob|raw)\/.*$/, '').replace(/\/+$/, '');
  }
  const shown = quote(input.trim());
  const parts = id.split('/');
  if (parts.length > 2) throw new Error(`${shown} is not a model id: expected "organisation/model" (one "/" at most)`);
  for (const part of parts) {
    if (!PART.test(part) || part.includes('--') || part.includes('..')) {
      throw new Error(`${shown} is not a model id: ${ID_RULE}, like google-bert/bert-base-uncased`);
    }
  }
  if (id.endsWith('.git')) throw new Error(`${shown} is not a model id: it cannot end in ".git"`);
  return parts.join('/');
}

/**
 * A branch, tag, commit or `refs/pr/N`: git's ref-name rules, narrowed to what the hub's
 * revisions use. `/` is allowed (it is sent encoded, as %2F, which the hub accepts).
 */
const REVISION = /^[A-Za-z0-9_](?:[A-Za-z0-9._/-]{0,253}[A-Za-z0-9_])?$/;

/** Throws unless `revision` is a plausible hub revision; names it and the rule. */
export function checkRevision(revision: string): string {
  if (!REVISION.test(revision) || /\.\.|\/\/|\/\.|\.lock(?:\/|$)/.test(revision)) {
    throw new Error(
      `revision ${quote(revision)} is not valid: use a branch, tag or commit (letters, digits, "-", "_", "." and "/", ` +
        'at most 255, no "..", "//" or "/." )',
    );
  }
  return revision;
}

/**
 * A file of a checkpoint folder, as named by us or by a downloaded `model.safetensors.index.json`:
 * relative, `/`-separated, without `.`/`..` segments (encodeURIComponent leaves `..` as it is, so
 * a shard named `../../other/model/…` would otherwise leave the model's folder), without control
 * characters or `\`, each segment at most 255 characters (a file-system name).
 */
export function checkFileName(file: string): string {
  const bad =
    file === '' ||
    file.length > 1000 ||
    file.split('/').some((s) => s === '' || s === '.' || s === '..' || s.length > 255) ||
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    /[\u0000-\u001f\u007f\\]/.test(file);
  if (bad) {
    throw new Error(
      `file name ${quote(file)} is not valid: a relative path inside the model folder, no "." or ".." parts, ` +
        'no empty parts, control characters or "\\", at most 255 characters a part',
    );
  }
  return file;
}

/** A user's string in an error message: JSON-quoted (control characters visible) and cut at 120 characters. */
function quote(value: string): string {
  return JSON.stringify(value.length > 120 ? `${value.slice(0, 120)}…` : value);
}

/** `https://huggingface.co` or a test server; trailing slashes dropped. Throws on anything but http(s). */
export function normaliseHub(hub: string | null | undefined): string {
  const value = (hub ?? '').trim();
  if (value === '') return DEFAULT_HUB;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`hub "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`hub "${value}" must be http(s)`);
  return (url.origin + url.pathname).replace(/\/+$/, '');
}

/** The folder URL a `urlSource` reads from: `<hub>/<id>/resolve/<revision>/`. */
export function hubBaseUrl(id: string, hub: string = DEFAULT_HUB, revision = 'main'): string {
  return `${normaliseHub(hub)}/${parseModelId(id)}/resolve/${encodeURIComponent(checkRevision(revision))}/`;
}

/** One file of a model on the hub. */
export function hubFileUrl(id: string, file: string, hub: string = DEFAULT_HUB, revision = 'main'): string {
  return hubBaseUrl(id, hub, revision) + checkFileName(file).split('/').map(encodeURIComponent).join('/');
}

/** 1536 → "1.5 KB"; decimal units, as download dialogs and the hub show them. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '? B';
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

/** Weight files of other frameworks, named when a checkpoint has no safetensors. */
const OTHER_WEIGHT_FORMATS = ['pytorch_model.bin', 'tf_model.h5', 'flax_model.msgpack'];

export interface DownloadEstimate {
  /** Weight files (model.safetensors, or the shards of its index) with their sizes. */
  files: { name: string; bytes: number | null }[];
  /** Sum of the known sizes. */
  bytes: number;
  /** False when a server did not send Content-Length for some file. */
  complete: boolean;
}

/**
 * How much a checkpoint folder weighs, before downloading it: HEAD
 * `model.safetensors`, or read `model.safetensors.index.json` and HEAD each
 * shard. config.json and vocab.txt are checked to exist (their absence is
 * reported now rather than after a long download).
 */
export async function estimateDownload(
  base: string,
  fetchImpl: typeof fetch = fetch,
  signal?: AbortSignal,
): Promise<DownloadEstimate> {
  const root = base.endsWith('/') ? base : base + '/';
  const head = async (name: string): Promise<{ ok: boolean; bytes: number | null }> => {
    // Shard names come from a downloaded index: checked before they become requests.
    checkFileName(name);
    let response: Response;
    try {
      response = await fetchImpl(root + name, { method: 'HEAD', signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new Error(`${root}${name}: could not be reached (${error instanceof Error ? error.message : String(error)})`, {
        cause: error,
      });
    }
    if (response.status === 404) return { ok: false, bytes: null };
    if (!response.ok) {
      const hint =
        response.status === 401 || response.status === 403 ? ' — check the id: the model may not exist, or be private or gated' : '';
      throw new Error(`${root}${name}: the server answered ${response.status}${hint}`);
    }
    // The hub sends the real size of LFS files as X-Linked-Size on its redirect; after it, Content-Length.
    const header = response.headers.get('x-linked-size') ?? response.headers.get('content-length');
    return { ok: true, bytes: header !== null && /^\d+$/.test(header) ? Number(header) : null };
  };
  for (const [name, why] of [
    ['config.json', 'the model hyper-parameters'],
    ['vocab.txt', 'the WordPiece vocabulary'],
  ]) {
    if (!(await head(name)).ok) throw new Error(`${root}: ${name} is missing (${why})`);
  }
  const files: DownloadEstimate['files'] = [];
  const single = await head('model.safetensors');
  if (single.ok) {
    files.push({ name: 'model.safetensors', bytes: single.bytes });
  } else {
    const response = await fetchImpl(root + 'model.safetensors.index.json', { signal });
    if (!response.ok) {
      // Say what is there instead, before anything is downloaded: "only pytorch_model.bin" tells
      // a teacher what to look for; "no weights found" alone reads like a broken link.
      // A HEAD that fails (network, a gated repo's 403) counts as "absent": it must not hide this message.
      const present = await Promise.all(OTHER_WEIGHT_FORMATS.map((name) => head(name).then((r) => r.ok, () => false)));
      const other = OTHER_WEIGHT_FORMATS.filter((_, i) => present[i]);
      throw new Error(
        other.length > 0
          ? `${root}: only ${other.length > 1 ? `${other.slice(0, -1).join(', ')} and ${other[other.length - 1]}` : other[0]} — the playground reads model.safetensors, and a web page cannot ` +
              'read these formats (a PyTorch .bin is a Python pickle). Look for a copy of this model with ' +
              'model.safetensors (on the hub, an "Adding `safetensors` variant" pull request often has one), ' +
              'or convert it with transformers: model.save_pretrained(folder, safe_serialization=True)'
          : `${root}: no weights found — expected model.safetensors or model.safetensors.index.json ` +
              '(PyTorch .bin and TensorFlow .h5 checkpoints are not supported)',
      );
    }
    const index = (await response.json()) as { weight_map?: Record<string, string> };
    const listed: unknown[] = Object.values(index.weight_map ?? {});
    const odd = listed.find((shard) => typeof shard !== 'string');
    if (odd !== undefined) throw new Error(`${root}: model.safetensors.index.json names a shard ${JSON.stringify(odd)}, not a file name`);
    const shards = [...new Set(listed as string[])];
    if (shards.length === 0) throw new Error(`${root}: model.safetensors.index.json has no "weight_map"`);
    for (const shard of shards) {
      const info = await head(shard);
      if (!info.ok) throw new Error(`${root}: ${shard} is missing (listed in model.safetensors.index.json)`);
      files.push({ name: shard, bytes: info.bytes });
    }
  }
  return {
    files,
    bytes: files.reduce((sum, f) => sum + (f.bytes ?? 0), 0),
    complete: files.every((f) => f.bytes !== null),
  };
}
