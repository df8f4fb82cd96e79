import { Protocol, ServerState } from '../../gen/clustersim/v1/cluster.js';

/** One colour per protocol, the same in every chart. */
export const protocolColors: Readonly<Record<number, string>> = {
  [Protocol.HTTP]: '#1f77b4',
  [Protocol.SIP]: '#ff7f0e',
  [Protocol.EJB]: '#9467bd',
  [Protocol.JMS]: '#8c564b',
};

export const protocolLabels: Readonly<Record<number, string>> = {
  [Protocol.HTTP]: 'HTTP',
  [Protocol.SIP]: 'SIP',
  [Protocol.EJB]: 'EJB',
  [Protocol.JMS]: 'JMS',
};

/** Server states in legend order, with their band colours. */
export const stateStyles: readonly { state: ServerState; label: string; color: string }[] = [
  { state: ServerState.RUNNING, label: 'running', color: '#c7e9c0' },
  { state: ServerState.STARTING, label: 'starting', color: '#9ecae1' },
  { state: ServerState.MAINTENANCE, label: 'maintenance', color: '#fdd0a2' },
  { state: ServerState.DRAINING, label: 'draining', color: '#fd8d3c' },
  { state: ServerState.STOPPED, label: 'stopped', color: '#bdbdbd' },
  { state: ServerState.FAILED, label: 'failed', color: '#de2d26' },
];

export const annotationColors = { fault: '#b10026', maintenance: '#e6550d', address: '#3182bd', drain: '#756bb1' } as const;

export const markColors = { deadline: '#c62828', drained: '#2e7d32', cut: '#c62828' } as const;
