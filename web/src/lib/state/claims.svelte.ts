import { api, ApiError, type Claim } from '../api.ts';

/** The server's claim lasts 2 minutes; renewing well before keeps it through a slow network. */
const RENEW_MS = 40_000;

/**
 * The claim on the comment a moderator has open: claimed when opened,
 * renewed while it stays open, released when they move on or leave. Others
 * see "being reviewed by …" and their j/k skip it.
 */
export class ClaimHolder {
  #id: number | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  readonly #onClaim: (id: number, claim: Claim | null) => void;
  readonly #onRefused: (id: number, error: unknown) => void;

  /**
   * `onClaim` hears what the server answered (the claim now held);
   * `onRefused` hears that someone else holds the comment (a 409) or it is gone.
   */
  constructor(onClaim: (id: number, claim: Claim | null) => void, onRefused: (id: number, error: unknown) => void) {
    this.#onClaim = onClaim;
    this.#onRefused = onRefused;
  }

  /** The comment held now, if any. */
  get held(): number | null {
    return this.#id;
  }

  /** Holds this comment (null: none): releases the one held before, claims this one and keeps renewing it. */
  hold(id: number | null): void {
    if (id === this.#id) return;
    const previous = this.#id;
    this.#stop();
    this.#id = id;
    if (previous !== null) api.release(previous).catch(() => {});
    if (id === null) return;
    void this.#claim(id, false);
    this.#timer = setInterval(() => void this.#claim(id, false), RENEW_MS);
  }

  /** A lead or admin takes the comment from whoever reviews it. */
  async takeOver(id: number): Promise<void> {
    if (this.#id !== id) this.hold(null);
    await this.#claim(id, true);
  }

  /** The page is going away: release with a request that outlives it. */
  releaseOnUnload(): void {
    if (this.#id !== null) api.release(this.#id, true).catch(() => {});
    this.#stop();
    this.#id = null;
  }

  async #claim(id: number, takeOver: boolean): Promise<void> {
    try {
      const answer = await api.claim(id, takeOver);
      if (takeOver && this.#id !== id) {
        this.#stop();
        this.#id = id;
        this.#timer = setInterval(() => void this.#claim(id, false), RENEW_MS);
      }
      this.#onClaim(id, answer.claim);
    } catch (error) {
      if (takeOver) throw error;
      // Someone else holds it (or it is gone): stop asking, and let the list show who.
      if (error instanceof ApiError && [403, 404, 409].includes(error.status) && this.#id === id) {
        this.#stop();
        this.#id = null;
        this.#onRefused(id, error);
      }
    }
  }

  #stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }
}
