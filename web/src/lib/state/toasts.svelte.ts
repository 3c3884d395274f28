import { ApiError } from '../api.ts';

export interface Toast {
  id: number;
  kind: 'error' | 'info';
  message: string;
}

/** Short-lived messages under the header (never over a control); errors stay longer because they need reading, and any can be dismissed. */
class ToastState {
  items = $state<Toast[]>([]);
  #next = 1;

  push(kind: Toast['kind'], message: string, ms = kind === 'error' ? 8000 : 3000): void {
    const id = this.#next++;
    this.items.push({ id, kind, message });
    setTimeout(() => this.dismiss(id), ms);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new ToastState();

/** The one way screens report a failure: the server's own message, prefixed by what we were doing. */
export function showError(error: unknown, doing: string): void {
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') return;
  const message = error instanceof Error ? error.message : String(error);
  toasts.push('error', `${doing}: ${message}`);
}
