#!/usr/bin/env node
// The sources are TypeScript; tsx compiles them on the fly so the CLI runs
// straight from a clone without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli.ts');
await main(process.argv);
