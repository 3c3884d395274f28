/**
 * The documented JSON import format (docs/import-formats.md): one thread or an
 * array of threads; comments nested (`replies`) or parent-linked (`parent`).
 * Validation is strict and every error names the JSON path it is about, written
 * as if the file were an array of threads (`threads[0].comments[3].text`).
 */
import { BadImport } from '../../errors.ts';
import type { ParsedComment, ParsedImport, ParsedThread } from '../types.ts';
import { createContentIds, stripBom } from './text.ts';

export const format = 'json';

const THREAD_FIELDS = ['source', 'id', 'title', 'url', 'body', 'comments'];
const COMMENT_FIELDS = ['id', 'author', 'text', 'postedAt', 'replies', 'parent'];
// A calendar date, or a date and time with an explicit zone: a zoneless time
// would be read in the server's local zone and change with the machine.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

type JsonObject = Record<string, unknown>;

interface Node {
  comment: ParsedComment;
  path: string;
  /** `parent` as written (parent-linked form), resolved after all ids are known. */
  parentRef: string | null;
  children: Node[];
}

function fail(field: string, message: string): never {
  throw new BadImport(message, { field });
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectObject(value: unknown, path: string, what: string): JsonObject {
  if (!isObject(value)) fail(path, `must be ${what} object, not ${describe(value)}`);
  return value;
}

/** What a value is, for "must be X, not Y" messages; never the value itself, which may be comment text. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'string':
      return value === '' ? 'an empty string' : value.trim() === '' ? 'a blank string' : 'a string';
    case 'number':
      return Number.isInteger(value) ? 'a number' : 'a fractional number';
    case 'undefined':
      return 'nothing';
    default:
      return `a ${typeof value}`;
  }
}

/** A field name shown in a message: short plain names only, since a broken file can turn any text into a name. */
const PLAIN_NAME = /^[A-Za-z_$][\w$-]{0,39}$/;

function rejectUnknown(obj: JsonObject, path: string, allowed: string[]): void {
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    fail(PLAIN_NAME.test(key) ? `${path}.${key}` : path, `unknown field (allowed: ${allowed.join(', ')})`);
  }
}

function idValue(value: unknown, path: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'number' && Number.isInteger(value)) fail(path, 'is an integer too large to read exactly: write the id as a string');
  fail(path, `must be a non-empty string or an integer, not ${describe(value)}`);
}

function optionalString(obj: JsonObject, key: string, path: string): string | null {
  const value = obj[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(`${path}.${key}`, `must be a string, not ${describe(value)}`);
  return value;
}

function postedAtValue(value: unknown, path: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) fail(path, 'must be epoch milliseconds (a non-negative integer)');
    return value;
  }
  if (typeof value === 'string') {
    const ms = ISO_8601.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(ms)) fail(path, `"${value}" is not an ISO 8601 date (e.g. 2014-06-29T10:39:00Z) with a time zone`);
    return ms;
  }
  fail(path, `must be an ISO 8601 string or epoch milliseconds, not ${describe(value)}`);
}

/**
 * The line of a JSON.parse error. Most V8 messages give the position; those
 * about an unexpected token give none but quote up to 10 characters either
 * side of it, which is enough to find its line.
 */
function syntaxErrorLine(text: string, message: string): number {
  const lineAt = (pos: number): number => text.slice(0, Math.max(0, pos)).split(/\r\n|\r|\n/).length;
  const position = / at position (\d+)(?: \(line \d+ column \d+\))?$/.exec(message);
  if (position) return lineAt(Number(position[1]));
  if (/end of JSON input/.test(message)) return lineAt(text.length);
  const quoted = /^Unexpected token '(.*)', (\.\.\.)?"([\s\S]*)"(\.\.\.)? is not valid JSON$/.exec(message);
  if (quoted) {
    const [, token, before, context] = quoted;
    const at = text.indexOf(context!);
    if (at >= 0) return lineAt(before ? at + 10 : at + Math.max(0, context!.indexOf(token!)));
  }
  return 1;
}

