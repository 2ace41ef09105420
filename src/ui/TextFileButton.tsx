/**
 * A button that opens a text file and hands over its name and contents. The
 * input is reset afterwards so picking the same file again still reports it.
 */
export function TextFileButton({ label, accept, onText }: { label: string; accept: string; onText: (text: string, name: string) => void }) {
  return (
    <label className="file-button">
      {label}
      <input
        type="file"
        accept={accept}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) onText(await file.text(), file.name);
        }}
      />
    </label>
  );
}
