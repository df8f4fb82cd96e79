import type { RecordOf, RecordType } from '../metrics/record-bus.js';
import type { ClusterTruth } from './cluster-truth.js';

/** A broken invariant: when, which rule, which actor, and the session or request it concerns. */
export interface Violation {
  timeUs: number;
  rule: string;
  /** Name of the actor the violation is charged to (the server that accepted, the controller that acted). */
  actor: string;
  detail: string;
  session?: number;
  request?: number;
}

/** What a rule may read and do while it looks at a record. */
export interface CheckContext {
  /** The servers' states and the faults in force, as the records in order have told them. */
  readonly truth: ClusterTruth;
  actorName(actor: number): string;
  report(violation: Violation): void;
  /** Something the rules saw that is not a violation but must be visible (e.g. an overlap a partition forced). */
  note(key: string, count?: number): void;
}

/** A checker's handlers by record type: only records of these types are handed to it. */
export type CheckerHandlers = { readonly [T in RecordType]?: (timeUs: number, actor: number, record: RecordOf<T>, context: CheckContext) => void };

/**
 * One invariant (or a few close ones) checked over the record stream. Its handlers see the
 * records in canonical order, before the truth is updated with them: for a 'server-state'
 * record the truth still holds the previous state.
 */
export interface Checker {
  /** Names of the rules this checker reports. */
  readonly rules: readonly string[];
  readonly handlers: CheckerHandlers;
  /** Called once at the end of the run: for what must have happened by then. */
  finish?(endUs: number, context: CheckContext): void;
}

/** Refusal causes that are about capacity, not state: a full queue may refuse anything. */
export const capacityCauses: ReadonlySet<string> = new Set(['queue-full']);
