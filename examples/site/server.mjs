// @ts-check
// `node examples/site/server.mjs`: the example site, configured by
// environment variables (README.md beside this file).
import { startSite } from './site.mjs';

const env = process.env;
const port = Number(env.PORT ?? 4000);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`example site: PORT must be a port number, not ${JSON.stringify(env.PORT)}`);
  process.exit(2);
}

const site = await startSite({
  port,
  host: env.HOST || '127.0.0.1',
  triageUrl: env.TRIAGE_URL || 'http://127.0.0.1:3000',
  apiKey: env.TRIAGE_API_KEY || undefined,
  webhookSecret: env.TRIAGE_WEBHOOK_SECRET || undefined,
  publicUrl: env.PUBLIC_URL || undefined,
});
console.info(`example site: http://${env.HOST || '127.0.0.1'}:${site.port}/ (webhooks: POST ${site.url}/webhooks/triage)`);

for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    site.close().then(() => process.exit(0));
  });
}
