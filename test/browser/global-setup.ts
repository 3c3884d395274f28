import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Builds web/dist once per run, so the server serves the UI as it is in the tree now. */
export default async function setup(): Promise<void> {
  await build({ root: `${ROOT}web`, configFile: `${ROOT}vite.config.ts`, logLevel: 'warn' });
}
