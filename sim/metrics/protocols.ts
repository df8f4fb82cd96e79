import { Protocol } from '../../gen/clustersim/v1/cluster.js';

/** Protocols in the order every chart and window lists them. */
export const seriesProtocols = [Protocol.HTTP, Protocol.SIP, Protocol.EJB, Protocol.JMS] as const;

/** Each protocol's place in `seriesProtocols`, by protocol code (-1 for the others). */
export const slotOfProtocol: readonly number[] = Array.from({ length: Math.max(...seriesProtocols) + 1 }, (_, code) => seriesProtocols.indexOf(code as (typeof seriesProtocols)[number]));

/** Protocol names as summary.json writes them, in `seriesProtocols` order. */
export const seriesProtocolNames = ['http', 'sip', 'ejb', 'jms'] as const;