/**
 * What is wrong, for people: V8's words without the position (the message
 * names the line) and never a piece of the file, which may be comment text.
 * V8 quotes the file in its "unexpected token" messages, so those name the
 * token only when it is JSON punctuation, else say "unexpected character".
 * For instance `Expected ',' or '}' after property value in JSON at position 6
 * (line 1 column 7)` (Node 22 and later add the line and column) becomes
 * `expected ',' or '}' after property value`.
 */
function syntaxProblem(message: string): string {
  if (/end of JSON input/.test(message)) return 'the file ends early: truncated?';
  if (/^Unexpected non-whitespace character after JSON\b/.test(message)) return 'more text after the end of the JSON';
  const positioned = /^(.+?)(?: in JSON)? at position \d+(?: \(line \d+ column \d+\))?$/.exec(message);
  if (positioned && !positioned[1]!.includes('"')) {
    const what = positioned[1]!;
    return what[0]!.toLowerCase() + what.slice(1);
  }
  // JSON's own punctuation is not comment text, and naming it helps: `[1,]`.
  const token = /^Unexpected token '(.)'/.exec(message)?.[1];
  if (token && '[]{},:'.includes(token)) return `unexpected '${token}'`;
  return 'unexpected character';
}

function parseComments(list: unknown, path: string, ids: Map<string, Node>, roots: Node[], order: Node[], idFor: ReturnType<typeof createContentIds>): void {
  if (!Array.isArray(list)) fail(path, `must be an array of comments, not ${describe(list)}`);
  // Walked with an explicit stack: a deeply nested export must not overflow the call stack.
  const stack: { item: unknown; path: string; parent: Node | null; topLevel: boolean }[] = [];
  for (let i = list.length - 1; i >= 0; i -= 1) stack.push({ item: list[i], path: `${path}[${i}]`, parent: null, topLevel: true });
  while (stack.length > 0) {
    const { item, path: at, parent, topLevel } = stack.pop()!;
    const obj = expectObject(item, at, 'a comment');
    rejectUnknown(obj, at, COMMENT_FIELDS);
    if (!('text' in obj)) fail(`${at}.text`, 'missing: every comment needs text (use "" for an image-only comment)');
    if (typeof obj.text !== 'string') fail(`${at}.text`, `must be a string, not ${describe(obj.text)}`);
    const author = optionalString(obj, 'author', at);
    const postedAt = postedAtValue(obj.postedAt, `${at}.postedAt`);
    let parentRef: string | null = null;
    if (obj.parent !== undefined && obj.parent !== null) {
      if (!topLevel) fail(`${at}.parent`, 'not allowed inside replies: the enclosing comment is already the parent');
      parentRef = idValue(obj.parent, `${at}.parent`);
    }
    const body = obj.text;
    const externalId = obj.id !== undefined ? idValue(obj.id, `${at}.id`) : idFor(author === '' ? null : author, postedAt, body);
    if (ids.has(externalId)) {
      const first = ids.get(externalId)!;
      fail(obj.id !== undefined ? `${at}.id` : at, `duplicate comment id "${externalId}" (also ${first.path})`);
    }
    const node: Node = {
      comment: { externalId, parentExternalId: parent ? parent.comment.externalId : null, author: author === '' ? null : author, body, postedAt },
      path: at,
      parentRef,
      children: [],
    };
    ids.set(externalId, node);
    order.push(node);
    if (parent) parent.children.push(node);
    if (obj.replies !== undefined) {
      const replies = obj.replies;
      if (!Array.isArray(replies)) fail(`${at}.replies`, `must be an array of comments, not ${describe(replies)}`);
      for (let i = replies.length - 1; i >= 0; i -= 1) stack.push({ item: replies[i], path: `${at}.replies[${i}]`, parent: node, topLevel: false });
    }
  }
  // Parent links are resolved in file order so siblings keep the order they were written in.
  for (const node of order) {
    if (node.parentRef === null) {
      if (node.comment.parentExternalId === null) roots.push(node);
      continue;
    }
    const parent = ids.get(node.parentRef);
    if (!parent) fail(`${node.path}.parent`, `unknown parent id "${node.parentRef}"`);
    node.comment.parentExternalId = parent.comment.externalId;
    parent.children.push(node);
  }
}

