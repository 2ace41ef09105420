import { useT } from './i18n';
import { clearStorageProblems, useStorageProblems } from './storedValue';

/**
 * Saved values the page could not read back (storedValue.ts): which ones, why,
 * and where the old text was kept — the page runs on its defaults meanwhile.
 */
export function StorageNotice() {
  const t = useT();
  const problems = useStorageProblems();
  if (problems.length === 0) return null;
  return (
    <div className="notice" role="status" data-testid="storage-notice">
      <p>{t('fault.storage')}</p>
      <ul>
        {problems.map((p) => (
          <li key={p.key}>
            <code>{p.key}</code>: {p.why}.{' '}
            {p.keptAs !== null ? t('fault.storageKept', { key: p.keptAs }) : t('fault.storageNotKept')}
          </li>
        ))}
      </ul>
      <button type="button" onClick={clearStorageProblems}>
        {t('fault.dismiss')}
      </button>
    </div>
  );
}

/**
 * What of the sentence was not used: characters of a paste beyond what the box
 * keeps, and text beyond the tokens the model reads (its position table).
 */
export function CutNotice({ pasteDropped, box, read }: {
  /** Characters of the last paste left out of the box; 0 for none. */
  pasteDropped: number;
  /** Characters the box keeps. */
  box: number;
  /** The model's reading of the sentence, when it was cut: tokens read, the characters they cover, the rest. */
  read: { tokens: number; chars: number; rest: number } | null;
}) {
  const t = useT();
  if (pasteDropped === 0 && read === null) return null;
  const n = (x: number) => x.toLocaleString('en-US');
  return (
    <div className="notice" role="status" data-testid="cut-notice">
      {pasteDropped > 0 && <p>{t('fault.pasteCut', { box: n(box), dropped: n(pasteDropped) })}</p>}
      {read !== null && (
        <p>{t('fault.tokensCut', { tokens: n(read.tokens), chars: n(read.chars), rest: n(read.rest) })}</p>
      )}
    </div>
  );
}

/**
 * What the page's link could not carry: parameters of the opening link that
 * were malformed or too long (they kept their defaults), and a sentence too
 * long for a shareable link (the link holds its start).
 */
export function LinkNotice({ ignored, onDismiss, linkChars }: {
  /** Names of the opening link's parameters that were ignored. */
  ignored: string[];
  onDismiss: () => void;
  /** Characters of the sentence the link holds, when it holds only the start; else null. */
  linkChars: number | null;
}) {
  const t = useT();
  if (ignored.length === 0 && linkChars === null) return null;
  return (
    <div className="notice" role="status" data-testid="link-notice">
      {ignored.length > 0 && (
        <p>
          {t('sec.linkIgnored', { names: ignored.join(', ') })}{' '}
          <button type="button" onClick={onDismiss}>
            {t('fault.dismiss')}
          </button>
        </p>
      )}
      {linkChars !== null && <p>{t('sec.linkCut', { chars: linkChars.toLocaleString('en-US') })}</p>}
    </div>
  );
}
