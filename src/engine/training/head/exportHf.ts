/**
 * A trained head as a Hugging Face model folder, for use outside the playground.
 */
import type { Bert } from '../../model/bert';
import { writeSafetensors, type NamedTensor } from '../../checkpoint/safetensorsWriter';
import { checkHead, type ClassifierHead } from './head';


/**
 * A Hugging Face BertForSequenceClassification folder (config.json, vocab.txt,
 * tokenizer_config.json, model.safetensors in F32) that gives the same
 * probabilities as `classify`. That class computes softmax(W·pooled + b) with
 * pooled = tanh(W_p·h[CLS] + b_p), so only heads of that form export exactly:
 * pooling 'cls' and a linear head. Other heads are refused with the reason
 * (a mean-pooled or two-layer head would silently change its predictions).
 * Retrained top layers replace the base model's; the base's masked-LM head is
 * left out (the classifier does not use it). A base without a pooler gets the
 * identity pooler (W_p = I, b_p = 0), which is what 'cls' trained on.
 */
export function exportSequenceClassification(bert: Bert, head: ClassifierHead): Map<string, Uint8Array> {
  if (head.pooling !== 'cls') {
    throw new Error(
      "only a head with pooling 'cls' can be exported: BertForSequenceClassification classifies the pooled [CLS] vector, " +
        "and this head reads the mean of all tokens — train with pooling 'cls' to export",
    );
  }
  if (head.layers.length !== 1) {
    throw new Error(
      'only a linear head (hiddenUnits 0) can be exported: BertForSequenceClassification has a single linear classifier',
    );
  }
  checkHead(bert, head);
  const { config } = bert;
  const H = config.hidden;
  const C = head.labels.length;
  const weights = bert.model.readWeights();
  for (const w of head.unfrozen?.weights ?? []) weights.set(w.name, { shape: w.shape, values: w.values });
  if (!weights.has('pooler.dense.weight')) {
    const identity = new Float32Array(H * H);
    for (let i = 0; i < H; i++) identity[i * H + i] = 1;
    weights.set('pooler.dense.weight', { shape: [H, H], values: identity });
    weights.set('pooler.dense.bias', { shape: [H], values: new Float32Array(H) });
  }
  const tensors: NamedTensor[] = [];
  for (const [name, w] of weights) {
    if (/^(embeddings|encoder|pooler)\./.test(name)) tensors.push({ name: `bert.${name}`, shape: w.shape, values: w.values });
  }
  const { kernel, bias } = head.layers[0]; // kernel [H, C] → nn.Linear weight [C, H]
  const classifier = new Float32Array(C * H);
  for (let i = 0; i < H; i++) for (let c = 0; c < C; c++) classifier[c * H + i] = kernel[i * C + c];
  tensors.push({ name: 'classifier.weight', shape: [C, H], values: classifier });
  tensors.push({ name: 'classifier.bias', shape: [C], values: Float32Array.from(bias) });

  const hfConfig = {
    architectures: ['BertForSequenceClassification'],
    model_type: 'bert',
    vocab_size: config.vocabSize,
    hidden_size: H,
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    intermediate_size: config.intermediate,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    max_position_embeddings: config.maxPositions,
    type_vocab_size: config.typeVocabSize,
    initializer_range: 0.02,
    layer_norm_eps: config.layerNormEps,
    pad_token_id: bert.tokenizer.padId,
    position_embedding_type: 'absolute',
    is_decoder: config.isDecoder,
    use_cache: true,
    classifier_dropout: null,
    num_labels: C,
    id2label: Object.fromEntries(head.labels.map((l, i) => [String(i), l])),
    label2id: Object.fromEntries(head.labels.map((l, i) => [l, i])),
    problem_type: 'single_label_classification',
    torch_dtype: 'float32',
  };
  const tokenizerConfig = {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: bert.tokenizer.doLowerCase,
    strip_accents: bert.tokenizer.stripAccents,
    tokenize_chinese_chars: bert.tokenizer.tokenizeChineseChars,
    model_max_length: bert.tokenizer.maxLength,
  };
  const vocab = Array.from({ length: bert.tokenizer.vocabSize }, (_, i) => bert.tokenizer.idToToken(i));
  const text = (s: string) => new TextEncoder().encode(s);
  return new Map<string, Uint8Array>([
    ['config.json', text(JSON.stringify(hfConfig, null, 2) + '\n')],
    ['vocab.txt', text(vocab.join('\n') + '\n')],
    ['tokenizer_config.json', text(JSON.stringify(tokenizerConfig, null, 2) + '\n')],
    ['model.safetensors', writeSafetensors(tensors, { format: 'pt' })],
  ]);
}
