// A worker thread starts as plain Node, without the tsx loader of the thread
// that spawned it (see scoring/worker-entry.mjs): register it, then run the TS.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker-main.ts');
