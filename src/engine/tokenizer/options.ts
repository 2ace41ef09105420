/**
 * The tokenizer's settings, and how they are read from a Hugging Face
 * `tokenizer_config.json`.
 */

/** bert-base's `max_position_embeddings` / `model_max_length`. */
export const DEFAULT_MAX_LENGTH = 512;

export interface TokenizerOptions {
  /** Lower-case the input (uncased models). Default true. */
  doLowerCase?: boolean;
  /** Strip accents; `null`/`undefined` means "follow doLowerCase", as in HF. */
  stripAccents?: boolean | null;
  /** Extra words that are never split or lower-cased (HF `never_split`). */
  neverSplit?: string[];
  /** Put spaces around CJK ideographs. Default true. */
  tokenizeChineseChars?: boolean;
  /** Default truncation length for `encode` (model_max_length). Default 512. */
  maxLength?: number;
}

/**
 * Read the fields of a Hugging Face `tokenizer_config.json` that change
 * BERT tokenisation. `model_max_length` is capped by the model's
 * `max_position_embeddings` when given: HF writes a huge sentinel (1e30)
 * when the length is unknown, and the position table is the real limit.
 * Unknown fields are ignored; present fields of the wrong type throw.
 */
export function tokenizerOptionsFromConfig(config: unknown, maxPositionEmbeddings?: number): TokenizerOptions {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new TypeError('tokenizer_config.json must contain a JSON object');
  }
  const fields = config as Record<string, unknown>;
  const options: TokenizerOptions = {};

  const lower = fields.do_lower_case;
  if (lower !== undefined) {
    if (typeof lower !== 'boolean') throw new TypeError('do_lower_case must be a boolean');
    options.doLowerCase = lower;
  }
  const strip = fields.strip_accents;
  if (strip !== undefined) {
    if (strip !== null && typeof strip !== 'boolean') throw new TypeError('strip_accents must be a boolean or null');
    options.stripAccents = strip;
  }
  const chinese = fields.tokenize_chinese_chars;
  if (chinese !== undefined) {
    if (typeof chinese !== 'boolean') throw new TypeError('tokenize_chinese_chars must be a boolean');
    options.tokenizeChineseChars = chinese;
  }
  const never = fields.never_split;
  if (never !== undefined && never !== null) {
    if (!Array.isArray(never) || !never.every((w): w is string => typeof w === 'string')) {
      throw new TypeError('never_split must be a list of strings');
    }
    options.neverSplit = [...never];
  }
  let maxLength: number | undefined;
  const modelMax = fields.model_max_length;
  if (modelMax !== undefined) {
    if (typeof modelMax !== 'number' || !(modelMax > 0)) throw new TypeError('model_max_length must be a positive number');
    maxLength = modelMax;
  }
  if (maxPositionEmbeddings !== undefined) {
    maxLength = maxLength === undefined ? maxPositionEmbeddings : Math.min(maxLength, maxPositionEmbeddings);
  }
  if (maxLength !== undefined) {
    if (!Number.isFinite(maxLength) || maxLength > Number.MAX_SAFE_INTEGER) maxLength = DEFAULT_MAX_LENGTH;
    options.maxLength = Math.floor(maxLength);
  }
  return options;
}
