/**
 * The engine's worker: tfjs, every model and every run live here, so the
 * page's own thread only draws (issue 18). Started by client.ts from the page
 * (src/ui/engine.ts); the CLI and Node tests call the engine directly.
 */
import { serve } from './host';
import { describeError, onBackendEvent, ops, registry } from './ops';
import type { Endpoint } from './protocol';

const scope = self as unknown as Endpoint;
serve(scope, ops, registry, { describeError });
onBackendEvent((event) => scope.postMessage({ type: 'event', event }));
