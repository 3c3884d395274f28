/**
 * Typed calls for rescoring with the model in force (docs/api.md,
 * "Rescoring"), through the dashboard's one `request`.
 */
import { request, type RescoreQueued, type RescoreStatus } from './api.ts';

export const scoringApi = {
  rescoreStatus: () => request<RescoreStatus>('GET', '/api/scoring/rescore'),
  /** Admins: queues every comment still lacking a score of the model in force, and failed ones again. */
  rescore: () => request<RescoreQueued>('POST', '/api/scoring/rescore'),
};
