/**
 * Runs `read`; an error it throws comes back prefixed by the file it was
 * reading ("…/vocab.txt: vocabulary lacks [UNK]") — a message without the file
 * leaves the user guessing which of a checkpoint's files is broken.
 */
export function inFile<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
