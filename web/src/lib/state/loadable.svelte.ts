/**
 * Something a screen loads whole and shows as it is (the users, the API keys,
 * the webhook endpoints or deliveries): the value, whether a load is under way,
 * and why the last load failed. A failed load keeps the value it had.
 */
export class Loadable<T> {
  value = $state() as T;
  loading = $state(true);
  error = $state<string | null>(null);
  #fetch: () => Promise<T>;

  constructor(initial: T, fetch: () => Promise<T>) {
    this.value = initial;
    this.#fetch = fetch;
  }

  async load(): Promise<void> {
    this.loading = true;
    this.error = null;
    try {
      this.value = await this.#fetch();
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    } finally {
      this.loading = false;
    }
  }
}
