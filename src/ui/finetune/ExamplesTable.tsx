import { useState } from 'react';
import { parseExamples, type Example } from '../examples';
import { useT } from '../i18n';
import { TextFileButton } from '../TextFileButton';

interface Props {
  labels: string[];
  examples: Example[];
  onChange: (examples: Example[], labels: string[]) => void;
}

/** An editable table of text + label, with add/remove, paste or import of CSV/TSV, and a label editor. */
export function ExamplesTable({ labels, examples, onChange }: Props) {
  const t = useT();
  const [pasted, setPasted] = useState('');
  const [report, setReport] = useState<string[]>([]);
  const [newLabel, setNewLabel] = useState('');

  const update = (i: number, patch: Partial<Example>) =>
    onChange(
      examples.map((e, j) => (j === i ? { ...e, ...patch } : e)),
      labels,
    );
  const importText = (text: string, source: string) => {
    const { examples: found, errors } = parseExamples(text);
    const extraLabels = [...new Set(found.map((e) => e.label))].filter((l) => !labels.includes(l));
    onChange([...examples, ...found], [...labels, ...extraLabels]);
    setReport([
      t(found.length === 1 ? 'ex.added.one' : 'ex.added', { source, count: found.length }) +
        (extraLabels.length > 0 ? t('ex.newLabels', { labels: extraLabels.join(', ') }) : '') +
        (errors.length > 0 ? t(errors.length === 1 ? 'ex.skipped.one' : 'ex.skipped', { count: errors.length }) : '.'),
      ...errors.map((e) => t('ex.line', { line: e.line, message: t(`ex.problem.${e.problem}`) })),
    ]);
  };
  const counts = labels.map((l) => examples.filter((e) => e.label === l).length);

  return (
    <div className="examples">
      <p className="hint">
        {t('ex.count', { count: examples.length, perLabel: labels.map((l, i) => `${counts[i]} ${l}`).join(', ') })}
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">{t('ex.text')}</th>
              <th scope="col">{t('ex.label')}</th>
              <th scope="col">
                <span className="sr-only">{t('ex.remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {examples.map((e, i) => (
              <tr key={i}>
                <td>{i + 1}</td>
                <td>
                  <input
                    type="text"
                    value={e.text}
                    aria-label={t('ex.textOf', { n: i + 1 })}
                    onChange={(ev) => update(i, { text: ev.target.value })}
                  />
                </td>
                <td>
                  <select value={e.label} aria-label={t('ex.labelOf', { n: i + 1 })} onChange={(ev) => update(i, { label: ev.target.value })}>
                    {labels.map((l) => (
                      <option key={l}>{l}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={t('ex.removeN', { n: i + 1 })}
                    onClick={() =>
                      onChange(
                        examples.filter((_, j) => j !== i),
                        labels,
                      )
                    }
                  >
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="examples-actions">
        <button type="button" onClick={() => onChange([...examples, { text: '', label: labels[0] }], labels)}>
          {t('ex.add')}
        </button>
        <label>
          {t('ex.newLabel')}{' '}
          <input type="text" value={newLabel} onChange={(e) => setNewLabel(e.target.value)} size={12} />
        </label>
        <button
          type="button"
          disabled={newLabel.trim() === '' || labels.includes(newLabel.trim())}
          onClick={() => {
            onChange(examples, [...labels, newLabel.trim()]);
            setNewLabel('');
          }}
        >
          {t('ex.addLabel')}
        </button>
        <TextFileButton label={t('ex.import')} accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain" onText={importText} />
      </div>
      <details>
        <summary>{t('ex.paste')}</summary>
        <textarea
          rows={4}
          aria-label={t('ex.pasted')}
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
          placeholder={'positive\tWhat a lovely day\nnegative\tThe bus was late again'}
        />
        <button
          type="button"
          disabled={pasted.trim() === ''}
          onClick={() => {
            importText(pasted, t('ex.pastedSource'));
            setPasted('');
          }}
        >
          {t('ex.addPasted')}
        </button>
      </details>
      {report.length > 0 && (
        <div className="notice" role="status" data-testid="import-report">
          {report.map((line, i) => (
            <div key={i}>{line}</div>
          ))}
        </div>
      )}
    </div>
  );
}
