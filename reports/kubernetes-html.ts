import type { KubernetesSummary } from '../sim/metrics/kubernetes-figures.js';
import { formatCount, formatSpan } from './charts/format.js';

/** The Kubernetes section of index.html, on its own lines: rollouts, capacity, errors by cause, each consumer's lag. Empty for other runs. */
export function kubernetesSection(kubernetes: KubernetesSummary | undefined, escape: (text: string) => string): string {
  if (kubernetes === undefined) return '';
  const rollouts = kubernetes.rollouts
    .map((rollout) => `<tr><td>${rollout.revision}</td><td>${formatSpan(rollout.startedAtUs)}</td><td>${rollout.endedAtUs === null ? 'not finished' : formatSpan(rollout.endedAtUs)}</td><td>${rollout.durationUs === null ? '' : formatSpan(rollout.durationUs)}</td></tr>`)
    .join('\n');
  const consumers = Object.entries(kubernetes.consumers)
    .map(
      ([name, consumer]) =>
        `<tr><td class="text">${escape(name)}</td><td>${consumer.updates}</td><td>${formatSpan(consumer.lagMeanUs)}</td><td>${formatSpan(consumer.lagMaxUs)}</td><td>${formatSpan(consumer.staleRoutingMaxUs)}</td><td>${formatCount(consumer.requestsToExitedPods)}</td><td class="text">${escape(causeList(consumer.errorsByCause))}</td></tr>`,
    )
    .join('\n');
  const pods = kubernetes.pods;
  const connections = kubernetes.connections;
  return `
<h2 id="kubernetes">Kubernetes</h2>
<p>${formatCount(kubernetes.errors)} failed requests${kubernetes.errors === 0 ? '' : ` (${escape(causeList(kubernetes.errorsByCause))})`}. Fewest Ready pods: ${pods.minReady} (${pods.minReadyPercent}% of the replicas); most pods not terminating: ${pods.maxNotTerminating}, with the terminating ones: ${pods.maxIncludingTerminating}; exited by SIGKILL: ${pods.exitedBySigkill}; lost with a node: ${pods.lostWithNode}. Evictions granted: ${kubernetes.evictions.granted}, refused: ${kubernetes.evictions.refused}.</p>
<p>Requests to terminating pods: ${formatCount(connections.requestsToTerminatingPods)}, ${formatCount(connections.onEstablishedConnections)} on established keep-alive connections, ${formatCount(connections.afterEveryConsumerUpdated)} after every consumer had taken the pod out; connections closed by their server on SIGTERM: ${formatCount(connections.closedByServer)}; requests reset on a connection to an exited pod: ${formatCount(connections.reset)}.</p>
${rollouts === '' ? '<p>No rollout.</p>' : `<table>\n<tr><th>revision</th><th>started</th><th>ended</th><th>duration</th></tr>\n${rollouts}\n</table>`}
<table>
<tr><th>consumer</th><th>updates</th><th>mean lag</th><th>max lag</th><th>longest routing to a stopped pod</th><th>requests to exited pods</th><th>errors by cause</th></tr>
${consumers}
</table>`;
}

function causeList(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([cause, count]) => `${cause}: ${count}`)
    .join(', ');
}
