import { describe, expect, it } from 'vitest';
import { Protocol, ServerState, MaintenanceMode } from '../../gen/clustersim/v1/cluster.js';
import { CheckerSet } from '../../sim/checkers/checker-set.js';
import type { Checker } from '../../sim/checkers/checker.js';
import { handlersWithContext, RecordBus } from '../../sim/metrics/record-bus.js';
import type { SimRecord } from '../../sim/metrics/records.js';

describe('RecordBus', () => {
  it('hands each record to the handlers of its type, in the order of their consumers, and every record to the tap', () => {
    const seen: string[] = [];
    const tapped: string[] = [];
    const bus = new RecordBus(
      [
        { 'session-started': (_t, _a, record) => seen.push(`first started ${record.session}`), 'queue-wait': (_t, _a, record) => seen.push(`first wait ${record.waitUs}`) },
        { 'session-started': (timeUs, actor, record) => seen.push(`second started ${record.session} at ${timeUs} by ${actor}`) },
      ],
      { record: (_t, _a, record) => tapped.push(record.type) },
    );
    bus.record(5, 2, { type: 'session-started', protocol: Protocol.HTTP, session: 7 });
    bus.record(6, 3, { type: 'queue-wait', server: 3, waitUs: 40 });
    bus.record(7, 3, { type: 'server-sessions', server: 3, protocol: Protocol.HTTP, open: 1, total: 1 });
    expect(seen).toEqual(['first started 7', 'second started 7 at 5 by 2', 'first wait 40']);
    expect(tapped).toEqual(['session-started', 'queue-wait', 'server-sessions']);
  });

  it('calls handlers given with a context with that context, and plain handlers without one', () => {
    const seen: string[] = [];
    const bus = new RecordBus([
      handlersWithContext({ 'queue-wait': (_t, _a, record, context: { label: string }) => seen.push(`${context.label} ${record.waitUs}`) }, { label: 'first' }),
      { 'queue-wait': (_t, _a, record) => seen.push(`plain ${record.waitUs}`) },
      handlersWithContext({ 'queue-wait': (_t, _a, _record, context: { label: string }) => seen.push(context.label) }, { label: 'second' }),
    ]);
    bus.record(1, 0, { type: 'queue-wait', server: 0, waitUs: 9 });
    expect(seen).toEqual(['first 9', 'plain 9', 'second']);
  });

  it('lets every checker see a server-state record before the truth takes it in', () => {
    const statesSeen: ServerState[] = [];
    const watcher: Checker = {
      rules: [],
      handlers: { 'server-state': (_t, _a, record, context) => statesSeen.push(context.truth.state(record.server), record.state) },
    };
    const set = new CheckerSet({ actorNames: ['s'], checkers: [watcher] });
    const record: SimRecord = { type: 'server-state', server: 0, state: ServerState.MAINTENANCE, mode: MaintenanceMode.AFFINITY };
    set.record(1, 0, record);
    set.record(2, 0, { ...record, state: ServerState.RUNNING, mode: MaintenanceMode.UNSPECIFIED });
    expect(statesSeen).toEqual([ServerState.RUNNING, ServerState.MAINTENANCE, ServerState.MAINTENANCE, ServerState.RUNNING]);
  });
});
