import type { SiteModelFiles } from '../adaptation/site-scorer.ts';
import type { BackendName } from './backend.ts';
import type { ScoredText } from './types.ts';

/** Which model a scoring worker loads; `auto` is resolved before the worker starts. */
export interface WorkerModelOptions {
  model: 'local' | 'toxicity';
  toxicityDir?: string;
  localDir?: string;
  /** A site model over the local model (issue 11): its head scores `toxicity`, the local model the rest. */
  site?: SiteModelFiles;
}

/** An error as it crosses the thread boundary (Error objects lose their class). */
export interface WireError {
  name: string;
  message: string;
}

export type ToWorker = { type: 'score'; id: number; texts: string[] };

export type FromWorker =
  | { type: 'ready'; model: string; backend: BackendName }
  | { type: 'failed'; error: WireError }
  | { type: 'log'; level: 'info' | 'warn'; details: Record<string, unknown>; message: string }
  | { type: 'scored'; id: number; results: ScoredText[] }
  | { type: 'error'; id: number; error: WireError };

export function toWireError(error: unknown): WireError {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}

export function fromWireError(wire: WireError): Error {
  const error = new Error(wire.message);
  error.name = wire.name;
  return error;
}
