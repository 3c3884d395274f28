import * as tf from '@tensorflow/tfjs-core';

/** The TensorFlow.js backends Triage can score on, fastest first. */
export const BACKENDS = ['node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/**
 * What scoring logs through. Fastify's (pino) logger fits it as is; the CLI
 * passes one that writes to stderr so stdout stays pure JSON lines.
 */
export interface ScoringLogger {
  info(details: Record<string, unknown>, message: string): void;
  warn(details: Record<string, unknown>, message: string): void;
}

/** Discards everything: for callers that do not want scoring to log. */
export const silentLogger: ScoringLogger = { info() {}, warn() {} };

function isBackendName(value: string): value is BackendName {
  return (BACKENDS as readonly string[]).includes(value);
}

/** Reads `TRIAGE_TF_BACKEND`, which forces a backend for tests and benchmarks. */
export function forcedBackend(env: NodeJS.ProcessEnv = process.env): BackendName | undefined {
  const raw = env.TRIAGE_TF_BACKEND?.trim();
  if (!raw) return undefined;
  if (!isBackendName(raw)) {
    throw new Error(`TRIAGE_TF_BACKEND must be one of ${BACKENDS.join(', ')}; got "${raw}"`);
  }
  return raw;
}

/**
 * Registers a backend with tfjs-core. Each is a dynamic import so a missing
 * optional package is a fallback, not a crash at module load.
 */
async function register(name: BackendName): Promise<void> {
  switch (name) {
    case 'node': {
      // An optionalDependency whose native install needs the internet: usually
      // absent. A variable specifier keeps tsc from demanding its types.
      const specifier = '@tensorflow/tfjs-node';
      await import(specifier);
      return;
    }
    case 'wasm':
      // The Node build finds its .wasm files beside itself (emscripten uses
      // __dirname), so it works from any cwd and inside a worker thread
      // without setWasmPaths.
      await import('@tensorflow/tfjs-backend-wasm');
      return;
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      return;
  }
}

let chosen: Promise<BackendName> | undefined;

/**
 * Picks the fastest available backend once per thread (tfjs-node, else wasm,
 * else cpu), or the one `TRIAGE_TF_BACKEND` forces, and logs the choice.
 * A forced backend that cannot start is an error rather than a silent
 * fallback, so a benchmark never measures the wrong thing.
 */
export function initBackend(logger: ScoringLogger = silentLogger): Promise<BackendName> {
  chosen ??= choose(logger).catch((error: unknown) => {
    chosen = undefined;
    throw error;
  });
  return chosen;
}

async function choose(logger: ScoringLogger): Promise<BackendName> {
  const forced = forcedBackend();
  const candidates: readonly BackendName[] = forced ? [forced] : BACKENDS;
  const failures: string[] = [];
  for (const name of candidates) {
    try {
      await register(name);
      if (await tf.setBackend(name)) {
        await tf.ready();
        logger.info({ backend: name, forced: forced !== undefined, skipped: failures }, `TensorFlow.js backend: ${name}`);
        return name;
      }
      failures.push(`${name}: setBackend refused it`);
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  throw new Error(`No TensorFlow.js backend could start (${failures.join('; ')})`);
}
