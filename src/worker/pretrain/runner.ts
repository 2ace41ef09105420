/**
 * The lab worker's brain, free of `self` so a Node test can drive it: one
 * Pretrainer, stepped in a loop that yields between steps (so pause, a new
 * probe, a save or a head-role table get in), held-out scores and a snapshot
 * every `evalEvery` steps, and a budget after which it stops by itself.
 * Everything the trainer does goes through one queue: a step, a snapshot and
 * a save never interleave.
 */
import {
  type Bert,
  type CheckpointSource,
  encode,
  headRoles,
  holdOut,
  loadModel,
  Pretrainer,
  saveCachedModel,
  tokenizerOptionsFromConfig,
  trainWordPieceVocab,
  vocabToText,
  type AttentionSample,
} from '../../engine';
import { TRAINED_VOCAB_RANGE, type FromLab, type LabClock, type LabStart, type LabState, type LabVocab, type RoleSource, type ToLab } from './protocol';

export interface LabEnv {
  post(message: FromLab, transfer?: Transferable[]): void;
  fetchText(url: string): Promise<string>;
  /** The shipped BERT-mini, for its head-role table. */
  shippedSource(base: string): CheckpointSource;
  /** Cache Storage (the model picker's cache), or null where there is none. */
  caches: CacheStorage | null;
  /** Starts tfjs on the backend asked for (null: the lab's default); says which one runs. */
  initBackend(backend: LabStart['backend']): Promise<string>;
  /** Live tensors, to show memory stays flat. */
  tensors(): number;
  now(): number;
}

/** Sentences the head-role tables average over: ordinary prose, not from the training text. */
export const ROLE_SENTENCES = [
  'The old man walked slowly down the road, and the dog followed him home.',
  'When the ship came into the harbour, the sailors went ashore to buy bread.',
  'Congress will meet again in the spring to decide what the nation should do.',
  'She opened the letter, read it twice, and then put it back in the drawer.',
  'It was a cold night, but the children played in the snow until morning.',
  'The people of this country have always worked hard for their families.',
];

export class LabRunner {
  private trainer: Pretrainer | null = null;
  private state: LabState | null = null;
  private start: LabStart | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private clock: LabClock = { elapsedMs: 0, trainMs: 0, tokens: 0 };
  private lastEvaluated = -1;
  private shipped: Promise<Bert> | null = null;
  private backend: Promise<string> | null = null;
  /** The lab model whose head roles follow training (the table's choice, when it shows a lab model). */
  private roleSource: 'masked' | 'causal' = 'masked';

  constructor(private readonly env: LabEnv) {}

  handle(message: ToLab): void {
    switch (message.type) {
      case 'start':
        void this.run('start', () => this.begin(message.start));
        return;
      case 'pause':
        if (this.state === 'running') this.setState('paused');
        return;
      case 'resume':
        if (this.start === null || this.trainer === null || this.state === 'running' || this.state === 'preparing') return;
        // Resuming after the budget ran out: carry on without one.
        if (this.state === 'done') this.start = { ...this.start, budget: null };
        this.setState('running');
        void this.loop();
        return;
      case 'probe':
        if (this.start !== null) this.start = { ...this.start, probe: message.probe };
        void this.run('probe', () => this.snapshot());
        return;
      case 'roles':
        if (message.source !== 'shipped') this.roleSource = message.source;
        void this.run('roles', () => this.roles(message.source));
        return;
      case 'save':
        void this.run('save', () => this.save(message.objective));
        return;
    }
  }