/**
 * The loop that an unreachable comment hangs off, child to parent, starting at
 * the first comment of the loop met going up from `start`. Every comment here
 * has a parent (a link or the reply it is nested in): one without would be a
 * top-level comment, and reachable.
 */
function cycleFrom(start: Node, ids: Map<string, Node>): Node[] {
  const path: Node[] = [];
  let node = start;
  while (!path.includes(node)) {
    path.push(node);
    node = ids.get(node.comment.parentExternalId!)!;
  }
  return path.slice(path.indexOf(node));
}

function parseThread(value: unknown, path: string): ParsedThread {
  const obj = expectObject(value, path, 'a thread');
  rejectUnknown(obj, path, THREAD_FIELDS);
  if (obj.id === undefined) fail(`${path}.id`, 'missing: every thread needs an id');
  const externalId = idValue(obj.id, `${path}.id`);
  if (typeof obj.title !== 'string' || obj.title.trim() === '') {
    fail(`${path}.title`, obj.title === undefined ? 'missing: every thread needs a title' : `must be a non-empty string, not ${describe(obj.title)}`);
  }
  const source = optionalString(obj, 'source', path);
  if (source !== null && source.trim() === '') fail(`${path}.source`, 'must not be empty');
  const url = optionalString(obj, 'url', path);
  const body = optionalString(obj, 'body', path) ?? '';
  if (obj.comments === undefined) fail(`${path}.comments`, 'missing: every thread needs a comments array');

  const ids = new Map<string, Node>();
  const roots: Node[] = [];
  const order: Node[] = [];
  parseComments(obj.comments, `${path}.comments`, ids, roots, order, createContentIds());

  // Display order: each parent before its replies, siblings in file order.
  const comments: ParsedComment[] = [];
  const visited = new Set<Node>();
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    visited.add(node);
    comments.push(node.comment);
    for (let i = node.children.length - 1; i >= 0; i -= 1) stack.push(node.children[i]!);
  }
  // Whatever no top-level comment reaches hangs off a loop of parent links.
  const stranded = order.find((n) => !visited.has(n));
  if (stranded) {
    const loop = cycleFrom(stranded, ids);
    // Nesting alone cannot loop: some comment in it names its parent with a link, and that link is the one to fix.
    const linked = loop.find((n) => n.parentRef !== null)!;
    const at = loop.indexOf(linked);
    const names = [...loop.slice(at), ...loop.slice(0, at), linked].map((n) => n.comment.externalId);
    fail(`${linked.path}.parent`, `parent links form a cycle (${names.join(' → ')})`);
  }
  return { source: source ?? format, externalId, title: obj.title, url, body, comments };
}

export function parse(text: string): ParsedImport {
  let root: unknown;
  try {
    root = JSON.parse(stripBom(text));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = syntaxErrorLine(stripBom(text), message);
    throw new BadImport(`invalid JSON (${syntaxProblem(message)})`, { line });
  }
  const list = Array.isArray(root) ? root : [root];
  if (!Array.isArray(root) && !isObject(root)) fail('threads', `must be a thread object or an array of threads, not ${describe(root)}`);
  if (list.length === 0) fail('threads', 'the array has no threads');

  const threads: ParsedThread[] = [];
  const seen = new Map<string, number>();
  list.forEach((value, i) => {
    const thread = parseThread(value, `threads[${i}]`);
    const key = JSON.stringify([thread.source, thread.externalId]);
    const first = seen.get(key);
    if (first !== undefined) fail(`threads[${i}].id`, `duplicate thread id "${thread.externalId}" (also threads[${first}])`);
    seen.set(key, i);
    threads.push(thread);
  });
  if (threads.every((t) => t.comments.length === 0)) fail('threads', 'the file has no comments');
  return { format, threads };
}
