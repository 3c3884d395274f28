import { BadImport } from '../../server/errors.ts';

/** The BadImport that `run` throws; fails the test when it throws nothing or anything else. */
export function badImportOf(run: () => unknown): BadImport {
  try {
    run();
  } catch (error) {
    if (error instanceof BadImport) return error;
    throw error;
  }
  throw new Error('expected a BadImport');
}
