/**
 * The engine's pieces that never load tfjs, for the page's own thread (the
 * engine itself runs in a worker: src/worker). Only modules whose imports,
 * followed all the way, reach no tfjs may be re-exported here — tfjs modules
 * register kernels and backends when evaluated, so one stray import would put
 * the whole library back on the page's thread. test/worker-pure.test.ts walks
 * this file's imports to keep it so.
 *
 * Types come from ./index as usual (type imports vanish from the bundle).
 */

// Tokenizer: the chips, the [UNK] notice and the prompt checks tokenize on the page.
export { tokenizerOptionsFromConfig, WordPieceTokenizer, cutMask, READ_CHARS_PER_POSITION } from './tokenizer/tokenizer';
export { readsText, unknownShare } from './tokenizer/unknownShare';

// Checkpoints: hub ids and sizes, the models kept in Cache Storage.
export { estimateDownload, formatBytes, hubBaseUrl, normaliseHub, parseModelId } from './checkpoint/hub';
export { browserCaches, isCached, listCachedModels, removeCachedModel } from './checkpoint/cache';

// Training data, patterns, words, and saved heads and prompts (JSON).
export { parseExamples, readExampleFile } from './training/examples';
export { DEFAULT_PATTERN, parsePattern, TEXT_SLOT } from './training/prompt/pattern';
export { formatVerbalizer, parseVerbalizer } from './training/prompt/verbalizer';
export { headFromJson, headToJson } from './training/head/json';
export { promptFromJson, promptToJson } from './training/prompt/json';
export { crossValidationDatasets, FEWSHOT_METHODS, stats } from './training/fewshotPlan';
export { TRAINING_DEFAULTS } from './training/head/defaults';

// Small shared pieces.
export { prng, shuffle } from './util/prng';
export { abortError, isAbortError } from './util/abort';
