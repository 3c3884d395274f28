// A worker thread starts as plain Node, without the tsx loader of the thread
// that spawned it (under vitest, neither has one). Registering tsx here lets
// the worker's real code stay TypeScript in production, under tsx and in tests.
import { register } from 'tsx/esm/api';

register();
await import('./worker-main.ts');
