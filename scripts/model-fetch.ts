import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULT_TOXICITY_DIR, missingToxicityFiles, TOXICITY_FILES } from '../server/scoring/toxicity-model.ts';

// `npm run model:fetch`: downloads Google's toxicity model into
// models/toxicity/. The only code in Triage that touches the network; scoring
// never downloads anything.

/** Where @tensorflow-models/toxicity loads the model (loadGraphModel with fromTFHub). */
const TFHUB_MODEL = 'https://tfhub.dev/tensorflow/tfjs-model/toxicity/1/default/1';
/** What fromTFHub appends to each file (tfjs-converter's TFHUB_SEARCH_PARAM). */
const TFHUB_QUERY = '?tfjs-format=file';
/** Where @tensorflow-models/universal-sentence-encoder loads its tokenizer's vocabulary. */
const VOCAB_URL = 'https://storage.googleapis.com/tfjs-models/savedmodel/universal_sentence_encoder/vocab.json';

function fileUrl(file: (typeof TOXICITY_FILES)[number]): string {
  return file === 'vocab.json' ? VOCAB_URL : `${TFHUB_MODEL}/${file}${TFHUB_QUERY}`;
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
}

async function download(url: string, timeoutMs: number): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (error) {
    throw new Error(`cannot reach ${new URL(url).host} (${describeFailure(error)})`, { cause: error });
  }
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new Error(`download of ${url} failed (${describeFailure(error)})`, { cause: error });
  }
}

/** The manifest must list exactly the seven shards we fetch, or the folder would load wrong. */
function checkModelJson(bytes: Buffer): void {
  const json = JSON.parse(bytes.toString('utf8')) as { weightsManifest?: { paths: string[] }[] };
  const paths = json.weightsManifest?.flatMap((group) => group.paths) ?? [];
  const expected = TOXICITY_FILES.filter((file) => file.startsWith('group1-'));
  if (paths.join() !== expected.join()) {
    throw new Error(`model.json lists shards ${paths.join(', ') || '(none)'}; expected ${expected.join(', ')}`);
  }
}

/**
 * Downloads all nine files into a temporary folder beside `dir` and moves them
 * in only when every one arrived, so a failed run never leaves a folder that
 * looks complete.
 */
async function fetchToxicityModel(dir: string, timeoutMs: number, log: (line: string) => void): Promise<void> {
  await mkdir(dir, { recursive: true });
  const staging = await mkdtemp(path.join(dir, '.fetch-'));
  try {
    for (const file of TOXICITY_FILES) {
      const url = fileUrl(file);
      log(`fetching ${file} from ${url}`);
      const bytes = await download(url, timeoutMs);
      if (file === 'model.json') checkModelJson(bytes);
      await writeFile(path.join(staging, file), bytes);
    }
    for (const file of TOXICITY_FILES) await rename(path.join(staging, file), path.join(dir, file));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return n;
}

const program = new Command('model:fetch')
  .description("Download Google's toxicity model (TF Hub tensorflow/tfjs-model/toxicity/1) and its tokenizer vocabulary")
  .option('--dir <path>', 'destination folder', DEFAULT_TOXICITY_DIR)
  .option('--timeout <seconds>', 'give up on a file after this many seconds', parsePositiveInt, 60)
  .action(async (options: { dir: string; timeout: number }) => {
    const dir = path.resolve(options.dir);
    if (missingToxicityFiles(dir).length === 0) {
      console.log(`${dir} already holds the complete model; nothing to do.`);
      return;
    }
    try {
      await fetchToxicityModel(dir, options.timeout * 1000, (line) => console.log(line));
    } catch (error) {
      console.error(
        `model:fetch failed: ${error instanceof Error ? error.message : String(error)}.\n` +
          `It needs the internet (tfhub.dev and storage.googleapis.com). Without it, copy ${TOXICITY_FILES.join(', ')} ` +
          `into ${dir} from a machine that has them. Nothing was written there.\n` +
          'Triage still scores with its own model (--model local) meanwhile.',
      );
      process.exitCode = 1;
      return;
    }
    console.log(`Google's toxicity model is in ${dir}; use it with --model toxicity or --model auto.`);
  });

await program.parseAsync(process.argv);
