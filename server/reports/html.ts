import { createHash } from 'node:crypto';
import { plural } from '../plural.ts';
import { LABELS } from '../scoring/labels.ts';
import type { Summary } from './summary.ts';

/**
 * The summary as a self-contained printable page (inline CSS and SVG, no
 * script), which the browser prints to PDF. Every value from the database is
 * escaped: thread titles and usernames are user input.
 */

export function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const iso = (ms: number | null) => (ms === null ? '—' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC');
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const minutes = ms / 60_000;
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 120) return `${minutes.toFixed(1)} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${hours.toFixed(1)} h`;
  return `${(hours / 24).toFixed(1)} d`;
}

/** The smallest 1, 2 or 5 times a power of ten that is at least `v`, so axis ticks are round numbers. */
export function niceCeil(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((n) => n >= v)!;
}

interface Bar {
  label: string;
  value: number;
  /** Shown at the end of the bar; defaults to the value. */
  text?: string;
}

/** A horizontal bar chart with a labelled value axis. */
export function barChartSvg(title: string, axisLabel: string, bars: Bar[], max?: number): string {
  const rowH = 22;
  const left = 170;
  const width = 620;
  const plotW = width - left - 70;
  const top = 28;
  const height = top + bars.length * rowH + 40;
  const top_ = max ?? niceCeil(Math.max(4, ...bars.map((b) => b.value)));
  const x = (v: number) => left + (v / top_) * plotW;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * top_);
  const tickText = (v: number) => String(Number(v.toFixed(2)));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(title)}">`,
    `<text x="0" y="16" font-weight="bold" font-size="14">${escapeHtml(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    const label = b.label.length > 26 ? `${b.label.slice(0, 25)}…` : b.label;
    parts.push(
      `<text x="${left - 6}" y="${y + 15}" text-anchor="end" font-size="12">${escapeHtml(label)}</text>`,
      `<rect x="${left}" y="${y + 3}" width="${Math.max(0, x(b.value) - left).toFixed(1)}" height="${rowH - 6}" fill="#4a6fa5"/>`,
      `<text x="${(x(b.value) + 4).toFixed(1)}" y="${y + 15}" font-size="12">${escapeHtml(b.text ?? String(b.value))}</text>`,
    );
  });
  const axisY = top + bars.length * rowH + 4;
  parts.push(`<line x1="${left}" y1="${axisY}" x2="${left + plotW}" y2="${axisY}" stroke="#333"/>`);
  for (const t of ticks) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="${axisY}" x2="${x(t).toFixed(1)}" y2="${axisY + 4}" stroke="#333"/>`,
      `<text x="${x(t).toFixed(1)}" y="${axisY + 16}" text-anchor="middle" font-size="11">${tickText(t)}</text>`,
    );
  }
  parts.push(`<text x="${left + plotW / 2}" y="${axisY + 32}" text-anchor="middle" font-size="11">${escapeHtml(axisLabel)}</text>`, '</svg>');
  return parts.join('');
}

function table(head: string[], rows: (string | number)[][]): string {
  if (rows.length === 0) return '<p class="empty">None in this period.</p>';
  return `<table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** The page's one stylesheet, inline so the page stands alone when saved. */
const REPORT_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:2rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:1.6rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.2rem .5rem;text-align:left}
td:not(:first-child){font-variant-numeric:tabular-nums}.meta{color:#444}.empty{color:#666}
section{break-inside:avoid}@media print{body{margin:0}a{color:inherit}}
`;

/**
 * The Content-Security-Policy the page is served with: nothing loads, no
 * script runs, and the one inline stylesheet is allowed by its hash (never
 * 'unsafe-inline'). Inline SVG needs no source.
 */
export const SUMMARY_HTML_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(REPORT_CSS).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export function summaryHtml(s: Summary): string {
  const title = `Moderation report ${iso(s.filter.from)} – ${iso(s.filter.to)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">Generated ${iso(s.generatedAt)}. Threads: ${escapeHtml(s.filter.threads?.join(', ') ?? 'all')}. Labels: ${escapeHtml(s.filter.labels?.join(', ') ?? 'all')}.
Decisions are the standing ones: undone decisions and undo rows are left out.</p>
<section><h2>Comments</h2>
${table(['imported', 'scored', 'flagged now'], [[s.comments.imported, s.comments.scored, s.comments.flagged]])}
${barChartSvg('Flagged comments per label', 'comments flagged', s.comments.flaggedByLabel.map((l) => ({ label: l.label, value: l.count })))}
</section>
<section><h2>Decisions</h2>
${table(['total', 'undone', ...s.decisions.byAction.map((a) => a.action)], [[s.decisions.total, s.decisions.undone, ...s.decisions.byAction.map((a) => a.count)]])}
${barChartSvg('Decisions per action', 'decisions', s.decisions.byAction.map((a) => ({ label: a.action, value: a.count })))}
${table(['moderator', 'approve', 'hide', 'escalate', 'total'], s.decisions.byModerator.map((m) => [m.moderator, m.approve, m.hide, m.escalate, m.total]))}
<p>Time from import to decision (${plural(s.timeToDecision.n, 'comment')}): median ${formatDuration(s.timeToDecision.medianMs)}, 90th percentile ${formatDuration(s.timeToDecision.p90Ms)}.</p>
<p>Escalations opened: ${s.escalations.opened}; resolved: ${s.escalations.resolved}.</p>
</section>
<section><h2>Readers' reports</h2>
<p>${plural(s.readerReports.received, 'report')} received on ${plural(s.readerReports.comments, 'comment')}. Of those comments, moderators upheld the reports on
${s.readerReports.upheld} (hidden or escalated) and approved ${s.readerReports.notUpheld}; ${s.readerReports.undecided} ${s.readerReports.undecided === 1 ? 'has' : 'have'} no decision since their first report.</p>
${table(['reason', 'reports'], s.readerReports.byReason.map((r) => [r.reason, r.count]))}
</section>
<section><h2>Model and moderators</h2>
<p>The model agreed with ${pct(s.agreement.share)} of ${plural(s.agreement.n, 'decision')} at the thresholds in force when each was taken
(flagged but approved: ${s.agreement.modelOnly}; hidden or escalated but not flagged: ${s.agreement.moderatorOnly}; decisions on unscored comments: ${s.agreement.unscored}).</p>
${barChartSvg('Agreement per label', 'share of decisions', s.agreement.perLabel.map((l) => ({ label: l.label, value: l.share ?? 0, text: `${pct(l.share)} of ${l.n}` })), 1)}
</section>
<section><h2>Threads by share of hidden comments</h2>
${table(['thread', 'comments', 'hidden', 'share'], s.threadsByHidden.map((t) => [`${t.threadId} ${t.title}`, t.comments, t.hidden, pct(t.share)]))}
</section>
<section><h2>Thresholds and model in force</h2>
${table(['version', 'since', 'until', 'by', 'reason', ...LABELS], s.thresholds.map((v) => [v.version, iso(v.since), v.until === null ? 'now' : iso(v.until), v.moderator ?? '—', v.reason ?? '', ...LABELS.map((l) => v.values[l] ?? 'off')]))}
${table(['model version', 'model in force', 'since', 'until', 'by', 'reason'], s.modelsInForce.map((v) => [v.version, v.model, v.version === 0 ? 'the start' : iso(v.since), v.until === null ? 'now' : iso(v.until), v.moderator ?? '—', v.reason ?? '']))}
${table(['model', 'scores written', 'first', 'last'], s.models.map((m) => [m.model, m.scored, iso(m.firstScoredAt), iso(m.lastScoredAt)]))}
</section>
</body></html>
`;
}
