/** Append-only history of a membership: what happened, when, by whom. */
export type Actor = { type: 'admin'; id: string } | { type: 'member'; id: string } | { type: 'system'; id: string };

export interface TimelineEvent {
  id: string;
  at: string;
  type: string;
  actor: Actor;
  data: Record<string, unknown>;
}

export const SYSTEM: Actor = { type: 'system', id: 'relance' };
