/**
 * What trainHead (train.ts) uses for each option left out. Apart from train.ts,
 * which loads tfjs, so the page's thread can start its settings from these
 * (src/engine/pure.ts); the type import below vanishes from the bundle.
 */
import type { TrainOptions } from './train';

export type TrainSettings = Required<Omit<TrainOptions, 'labels' | 'signal' | 'onEpoch' | 'onProgress'>>;

/** What trainHead uses for each option left out (the page starts its settings from these too). */
export const TRAINING_DEFAULTS: Readonly<TrainSettings> = {
  pooling: 'mean',
  hiddenUnits: 0,
  epochs: 30,
  batchSize: 16,
  learningRate: 1e-2,
  encoderLearningRate: 3e-4,
  validationFraction: 0.2,
  seed: 0,
  unfreezeLayers: 0,
};
