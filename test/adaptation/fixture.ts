// The synthetic site lives with the demo that shows it from a fresh clone (npm run demo:site).
export { buildSiteFixture, type SiteFixture } from '../../scripts/lib/synthetic-site.ts';
