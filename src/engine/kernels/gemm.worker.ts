/**
 * A gemm helper thread (gemmPool.ts starts N − 1 of them for N threads): it
 * loads only gemmThread.ts, no tfjs, and from its first message on runs
 * products on the shared memory until the pool ends it.
 */
import { type HelperStart, serveHelper } from './gemmThread';

const scope = self as unknown as { onmessage: ((event: MessageEvent<HelperStart>) => void) | null };
scope.onmessage = (event) => {
  scope.onmessage = null;
  serveHelper(event.data);
};
