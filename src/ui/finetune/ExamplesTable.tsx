import { useState } from 'react';
import { parseExamples, type Example } from '../examples';

interface Props {
  labels: string[];
  examples: Example[];
  onChange: (examples: Example[], labels: string[]) => void;
}

/** An editable table of text + label, with add/remove, paste or import of CSV/TSV, and a label editor. */
export function ExamplesTable({ labels, examples, onChange }: Props) {
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
      `${source}: added ${found.length} example${found.length === 1 ? '' : 's'}` +
        (extraLabels.length > 0 ? `, new labels ${extraLabels.join(', ')}` : '') +
        (errors.length > 0 ? `; ${errors.length} line${errors.length === 1 ? '' : 's'} skipped:` : '.'),
      ...errors.map((e) => `line ${e.line}: ${e.message}`),
    ]);
  };
  const counts = labels.map((l) => examples.filter((e) => e.label === l).length);

  return (
    <div className="examples">
      <p className="hint">
        {examples.length} examples ({labels.map((l, i) => `${counts[i]} ${l}`).join(', ')}). Edit any row; labels are yours to
        choose.
      </p>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Text</th>
              <th scope="col">Label</th>
              <th scope="col">
                <span className="sr-only">Remove</span>
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
                    aria-label={`Text of example ${i + 1}`}
                    onChange={(ev) => update(i, { text: ev.target.value })}
                  />
                </td>
                <td>
                  <select value={e.label} aria-label={`Label of example ${i + 1}`} onChange={(ev) => update(i, { label: ev.target.value })}>
                    {labels.map((l) => (
                      <option key={l}>{l}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove example ${i + 1}`}
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
          Add example
        </button>
        <label>
          New label{' '}
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
          Add label
        </button>
        <label className="file-button">
          Import CSV/TSV…
          <input
            type="file"
            accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain"
            onChange={async (e) => {
              const file = e.target.files?.[0];
              if (file) importText(await file.text(), file.name);
              e.target.value = '';
            }}
          />
        </label>
      </div>
      <details>
        <summary>Paste rows (label, text — comma- or tab-separated)</summary>
        <textarea
          rows={4}
          aria-label="Pasted examples"
          value={pasted}
          onChange={(e) => setPasted(e.target.value)}
          placeholder={'positive\tWhat a lovely day\nnegative\tThe bus was late again'}
        />
        <button
          type="button"
          disabled={pasted.trim() === ''}
          onClick={() => {
            importText(pasted, 'pasted text');
            setPasted('');
          }}
        >
          Add pasted rows
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
