/**
 * A site model as a directory, like models/local/: `model.json` (the
 * manifest) and `head.bin` (the head's bytes, head-format.ts), with the
 * bytes' SHA-256 in the manifest. `npx triage model export` writes one and
 * `npx triage model import` reads one, so a network of sites can share a
 * model and a reinstall can keep it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { ValidationError } from '../errors.ts';
import { SiteModelReportSchema, type SiteModelReport } from './schemas.ts';
import { decodeHead, headChecksum } from './head-format.ts';
import { SITE_LABEL } from './site-scores.ts';

export const SITE_MODEL_FORMAT = 1;
const HEAD_FILE = 'head.bin';

export interface SiteModelManifest {
  format: number;
  /** Its name where it was made (`triage-site@3`); an import gets the next free name here. */
  model: string;
  /** The label its head's probability gives. */
  label: string;
  base: { model: string; sha256: string };
  head: { file: string; sha256: string; denseDim: number; ngrams: number };
  decisions: number;
  createdAt: string;
  /** The comparison on the held-out decisions where it was trained. */
  report: SiteModelReport;
}

export interface SiteModelDir {
  manifest: SiteModelManifest;
  head: Uint8Array;
}

export function writeModelDir(dir: string, model: SiteModelDir): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, HEAD_FILE), model.head);
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model.manifest, null, 2) + '\n');
}

/** Reads and checks a site model directory: every fault names the file and the field. */
export function readModelDir(dir: string): SiteModelDir {
  const path = join(dir, 'model.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(`cannot read the site model manifest ${path}: ${(err as Error).message}`);
  }
  const fail = (field: string, why: string): never => {
    throw new ValidationError(`${path}: ${field} ${why}`, { field });
  };
  const m = raw as SiteModelManifest;
  if (typeof m !== 'object' || m === null) fail('(root)', 'must be an object');
  if (m.format !== SITE_MODEL_FORMAT) fail('format', `must be ${SITE_MODEL_FORMAT} (this Triage reads site model format ${SITE_MODEL_FORMAT})`);
  if (typeof m.model !== 'string' || m.model === '') fail('model', 'must be a non-empty string');
  if (m.label !== SITE_LABEL) fail('label', `must be "${SITE_LABEL}"`);
  if (typeof m.base?.model !== 'string' || !/^[0-9a-f]{64}$/.test(m.base?.sha256 ?? '')) fail('base', 'needs model and the 64-hex-digit sha256 of its weights');
  const h = m.head;
  if (h?.file !== HEAD_FILE) fail('head.file', `must be "${HEAD_FILE}"`);
  if (!/^[0-9a-f]{64}$/.test(h.sha256 ?? '')) fail('head.sha256', 'must be 64 lowercase hex digits');
  if (!Number.isInteger(h.denseDim) || h.denseDim <= 0) fail('head.denseDim', 'must be a positive integer');
  if (!Number.isInteger(h.ngrams) || h.ngrams < 0) fail('head.ngrams', 'must be a whole number');
  if (!Number.isInteger(m.decisions) || m.decisions < 0) fail('decisions', 'must be a whole number');
  if (!Value.Check(SiteModelReportSchema, m.report)) {
    const first = [...Value.Errors(SiteModelReportSchema, m.report)][0];
    fail(`report${first?.instancePath ?? ''}`, first?.message ?? 'must be the report npx triage model export writes');
  }
  let head: Uint8Array;
  try {
    head = readFileSync(join(dir, HEAD_FILE));
  } catch (err) {
    throw new ValidationError(`cannot read the site model head ${join(dir, HEAD_FILE)}: ${(err as Error).message}`);
  }
  const actual = headChecksum(head);
  if (actual !== h.sha256) fail('head.sha256', `is ${h.sha256}, but ${join(dir, HEAD_FILE)} has SHA-256 ${actual}: the file is corrupt or from another model`);
  try {
    decodeHead(head, h);
  } catch (err) {
    fail('head', (err as Error).message);
  }
  return { manifest: m, head };
}
