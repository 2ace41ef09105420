/**
 * The models the playground suggests: one Korean BERT, one multilingual, and a
 * small English one to compare with the shipped BERT-mini. This file is the
 * whole list — the model picker shows it, and the [UNK] notice offers the
 * entries whose vocabulary has pieces for the script a sentence lost.
 *
 * Checked on the Hugging Face hub (files of `main`): each has `model.safetensors`
 * (what the loader reads), `config.json` and `vocab.txt`; the sizes are those
 * the hub lists for `model.safetensors`. The picker still reads the real size
 * (HEAD requests) before anything is downloaded, and a checkpoint that has only
 * `pytorch_model.bin` is refused with that reason before any download (engine/checkpoint/hub.ts).
 */
import type { Script } from '../engine';
import type { MessageKey } from './i18n';

export interface SuggestedModel {
  /** Hugging Face id. */
  id: string;
  /** What it was trained to read. */
  language: 'ko' | 'en' | 'multilingual';
  /** Writing systems its vocabulary has pieces for: it is offered when a sentence loses one of these to [UNK]. */
  scripts: readonly Script[];
  /** 'small': BERT-mini's shape (4 layers, 256 wide); 'base': BERT-base (12 layers, 768 wide). */
  sizeClass: 'small' | 'base';
  /** model.safetensors as listed on the hub, bytes; the picker reads the exact size before downloading. */
  approxBytes: number;
  /** SPDX identifier, from the model card. */
  licence: string;
  /** One line on what it is and why it is here, in the UI's languages. */
  note: MessageKey;
}

/** The translated name of each model's language, for the picker and the [UNK] notice. */
export const LANGUAGE_NAME = { ko: 'sm.lang.ko', en: 'sm.lang.en', multilingual: 'sm.lang.multilingual' } as const satisfies Record<SuggestedModel['language'], MessageKey>;

export const SUGGESTED_MODELS: readonly SuggestedModel[] = [
  {
    // KLUE's BERT (Park et al. 2021): a 32k WordPiece vocabulary built for Korean, cased
    // (do_lower_case false), so Hangul syllables stay whole rather than being cut into jamo.
    id: 'klue/bert-base',
    language: 'ko',
    scripts: ['hangul', 'latin'],
    sizeClass: 'base',
    approxBytes: 445_000_000,
    licence: 'CC-BY-SA-4.0',
    note: 'sm.note.klue',
  },
  {
    // Wikipedia in 104 languages, one 119k vocabulary. The cased model, on purpose: the uncased
    // one lower-cases with accent stripping (NFD), which also cuts every Hangul syllable into jamo.
    id: 'google-bert/bert-base-multilingual-cased',
    language: 'multilingual',
    scripts: ['latin', 'hangul', 'han', 'kana', 'cyrillic', 'greek', 'arabic', 'hebrew', 'devanagari'],
    sizeClass: 'base',
    approxBytes: 714_000_000,
    licence: 'Apache-2.0',
    note: 'sm.note.mbert',
  },
  {
    // Google's BERT-mini (Turc et al. 2019, "Well-Read Students Learn Better") with its masked-LM
    // head, converted to safetensors: the shipped BERT-mini's shape, trained on far more English.
    // (google/bert_uncased_L-4_H-256_A-4 itself has only pytorch_model.bin on main.)
    id: 'gaunernst/bert-mini-uncased',
    language: 'en',
    scripts: ['latin'],
    sizeClass: 'small',
    approxBytes: 45_100_000,
    licence: 'Apache-2.0',
    note: 'sm.note.mini',
  },
];

/** The suggestions that can read `script`, leaving out the model already in use. */
export function modelsFor(script: Script, currentId: string | null): SuggestedModel[] {
  return SUGGESTED_MODELS.filter((m) => m.scripts.includes(script) && m.id !== currentId);
}
