/**
 * tfjs's `?tfjsflags=NAME:value,NAME:value` debugging switch, for an engine
 * that does not run on the page. tfjs reads it from its own global's URL, and
 * in the engine's worker that URL is the worker script's, without the page's
 * query: the page passes the text along and the worker applies it here,
 * before the backend starts. The values are read as tfjs reads them (true,
 * false or a number); unlike tfjs, a bad entry is refused with a reason
 * instead of stopping the engine. A flag that no loaded module has registered
 * yet — the WebGPU and WebGL backends load only when tried — waits where tfjs
 * keeps its URL flags, and tfjs applies it when the flag is registered.
 */
import * as tf from '@tensorflow/tfjs';

type FlagValue = boolean | number;

export interface AppliedFlags {
  /** Each flag set, with its value. */
  applied: Record<string, FlagValue>;
  /** Flags not registered yet: set if a module registers them later (a backend loaded when tried). */
  pending: Record<string, FlagValue>;
  /** One line per entry that was not applied, saying why. */
  refused: string[];
}

/** Where tfjs keeps the flags it read from its URL (environment.ts), applied by registerFlag. */
interface UrlFlags {
  urlFlags: Record<string, FlagValue>;
  flagRegistry: Record<string, unknown>;
}

/** Longest text taken: the flags tfjs has are a few dozen, each name under 50 characters. */
export const TFJS_FLAGS_MAX = 2_000;

export function applyTfjsFlags(text: string): AppliedFlags {
  const result: AppliedFlags = { applied: {}, pending: {}, refused: [] };
  const env = tf.env() as unknown as UrlFlags;
  if (text.length > TFJS_FLAGS_MAX) {
    result.refused.push(`tfjsflags: ${text.length} characters, more than the ${TFJS_FLAGS_MAX} taken; none applied`);
    return result;
  }
  for (const entry of text.split(',')) {
    if (entry.trim() === '') continue;
    const [name, raw, ...extra] = entry.split(':').map((part) => part.trim());
    const value = raw === undefined || extra.length > 0 ? undefined : parseValue(raw);
    // tfjs's flags are all CAPITALS_AND_DIGITS: anything else (__proto__, constructor…) is not one.
    if (value === undefined || !/^[A-Z][A-Z0-9_]*$/.test(name)) {
      result.refused.push(`tfjsflags: "${entry}" is not NAME:value (a flag name in capitals; true, false or a number)`);
      continue;
    }
    if (env.flagRegistry[name] === undefined) {
      env.urlFlags[name] = value;
      result.pending[name] = value;
      continue;
    }
    try {
      tf.env().set(name, value);
      result.applied[name] = value;
    } catch (error) {
      result.refused.push(`tfjsflags: ${name}: ${error instanceof Error ? error.message : String(error)}`); // a set hook that refused it
    }
  }
  return result;
}

/** tfjs's reading of a URL flag value (tfjs-core environment.ts, parseValue). */
function parseValue(raw: string): boolean | number | undefined {
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === 'false') return lower === 'true';
  return lower !== '' && `${+lower}` === lower ? +lower : undefined;
}
