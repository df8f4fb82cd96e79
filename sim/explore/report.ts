import type { ExploreStepKind } from '../scenario/schema.js';
import type { Exploration, FailureGroup } from './explore.js';
import type { ExploreBase } from './jobs.js';
import { formatDuration } from '../scenario/units.js';
import { describeStep, scheduleScenarioText, timelineStep, type ScheduleStep } from './schedule.js';

// The findings page has no charts: it escapes its text itself rather than load the chart renderers.
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The name of a group's reproducer in the output directory. */
export function reproducerFile(groupIndex: number): string {
  return `failure-${groupIndex + 1}.yaml`;
}

/** The schedule a group's reproducer holds: the shrunk one, or the failing run's when shrinking was cut short. */
export function reproducerSteps(group: FailureGroup): ScheduleStep[] {
  return group.shrunk?.steps ?? group.run.steps;
}

/** The standalone scenario that reproduces a group's failure with `clustersim run`. */
export function reproducerText(base: ExploreBase, group: FailureGroup): string {
  const failure = group.shrunk?.failure ?? group.run.failure;
  const description = `Found by clustersim explore (run ${group.run.index}${group.shrunk === undefined ? ', not shrunk' : `, shrunk from ${group.run.steps.length} steps`}): ${failure.rule}${failure.actor === '' ? '' : ` on ${failure.actor}`}: ${failure.detail}`;
  return scheduleScenarioText(base.text, reproducerSteps(group), { seed: group.run.seed, extraExpect: base.space.expect, description });
}

/** Runs in which each step kind appeared, by protocol that carried sessions in them. */
export function coverage(exploration: Exploration): Record<string, Record<string, number>> {
  const table: Record<string, Record<string, number>> = {};
  for (const kind of exploration.kinds) table[kind] = {};
  for (const run of exploration.runs) {
    for (const kind of run.stepKinds) {
      const row = (table[kind] ??= {});
      row['runs'] = (row['runs'] ?? 0) + 1;
      for (const protocol of run.protocols) row[protocol] = (row[protocol] ?? 0) + 1;
    }
  }
  return table;
}

/** explore.json: the findings, with nothing of wall time, so that the same seed gives the same bytes. */
export function findingsJson(exploration: Exploration): string {
  const failing = exploration.runs.filter((run) => run.failures.length > 0).length;
  const findings = {
    scenario: exploration.name,
    file: exploration.file,
    seed: exploration.seed,
    runs: { planned: exploration.runsPlanned, done: exploration.runs.length, failing },
    interrupted: exploration.interrupted,
    kinds: exploration.kinds,
    failures: exploration.groups.map((group, index) => ({
      rule: group.rule,
      actor: group.actor,
      group: group.key,
      count: group.count,
      file: reproducerFile(index),
      found: { run: group.run.index, seed: group.run.seed, steps: group.run.steps.map(describeStep), failure: group.run.failure },
      shrunk:
        group.shrunk === undefined
          ? null
          : { steps: group.shrunk.steps.map(describeStep), timeline: group.shrunk.steps.map(timelineStep), failure: group.shrunk.failure, runs: group.shrunk.tries, minimal: !group.shrunk.exhausted },
    })),
    coverage: coverage(exploration),
    runList: exploration.runs.map((run) => ({ index: run.index, seed: run.seed, kinds: run.kinds, steps: run.steps, failures: run.failures })),
  };
  return `${JSON.stringify(findings, null, 2)}\n`;
}

function stepList(steps: readonly ScheduleStep[]): string {
  return steps.length === 0 ? '<p>(no steps: the scenario fails on its own)</p>' : `<ol>${steps.map((step) => `<li><code>${escapeHtml(describeStep(step))}</code></li>`).join('')}</ol>`;
}