  /** Runs `work` after everything queued before it; a failure is reported, and the run is kept. */
  private run(during: string, work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work).catch((error: unknown) => {
      this.env.post({ type: 'error', during, message: error instanceof Error ? error.message : String(error) });
      if (during === 'start' || (during === 'step' && this.state === 'running')) this.setState(this.trainer === null ? 'done' : 'paused');
    });
    this.queue = next;
    return next;
  }

  private setState(state: LabState): void {
    this.state = state;
    this.env.post({ type: 'state', state, clock: { ...this.clock } });
  }

  private async begin(start: LabStart): Promise<void> {
    if (this.trainer !== null) throw new Error('a run is already under way: reset it first');
    this.start = start;
    this.setState('preparing');
    const { base } = start;
    // One backend for the worker's life (a reset starts a new worker).
    this.backend ??= this.env.initBackend(start.backend);
    const backend = await this.backend;
    const trainVocab = start.text.kind === 'own' ? (start.text.trainVocab ?? null) : null;
    if (trainVocab !== null) checkVocabSize(trainVocab);
    const [shippedVocab, tokenizerConfig, texts] = await Promise.all([
      trainVocab === null ? this.env.fetchText(`${base}weights/bert-mini/vocab.txt`) : null,
      this.env.fetchText(`${base}weights/bert-mini/tokenizer_config.json`).then((s) => JSON.parse(s) as Record<string, unknown>),
      start.text.kind === 'shipped'
        ? Promise.all([this.env.fetchText(`${base}data/pretrain/train.txt`), this.env.fetchText(`${base}data/pretrain/heldout.txt`)]).then(
            ([train, heldOut]) => ({ train, heldOut }),
          )
        : Promise.resolve(holdOut(start.text.text)),
    ]);
    // A vocabulary of the class's own: trained on the training part only (the held-out part stays unseen),
    // split into words exactly as the tokenizer will split them; the models' embeddings follow its size.
    const vocabText =
      shippedVocab ??
      vocabToText(
        trainWordPieceVocab(texts.train, {
          size: trainVocab as number,
          tokenizer: tokenizerOptionsFromConfig(tokenizerConfig),
          onProgress: (pieces, size) => this.env.post({ type: 'vocab', pieces, size }),
        }).tokens,
      );
    const vocab: LabVocab = trainVocab === null ? { kind: 'shipped' } : { kind: 'trained', asked: trainVocab };
    const trainer = Pretrainer.create({
      vocabText,
      tokenizerConfig,
      trainText: texts.train,
      heldOutText: texts.heldOut,
      heldOutWindows: start.heldOutWindows,
    });
    this.trainer = trainer;
    this.env.post({ type: 'ready', settings: trainer.settings, backend, vocabPieces: trainer.tokenizer.vocabSize, vocab });
    await this.checkpointStep();
    this.setState('running');
    void this.loop();
  }

  /** Steps until paused, or the budget is spent. */
  private async loop(): Promise<void> {
    while (this.state === 'running') {
      if (this.budgetSpent()) {
        await this.run('evaluate', () => this.checkpointStep());
        this.setState('done');
        return;
      }
      await this.run('step', () => this.stepOnce());
      // A step can finish in microtasks alone (tfjs-wasm's reads settle at once): yield to the
      // event loop, so a Pause (or any message) gets in between steps.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
  }

  private budgetSpent(): boolean {
    const budget = this.start?.budget ?? null;
    if (budget === null || this.trainer === null) return false;
    return budget.unit === 'steps' ? this.trainer.steps >= budget.value : this.clock.elapsedMs >= budget.value * 1000;
  }

  private async stepOnce(): Promise<void> {
    const trainer = this.trainer;
    if (trainer === null || this.state !== 'running') return;
    const t0 = this.env.now();
    const result = await trainer.step();
    const ms = this.env.now() - t0;
    this.clock = { elapsedMs: this.clock.elapsedMs + ms, trainMs: this.clock.trainMs + ms, tokens: trainer.tokensSeen };
    this.env.post({ type: 'step', result, clock: { ...this.clock } });
    if (trainer.steps % (this.start?.evalEvery ?? 1) === 0) await this.checkpointStep();
  }

  /** Held-out scores, the probe's snapshot and the lab model's head roles, once per step number. */
  private async checkpointStep(): Promise<void> {
    const trainer = this.trainer;
    if (trainer === null || this.lastEvaluated === trainer.steps) return;
    this.lastEvaluated = trainer.steps;
    await this.timed(async () => {
      const evaluation = await trainer.evaluate();
      this.env.post({ type: 'evaluation', evaluation, clock: { ...this.clock }, tensors: this.env.tensors() });
      await this.snapshot();
      await this.roles(this.roleSource);
    });
  }

  /** Counts `work` as elapsed time (not training time). */
  private async timed(work: () => Promise<void>): Promise<void> {
    const t0 = this.env.now();
    try {
      await work();
    } finally {
      this.clock = { ...this.clock, elapsedMs: this.clock.elapsedMs + this.env.now() - t0 };
    }
  }

  private async snapshot(): Promise<void> {
    if (this.trainer === null || this.start === null) return;
    this.env.post({ type: 'snapshot', snapshot: await this.trainer.snapshot(this.start.probe) });
  }

  private async roles(source: RoleSource): Promise<void> {
    let samples: AttentionSample[];
    let step: number | null = null;
    if (source === 'shipped') {
      if (this.start === null) throw new Error('start the lab first');
      const base = this.start.base;
      this.shipped ??= loadModel(this.env.shippedSource(base)).catch((error: unknown) => {
        this.shipped = null; // asked again later, it is tried again
        throw error;
      });
      const bert = await this.shipped;
      samples = [];
      for (const s of ROLE_SENTENCES) samples.push(await encode(bert, s));
    } else {
      const trainer = this.trainer;
      if (trainer === null) throw new Error('start the lab first');
      step = trainer.steps;
      samples = [];
      for (const s of ROLE_SENTENCES) {
        const snap = await trainer.snapshot(s);
        samples.push({ tokens: snap.tokens, attentions: snap[source].attentions });
      }
    }
    this.env.post({ type: 'roles', roles: { source, step, roles: headRoles(samples), sentences: samples.length } });
  }

  private async save(objective: 'masked' | 'causal'): Promise<void> {
    const trainer = this.trainer;
    if (trainer === null) throw new Error('start the lab first');
    const step = trainer.steps;
    const id = `lab/nano-bert${objective === 'causal' ? '-causal' : ''}-${step}`;
    const files = new Map<string, ArrayBuffer>();
    for (const [name, bytes] of trainer.toCheckpoint(objective)) {
      files.set(name, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
    let cacheError: string | null = null;
    try {
      await saveCachedModel(id, `pre-training lab, step ${step}`, files, this.env.caches);
    } catch (error) {
      // Still offered for download: the files are not lost because the cache said no.
      cacheError = error instanceof Error ? error.message : String(error);
    }
    // Copies go to the page (the cache keeps its own): the download buttons need them.
    const list = [...files].map(([name, bytes]): [string, ArrayBuffer] => [name, bytes.slice(0)]);
    this.env.post({ type: 'saved', id, objective, step, files: list, cacheError }, list.map(([, b]) => b));
  }
}

/** A trained vocabulary's size must be a whole number in TRAINED_VOCAB_RANGE. */
function checkVocabSize(size: number): void {
  const { min, max } = TRAINED_VOCAB_RANGE;
  if (!Number.isInteger(size) || size < min || size > max) {
    throw new Error(`a trained vocabulary has ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} pieces (asked: ${size})`);
  }
}
