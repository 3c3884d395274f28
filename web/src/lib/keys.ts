/** True while the user types in a field: screen shortcuts must leave those keys alone. */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target as HTMLElement | null;
  if (!target) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/**
 * The shortcut a keydown stands for, or null when it is not ours to handle:
 * typing in a field, a modifier held (browser shortcuts), or a dialog open.
 */
export function shortcut(event: KeyboardEvent): string | null {
  if (event.defaultPrevented || isTyping(event) || event.ctrlKey || event.metaKey || event.altKey) return null;
  if (document.querySelector('[role="dialog"][aria-modal="true"]')) return null;
  // Enter on a focused button or link keeps its usual meaning: press it.
  const target = event.target as HTMLElement | null;
  if (event.key === 'Enter' && target?.closest('button, a[href]')) return null;
  return event.key;
}

/** A screen's shortcuts: each key (as `shortcut` names it) and what it does. */
export type KeyMap = Record<string, () => void>;

/**
 * The window keydown handler for a screen's shortcuts. A bound key runs its
 * action and is kept from the browser, so a key that focuses a field is not
 * typed into it; any other key is left alone.
 */
export function onShortcut(keys: KeyMap): (event: KeyboardEvent) => void {
  return (event) => {
    const key = shortcut(event);
    if (key === null || !Object.hasOwn(keys, key)) return;
    keys[key]();
    event.preventDefault();
  };
}
