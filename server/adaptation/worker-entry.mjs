// A worker thread starts as plain Node, without the tsx loader of the thread
// that spawned it (under vitest, neither has one). Registering tsx here lets
// the trainer stay TypeScript, as scoring/worker-entry.mjs does for the scorer.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