/** index.html: failures by rule with their minimal timelines, coverage of step kinds by protocol, runs done. */
export function findingsHtml(exploration: Exploration): string {
  const failing = exploration.runs.filter((run) => run.failures.length > 0).length;
  const verdict = exploration.groups.length === 0 ? 'pass' : 'fail';
  const groups = exploration.groups
    .map((group, index) => {
      const failure = group.shrunk?.failure ?? group.run.failure;
      const shrunk = group.shrunk === undefined ? '<p>Not shrunk (the exploration was stopped first): the failing run\'s schedule.</p>' : `<p>Shrunk from ${group.run.steps.length} to ${group.shrunk.steps.length} steps in ${group.shrunk.tries} runs${group.shrunk.exhausted ? ' (budget spent: may not be minimal)' : ''}.</p>`;
      return `<section class="group"><h3>${index + 1}. <code>${escapeHtml(group.rule)}</code>${group.actor === '' ? '' : ` on <code>${escapeHtml(failure.actor)}</code>`}</h3>
<p>${group.count} of ${exploration.runs.length} runs; the one shrunk (fewest steps): run ${group.run.index}, seed ${group.run.seed}. At ${formatDuration(failure.timeUs)}: ${escapeHtml(failure.detail)}</p>
${shrunk}${stepList(reproducerSteps(group))}
<p>Reproduce: <code>npx clustersim run ${escapeHtml(reproducerFile(index))}</code> (<a href="${escapeHtml(reproducerFile(index))}">${escapeHtml(reproducerFile(index))}</a>)</p></section>`;
    })
    .join('\n');
  const table = coverage(exploration);
  const protocols = [...new Set(Object.values(table).flatMap((row) => Object.keys(row)))].filter((key) => key !== 'runs').sort();
  const coverageRows = (Object.entries(table) as [ExploreStepKind, Record<string, number>][])
    .map(([kind, row]) => `<tr><td><code>${escapeHtml(kind)}</code></td><td>${row['runs'] ?? 0}</td>${protocols.map((protocol) => `<td>${row[protocol] ?? 0}</td>`).join('')}</tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clustersim explore: ${escapeHtml(exploration.name)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 70rem; color: #222; }
.verdict { padding: 0.1rem 0.5rem; border-radius: 0.3rem; color: #fff; font-size: 0.8em; }
.verdict.pass { background: #2e7d32; } .verdict.fail { background: #c62828; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: right; }
td:first-child, th:first-child { text-align: left; }
.group { border-left: 4px solid #c62828; padding-left: 1rem; margin-bottom: 1.5rem; }
</style></head><body>
<h1>${escapeHtml(exploration.name)}: explored schedules <span class="verdict ${verdict}">${verdict.toUpperCase()}</span></h1>
<p>Scenario <code>${escapeHtml(exploration.file)}</code>, explorer seed ${exploration.seed}: ${exploration.runs.length} of ${exploration.runsPlanned} runs done${exploration.interrupted ? ' (INTERRUPTED: what was found so far)' : ''}, ${failing} failing, ${exploration.groups.length} distinct failures.</p>
<h2>Failures by rule</h2>
${groups === '' ? '<p>None: every schedule held every invariant and expectation.</p>' : groups}
<h2>Coverage</h2>
<p>Runs with a step of each kind, and of those, the runs in which each protocol carried sessions.</p>
<table><tr><th>step kind</th><th>runs</th>${protocols.map((protocol) => `<th>${escapeHtml(protocol)}</th>`).join('')}</tr>
${coverageRows}
</table>
</body></html>
`;
}

/** Every file of an exploration's output directory. */
export function explorationFiles(base: ExploreBase, exploration: Exploration): Map<string, string> {
  const files = new Map<string, string>();
  files.set('explore.json', findingsJson(exploration));
  // summary.json marks the directory as clustersim's, so that the next exploration may replace it.
  const verdict = exploration.groups.length === 0 ? 'pass' : 'fail';
  files.set('summary.json', `${JSON.stringify({ explore: exploration.name, verdict, runs: exploration.runs.length, failures: exploration.groups.length, findings: 'explore.json' }, null, 2)}\n`);
  exploration.groups.forEach((group, index) => files.set(reproducerFile(index), reproducerText(base, group)));
  files.set('index.html', findingsHtml(exploration));
  return files;
}
