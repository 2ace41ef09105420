/**
 * The engine's table of contents and its only door: the page (src/ui), the
 * CLI and the benchmarks import from here (the CLI, benchmarks and Node tests
 * through ./node, which adds the file-system pieces). Tensors never cross it —
 * everything exported takes and returns plain values.
 *
 * Read in this order to follow a sentence through BERT:
 *   tokenizer/  text → WordPiece ids
 *   checkpoint/ a Hugging Face folder → config, vocabulary and weights
 *   model/      embeddings → attention → layers → heads; encode, fillMask
 *   kernels/    the backends' fast paths (the model runs without them)
 *   runtime/    choosing WebGPU → WebGL → wasm → cpu
 *   training/   fine-tuning a head, prompts, the few-shot experiment
 */

// The runtime: which tfjs backend runs the model.
export { chainAfter, initBackend, isDeviceLost, onGpu, selfTest, watchDeviceLoss, type BackendChoice, type BackendName } from './runtime/backend';
export { compiledPrograms } from './runtime/backend';
export { applyTfjsFlags, type AppliedFlags, TFJS_FLAGS_MAX } from './runtime/flags';
export { activeLoops, wasmGemm } from './kernels';
export { gemmThreads } from './kernels/wasmGemm';

// Tokenizer.
export { tokenizerOptionsFromConfig, WordPieceTokenizer, type Encoding } from './tokenizer/tokenizer';
export { cutMask, READ_CHARS_PER_POSITION, type ReadLimits, type TokenizedPrefix } from './tokenizer/tokenizer';
export { readsText, unknownShare, type Script } from './tokenizer/unknownShare';
export { trainWordPieceVocab, type TrainedVocab, type VocabTrainOptions } from './tokenizer/train';
export { vocabToText } from './tokenizer/vocab';

// Checkpoints: where they come from, how they are read, cached and made up.
export type { BertConfig } from './checkpoint/config';
export { loadCheckpoint, type Checkpoint } from './checkpoint/checkpoint';
export { memorySource, urlSource, type CheckpointSource, type LoadProgress } from './checkpoint/source';
export {
  browserCaches,
  cachedSource,
  isCached,
  listCachedModels,
  recordingSource,
  removeCachedModel,
  saveCachedModel,
  type CachedModel,
} from './checkpoint/cache';
export { estimateDownload, formatBytes, hubBaseUrl, normaliseHub, parseModelId, type DownloadEstimate } from './checkpoint/hub';
export { randomCheckpoint, type RandomShape } from './checkpoint/random';
export { writeSafetensors } from './checkpoint/safetensorsWriter';

// The model: load it, run it, read its guesses.
export {
  encode,
  encodeBatch,
  fillMask,
  fromCheckpoint,
  maskCutMessage,
  loadModel,
  toNested,
  type Bert,
  type Encoded,
  type EncodeOptions,
  type FillMaskResult,
  type MaskMode,
  type Prediction,
  type WarmUpOptions,
  warmUpBuckets,
} from './model/bert';
export { sequenceBucket, WEBGPU_BUCKET } from './kernels/buckets';

// Training: a classifier head on frozen features, or a prompt read by the masked-LM head.
export { parseExamples, readExampleFile, type LabelledExample, type ParseProblem, type ParseResult } from './training/examples';
export type { ClassifierHead, Pooling } from './training/head/head';
export { sentenceFeatures } from './training/head/features';
export { TRAINING_DEFAULTS, trainHead, type EpochReport, type TrainProgress } from './training/head/train';
export { classify, classifyBatch, tokenAttributions, type Attributions, type Classification, type HeadClassification } from './training/head/classify';
export type { TruncationReport } from './training/head/truncation';
export { headFromJson, headToJson } from './training/head/json';
export { exportSequenceClassification } from './training/head/exportHf';
export { pca2d } from './training/pca';
export { DEFAULT_PATTERN, parsePattern, TEXT_SLOT, type Pattern } from './training/prompt/pattern';
export { formatVerbalizer, parseVerbalizer, type Verbalizer } from './training/prompt/verbalizer';
export { patternLogProbs, type PromptClassifier } from './training/prompt/classifier';
export { stratifiedHoldout, trainPrompt, zeroShotPrompt } from './training/prompt/train';
export { checkPromptClassifier, classifyLogProbs, classifyPrompt, type PromptClassification } from './training/prompt/classify';
export { promptFromJson, promptToJson } from './training/prompt/json';
export {
  balancedDraw,
  crossValidationDatasets,
  FEWSHOT_METHODS,
  linearHeadAccuracy,
  runFewShot,
  sentimentDataset,
  stats,
  type FewShotCell,
  type FewShotDataset,
  type FewShotMethod,
} from './training/fewshot';
export { predictBagOfWords, trainBagOfWords } from './training/bow';

// Pre-training: a nano-BERT and its causal twin trained in lock-step; what each attention head does.
export {
  Pretrainer,
  PRETRAIN_DEFAULTS,
  type Evaluation as PretrainEvaluation,
  type LabShape,
  type ModelSnapshot,
  type Objective,
  type PretrainOptions,
  type PretrainSettings,
  type Scores as PretrainScores,
  type Snapshot as PretrainSnapshot,
  type StepResult as PretrainStep,
} from './training/pretrain/trainer';
export { holdOut } from './training/pretrain/batches';
export type { MaskedBatch } from './training/pretrain/masking';
export type { Schedule } from './training/pretrain/optimizer';
export { HEAD_ROLES, headRoles, type AttentionSample, type HeadRole } from './training/pretrain/headRoles';
export { prng, shuffle } from './util/prng';
export { abortError, isAbortError } from './util/abort';
export { inFile } from './util/inFile';
