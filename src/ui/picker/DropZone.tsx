import { useEffect, useState, type ChangeEvent } from 'react';
import { useT } from '../i18n';

/** Files of a dropped folder (or dropped files), flattened to their names. */
async function droppedFiles(data: DataTransfer): Promise<{ files: File[]; folder: string | null }> {
  const entries = [...data.items]
    .map((item) => (typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  if (entries.length === 0) return { files: [...data.files], folder: null };
  const files: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      files.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const entry of entries) await walk(entry);
  const folder = entries.length === 1 && entries[0].isDirectory ? entries[0].name : null;
  return { files, folder };
}

export type OnFiles = (files: File[], folder: string | null) => Promise<unknown>;

/**
 * A model folder (or its files) dragged anywhere onto the page. While
 * `enabled`, listens on the window; returns whether files are being dragged
 * over it (the picker lights up). `onError` hears of a drop that could not be read.
 */
export function usePageDrop(enabled: boolean, onFiles: OnFiles, onError: (error: unknown) => void): boolean {
  const t = useT();
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const hasFiles = (e: DragEvent) => e.dataTransfer !== null && [...e.dataTransfer.types].includes('Files');
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      setDragging(true);
    };
    const leave = (e: DragEvent) => {
      if (e.relatedTarget === null) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e) || e.dataTransfer === null) return;
      e.preventDefault();
      setDragging(false);
      const data = e.dataTransfer;
      void droppedFiles(data)
        .then(({ files, folder }) => onFiles(files, folder ?? t('mp.droppedFiles')))
        .catch(onError);
    };
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [enabled, onFiles, onError, t]);
  return dragging;
}

/** A local model: its folder or its files, chosen with the browser's file picker (or dropped: see usePageDrop). */
export function DropZone({ disabled, onFiles }: { disabled: boolean; onFiles: OnFiles }) {
  const t = useT();
  const chosen = (e: ChangeEvent<HTMLInputElement>) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = ''; // choosing the same files again should load them again
    void onFiles(files, null);
  };
  return (
    <div className="model-local">
      <label>
        {t('mp.folder')} <input type="file" {...{ webkitdirectory: '' }} multiple disabled={disabled} onChange={chosen} />
      </label>{' '}
      <label>
        {t('mp.files')} <input type="file" multiple disabled={disabled} onChange={chosen} />
      </label>
      <span className="model-hint"> {t('mp.drop')}</span>
    </div>
  );
}
