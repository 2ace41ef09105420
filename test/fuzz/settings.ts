/**
 * How many cases each fuzz property runs, and with which seed.
 *
 * In the unit suite (`npm run test:unit`) every property runs a small, fixed
 * number of cases from a fixed seed, so CI is fast and a failure reproduces
 * exactly. `npm run fuzz` (`vitest run test/fuzz --mode fuzz`) runs the same
 * properties at 100,000 cases each; FUZZ_RUNS and FUZZ_SEED override both
 * (e.g. to replay the seed a failure printed). `--mode` rather than an
 * environment variable on the command line, so the script also runs in
 * Windows' shell.
 */
import type { Parameters as FcParameters } from 'fast-check';

const FULL_RUNS = 100_000;
/** Issue 19: the seed is fixed so that a red CI run is the same run on every machine. */
const CI_SEED = 19;

/** `npm run fuzz`: 100,000 cases each, no time limit, and the longer reports. */
export const fuzzLong = import.meta.env.MODE === 'fuzz';
/** A whole number from the environment, or null when unset or not one. */
function envInteger(name: string): number | null {
  const text = process.env[name];
  return text !== undefined && /^-?\d+$/.test(text.trim()) ? Number(text) : null;
}
const runsOverride = envInteger('FUZZ_RUNS');
export const fuzzSeed = envInteger('FUZZ_SEED') ?? CI_SEED;

/** Cases for one property: `ci` in the unit suite, 100,000 under `npm run fuzz`. */
export function fuzzRuns(ci: number): number {
  if (runsOverride !== null && runsOverride > 0) return runsOverride;
  return fuzzLong ? FULL_RUNS : ci;
}

/** fast-check's parameters for a property of `ci` CI cases. */
export function fuzzParameters<T>(ci: number): FcParameters<T> {
  return { numRuns: fuzzRuns(ci), seed: fuzzSeed, endOnFailure: false };
}

/** Long runs have no per-test time limit; CI keeps Vitest's. */
export const fuzzTimeout = fuzzLong || runsOverride !== null ? 0 : undefined;

/** One line per property, so `npm run fuzz` (and CI logs) show what ran. */
export function reportRun(name: string, runs: number, startedAt: number, extra = ''): void {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`fuzz ${name}: ${runs.toLocaleString('en')} cases, seed ${fuzzSeed}, ${seconds} s${extra ? ` — ${extra}` : ''}`);
}
