import { measureDistributed, wideScenario } from './distributed.js';
import type { Figure } from './figure.js';

/** The distributed run on 2 node hosts over gRPC on loopback against in-process, and the exchange against a raw batched stream. */
export async function distributedFigures(): Promise<Figure[]> {
  const distributed = await measureDistributed({ hosts: 2 });
  const wide = await measureDistributed({ hosts: 2, scenarioText: wideScenario });
  return [
    {
      name: 'distributed run, 2 hosts',
      value: distributed.distributedEventsPerSecond,
      unit: 'events/s',
      ratio: distributed.eventRateRatio,
      target: '>= 0.2 of in-process',
      pass: distributed.eventRateRatio >= 0.2,
      note: `in-process ${Math.round(distributed.inProcessEventsPerSecond).toLocaleString('en-US')} events/s; ${Math.round(distributed.eventsPerWindow)} events per window`,
    },
    {
      name: 'cross-host exchange at capacity',
      value: distributed.exchangeItemsPerSecond,
      unit: 'items/s',
      ratio: distributed.exchangeRatio,
      target: '>= 0.5 of raw stream',
      pass: distributed.exchangeRatio >= 0.5,
      note: `raw batched grpc-js stream of the same deliveries ${Math.round(distributed.rawStreamItemsPerSecond).toLocaleString('en-US')} items/s; transport ceiling (bytes never parsed) ${Math.round(distributed.bytesStreamItemsPerSecond).toLocaleString('en-US')} items/s`,
    },
    {
      name: 'cross-host exchange in the run',
      value: distributed.runItemsPerSecond,
      unit: 'items/s',
      ratio: distributed.runExchangeRatio,
      note: `${distributed.crossHostItems.toLocaleString('en-US')} deliveries crossed; bound by the simulation that makes them`,
    },
    {
      name: 'distributed run, 2 hosts, 10 ms lookahead',
      value: wide.distributedEventsPerSecond,
      unit: 'events/s',
      ratio: wide.eventRateRatio,
      note: `in-process ${Math.round(wide.inProcessEventsPerSecond).toLocaleString('en-US')} events/s; ${Math.round(wide.eventsPerWindow)} events per window; in-run exchange ${wide.runExchangeRatio.toFixed(3)} of raw`,
    },
  ];
}
