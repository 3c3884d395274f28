// @ts-check
// The article page, as one HTML string. Everything a reader wrote goes
// through escapeHtml: comment text is shown as text, never as HTML.

/**
 * @typedef {{ id: string, title: string, body: string[] }} Article
 * @typedef {{ id: string, parentId: string | null, author: { id: string, name: string },
 *   text: string, postedAt: string, hidden: boolean }} PageComment
 */

/** The reasons the Report form offers: Triage's own (docs/integrations.md), with words for readers. */
export const REPORT_REASONS = /** @type {const} */ ([
  ['spam', 'Spam'],
  ['harassment', 'Harassment'],
  ['hate', 'Hate'],
  ['threat', 'Threat'],
  ['sexual', 'Sexual content'],
  ['self_harm', 'Self-harm'],
  ['misinformation', 'Misinformation'],
  ['off_topic', 'Off topic'],
  ['other', 'Something else'],
]);

export const REMOVED_TEXT = 'This comment was removed by a moderator';

/** @type {Record<string, string>} */
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Text made safe for HTML, in element content and in quoted attributes alike.
 * @param {string} text
 */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const STYLE = `
body { font: 17px/1.5 Georgia, serif; max-width: 42rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { line-height: 1.2; }
.comments, .comments ol { list-style: none; padding-left: 0; }
.comments ol { margin-left: 1.5rem; border-left: 2px solid #ddd; padding-left: 1rem; }
.comment { margin: 1rem 0; }
.meta { font: 14px system-ui, sans-serif; color: #666; }
.text { white-space: pre-wrap; margin: 0.25rem 0; }
.removed { font-style: italic; color: #888; }
.actions { font: 14px system-ui, sans-serif; display: flex; gap: 1rem; align-items: start; }
.notice { font: 15px system-ui, sans-serif; background: #eef6ee; padding: 0.5rem 1rem; }
.notice.error { background: #fbeaea; }
textarea { width: 100%; min-height: 5rem; font: inherit; }
form.post { font: 15px system-ui, sans-serif; }
`;

/**
 * @param {PageComment} comment
 * @param {Map<string | null, PageComment[]>} children
 * @returns {string}
 */
function commentHtml(comment, children) {
  const id = escapeHtml(comment.id);
  const replies = children.get(comment.id) ?? [];
  const body = comment.hidden
    ? `<p class="text removed">${escapeHtml(REMOVED_TEXT)}</p>`
    : `<p class="text">${escapeHtml(comment.text)}</p>
      <div class="actions">
        <details><summary>Reply</summary>${commentForm(comment.id)}</details>
        <form method="post" action="/comments/${encodeURIComponent(comment.id)}/report">
          <select name="reason" aria-label="Why">${REPORT_REASONS.map(([value, words]) => `<option value="${value}">${words}</option>`).join('')}</select>
          <button type="submit">Report</button>
        </form>
      </div>`;
  return `<li class="comment" id="comment-${id}">
      <div class="meta">${escapeHtml(comment.author.name)} · <time datetime="${escapeHtml(comment.postedAt)}">${escapeHtml(comment.postedAt.slice(0, 16).replace('T', ' '))}</time></div>
      ${body}
      ${replies.length ? `<ol>${replies.map((r) => commentHtml(r, children)).join('')}</ol>` : ''}
    </li>`;
}

/**
 * The form to post a comment, or to answer one.
 * @param {string | null} parentId
 */
function commentForm(parentId) {
  return `<form class="post" method="post" action="/comments">
      ${parentId === null ? '' : `<input type="hidden" name="parentId" value="${escapeHtml(parentId)}">`}
      <p><label>Name <input name="name" required maxlength="80"></label></p>
      <p><textarea name="text" required maxlength="5000" aria-label="Comment"></textarea></p>
      <p><button type="submit">${parentId === null ? 'Post comment' : 'Post reply'}</button></p>
    </form>`;
}

/**
 * The whole page: the article, its comments as a tree, the form.
 * @param {{ article: Article, comments: PageComment[], notice?: { text: string, error?: boolean } | null }} page
 * @returns {string}
 */
export function renderArticle({ article, comments, notice = null }) {
  /** @type {Map<string | null, PageComment[]>} */
  const children = new Map();
  for (const c of comments) {
    const siblings = children.get(c.parentId) ?? [];
    siblings.push(c);
    children.set(c.parentId, siblings);
  }
  const roots = children.get(null) ?? [];
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(article.title)} · The Example Gazette</title>
  <style>${STYLE}</style>
</head>
<body>
  <p class="meta">The Example Gazette</p>
  ${notice ? `<p class="notice${notice.error ? ' error' : ''}" role="status">${escapeHtml(notice.text)}</p>` : ''}
  <article>
    <h1>${escapeHtml(article.title)}</h1>
    ${article.body.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n    ')}
  </article>
  <section>
    <h2>${comments.length} comment${comments.length === 1 ? '' : 's'}</h2>
    <ol class="comments">${roots.map((c) => commentHtml(c, children)).join('')}</ol>
    <h3>Join the discussion</h3>
    ${commentForm(null)}
  </section>
</body>
</html>
`;
}
