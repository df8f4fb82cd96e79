import { describe, expect, it } from 'vitest';
import { summarize } from '../../reports/summary.js';
import { evaluateExpectations } from '../../sim/run/expectations.js';
import { runScenario } from '../../sim/run/run.js';
import { loadScenarioFile } from '../../sim/scenario/load.js';

function run(file: string) {
  const loaded = loadScenarioFile(file);
  const summary = summarize(runScenario(loaded));
  return { summary, expectations: evaluateExpectations(loaded.scenario.expect, summary) };
}

describe('the mixed showcase: rolling maintenance of every node under HTTP, SIP, EJB and JMS', () => {
  it('keep affinity: every node goes through maintenance, nothing is dropped, every expectation holds', () => {
    const { summary, expectations } = run('scenarios/showcase.yaml');
    expect(expectations.filter((result) => !result.passed)).toEqual([]);
    expect(Object.keys(summary.protocols).sort()).toEqual(['ejb', 'http', 'jms', 'sip']);
    for (const node of ['node1', 'node2', 'node3', 'node4']) {
      expect(summary.servers[`${node}/shop-1`]!.states.some((change) => change.state === 'maintenance' && change.mode === 'affinity')).toBe(true);
    }
    expect(summary.sessions.dropped).toBe(0);
    expect(summary.placement.filter((action) => action.action === 'start').length).toBeGreaterThan(0);
  });

  it('break mode: HTTP and SIP drops are counted by cause, EJB and JMS lose nothing', () => {
    const { summary, expectations } = run('scenarios/showcase-break.yaml');
    expect(expectations.filter((result) => !result.passed)).toEqual([]);
    expect(summary.protocols.http!.sessions.droppedByCause['affinity-broken']).toBeGreaterThan(0);
    expect(summary.protocols.sip!.sessions.droppedByCause['affinity-broken']).toBeGreaterThan(0);
    expect(summary.protocols.ejb!.sessions.dropped + summary.protocols.jms!.sessions.dropped).toBe(0);
    expect(summary.sessions.dropped).toBe(summary.protocols.http!.sessions.dropped + summary.protocols.sip!.sessions.dropped);
  });
});
