import { api, ApiError, type Claim } from '../api.ts';

/** The server's claim lasts 2 minutes by default; renewing well before keeps it through a slow network. */
const RENEW_MS = 40_000;
/** A claim configured shorter (TRIAGE_CLAIM_SECONDS) is renewed at a third of its length, never more often than this. */
const MIN_RENEW_MS = 5_000;

/**
 * The claim on the comment a moderator has open: claimed when opened,
 * renewed while it stays open, released when they move on or leave. Others
 * see "being reviewed by …" and their j/k skip it.
 */
export class ClaimHolder {
  #id: number | null = null;
  #timer: ReturnType<typeof setTimeout> | null = null;
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
      if (takeOver) this.#id = id;
      // The moderator moved on while this claim was on its way: let it go again.
      if (this.#id !== id) return void api.release(id).catch(() => {});
      this.#onClaim(id, answer.claim);
      // Renew while it stays open: every 40 s, or at a third of a shorter claim.
      const left = answer.claim ? answer.claim.expiresAt - Date.now() : RENEW_MS;
      this.#stop();
      this.#timer = setTimeout(() => void this.#claim(id, false), Math.min(RENEW_MS, Math.max(MIN_RENEW_MS, left / 3)));
    } catch (error) {
      if (takeOver) throw error;
      // Someone else holds it (or it is gone): stop asking, and let the list show who.
      if (this.#id !== id) return;
      this.#stop();
      if (error instanceof ApiError && [403, 404, 409].includes(error.status)) {
        this.#id = null;
        this.#onRefused(id, error);
      } else {
        // No answer (the connection dropped): try again soon, the claim may still be ours.
        this.#timer = setTimeout(() => void this.#claim(id, false), MIN_RENEW_MS * 2);
      }
    }
  }

  #stop(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
