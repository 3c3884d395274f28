import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABELS } from '../../server/scoring/labels.ts';
import { runTriage } from '../helpers/cli.ts';
import { assembleStandinToxicityDir, hasSharedToxicity, SKIP_NO_SHARED } from './toxicity-standin.ts';

/** Runs `npx triage score …` with `stdin` piped in. */
const triageScore = (args: string[], stdin = '') => runTriage(['score', ...args], stdin);

function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const INPUT = [
  '{"id": 1, "text": "thanks for the thoughtful reply"}',
  '{"id": "two", "text": ""}',
  '',
  '{"id": 3, "text": "日本語 and emoji 🎉"}',
  '{"id": 4, "text": "broken', // line 5: malformed JSON
  '{"id": 5}', // line 6: no text
  '[1, 2]', // line 7: not an object
  '{"id": 6, "text": "last one"}\r', // CRLF input
].join('\n');

function expectScoredLine(line: Record<string, unknown>, id: unknown, model: RegExp): void {
  expect(line.id).toBe(id);
  expect(line.model).toMatch(model);
  const scores = line.scores as Record<string, number | null>;
  expect(Object.keys(scores).sort()).toEqual([...LABELS].sort());
  for (const p of Object.values(scores)) if (p !== null) expect(p >= 0 && p <= 1).toBe(true);
}

describe('triage score with our model', () => {
  it('writes one line per input line in order, with error lines naming their line numbers', async () => {
    const run = await triageScore(['--batch', '2'], INPUT + '\n');
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(7);
    expectScoredLine(lines[0]!, 1, /@/);
    expectScoredLine(lines[1]!, 'two', /@/);
    expectScoredLine(lines[2]!, 3, /@/);
    expect(lines[3]).toEqual({ line: 5, error: expect.stringMatching(/not valid JSON/) });
    expect(lines[4]).toEqual({ line: 6, error: '"text" must be a string' });
    expect(lines[5]).toEqual({ line: 7, error: expect.stringMatching(/JSON object/) });
    expectScoredLine(lines[6]!, 6, /@/);
    // Bad lines make the exit status say so; the log never repeats comment text.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/4 scored, 3 bad lines/);
    expect(run.stderr).not.toMatch(/thoughtful/);
  });

  it('streams thousands of lines in order across many batches', async () => {
    const n = 3_000;
    const input = Array.from({ length: n }, (_, i) => JSON.stringify({ id: i, text: `comment number ${i}` })).join('\n');
    const run = await triageScore(['--batch', '256'], input);
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines.map((l) => l.id)).toEqual(Array.from({ length: n }, (_, i) => i));
  });

  it('prints the scores of one --text', async () => {
    const run = await triageScore(['--text', 'some comment']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expectScoredLine({ id: undefined, ...result }, undefined, /@/);
  });

  it('answers empty input with no output', async () => {
    const run = await triageScore([], '');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
  });
});

describe('triage score errors', () => {
  it("names the missing files and model:fetch when Google's model is absent", async () => {
    const run = await triageScore(['--model', 'toxicity', '--toxicity-dir', '/nonexistent/toxicity', '--text', 'x']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/missing model\.json, group1-shard1of7.*npm run model:fetch/);
  });

  it('rejects an unknown model and a bad batch size', async () => {
    expect((await triageScore(['--model', 'gpt'])).stderr).toMatch(/--model.*local, toxicity, auto/s);
    expect((await triageScore(['--batch', '0'])).stderr).toMatch(/--batch.*1 to 4096/);
  });
});

describe.skipIf(!hasSharedToxicity)(`triage score --model toxicity with STAND-IN shards (outputs meaningless)${hasSharedToxicity ? '' : ` (${SKIP_NO_SHARED})`}`, () => {
  let folder: ReturnType<typeof assembleStandinToxicityDir>;
  beforeAll(() => {
    folder = assembleStandinToxicityDir();
  });
  afterAll(() => folder?.remove());

  it('runs Google\'s model through the same stream', async () => {
    const run = await triageScore(['--model', 'toxicity', '--toxicity-dir', folder.dir, '--batch', '3'], INPUT);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(7);
    expectScoredLine(lines[0]!, 1, /^google-toxicity@1$/);
    expect(lines[3]).toMatchObject({ line: 5 });
    expectScoredLine(lines[6]!, 6, /^google-toxicity@1$/);
  });
});
