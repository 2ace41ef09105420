/**
 * The engine writes its errors in English (they also reach the command line).
 * The few a class meets often are said here in the page's language, matched on
 * how the engine's message starts; any other message is shown as the engine wrote it.
 */
import type { Translate } from '../i18n';

/** zeroShotPrompt: `no words are known for the labels "a", "b": give a verbalizer …`. */
const NO_KNOWN_WORDS = /^no words are known for the labels (.+?): /;
/** trainPrompt: `verbalizer search found no words for some label: …`. */
const SEARCH_FOUND_NONE = /^verbalizer search found no words/;

export function engineMessage(t: Translate, message: string): string {
  const noWords = NO_KNOWN_WORDS.exec(message);
  if (noWords !== null) return t('fs.err.noKnownWords', { labels: noWords[1] });
  if (SEARCH_FOUND_NONE.test(message)) return t('fs.err.searchNone');
  return message;
}
