/** The part of the URL after `#`, split into a path and its query. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

function read(): Location {
  const hash = window.location.hash.replace(/^#/, '') || '/queue';
  const [path, search = ''] = hash.split('?', 2);
  return { path, query: new URLSearchParams(search) };
}

/** Hash routing: links are plain `href="#/thread/3"`, and back/forward just work. */
class RouterState {
  location = $state<Location>(read());

  constructor() {
    window.addEventListener('hashchange', () => {
      this.location = read();
    });
  }

  go(hash: string): void {
    window.location.hash = hash;
  }

  /** Changes the URL without a new history entry or a re-render (e.g. the highlighted comment). */
  replace(hash: string): void {
    history.replaceState(history.state, '', hash);
  }
}

export const router = new RouterState();

/** Matches `/thread/12` against `/thread/:id`; returns the params or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}
