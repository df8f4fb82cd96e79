import type { Message } from '../../nodes/messages.js';
import type { RecordSink } from '../kernel/actor.js';
import { Simulation } from '../kernel/simulation.js';
import { Collector, type CollectedFigures } from '../metrics/collector.js';
import type { SimRecord } from '../metrics/records.js';
import type { LoadedScenario } from '../scenario/load.js';
import { buildTopology, type Topology } from './build.js';

export interface RunOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Called now and then with the virtual time reached, for a progress display. */
  onProgress?: (virtualUs: number, eventsProcessed: number) => void;
  /** Sees every record too, in canonical order (tests check invariants over them). */
  recordTap?: RecordSink<SimRecord>;
}

export interface RunResult {
  loaded: LoadedScenario;
  seed: number;
  topology: Topology;
  figures: CollectedFigures;
  eventsProcessed: number;
  pendingEventsAtEnd: number;
}

// Number of samples in the time series of a run (the charts' resolution).
const samplesPerRun = 240;
const progressSliceCount = 100;

/** The recorder of a run: the same for a run in-process and a run spread over node hosts. */
export function createCollector(loaded: LoadedScenario, topology: Topology): Collector {
  return new Collector({
    actorNames: topology.actorNames,
    servers: topology.servers,
    sampleEveryUs: Math.max(1, Math.ceil(loaded.scenario.duration / samplesPerRun)),
    durationUs: loaded.scenario.duration,
    windows: samplesPerRun,
  });
}

/** Runs a scenario in-process, start to end, and returns what was collected. */
export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): RunResult {
  const scenario = loaded.scenario;
  const seed = options.seed ?? scenario.seed;
  const topology = buildTopology(loaded, seed);
  const collector = createCollector(loaded, topology);
  const simulation = new Simulation<Message, SimRecord>({
    seed,
    actors: topology.actors,
    actorNames: topology.actorNames,
    network: topology.network,
    sink: options.recordTap === undefined ? collector : teeSink(collector, options.recordTap),
  });
  for (const event of topology.initialEvents) simulation.schedule(event.atUs, event.origin, event.target, event.message);

  const sliceUs = Math.max(1, Math.ceil(scenario.duration / progressSliceCount));
  for (let endUs = sliceUs; ; endUs += sliceUs) {
    const sliceEndUs = Math.min(endUs, scenario.duration);
    simulation.runUntil(sliceEndUs);
    options.onProgress?.(sliceEndUs, simulation.eventsProcessed);
    if (sliceEndUs >= scenario.duration) break;
  }
  const figures = collector.finish(scenario.duration);
  return {
    loaded,
    seed,
    topology,
    figures,
    eventsProcessed: simulation.eventsProcessed,
    pendingEventsAtEnd: simulation.pendingEvents,
  };
}

function teeSink(first: RecordSink<SimRecord>, second: RecordSink<SimRecord>): RecordSink<SimRecord> {
  return {
    record(timeUs, actor, record) {
      first.record(timeUs, actor, record);
      second.record(timeUs, actor, record);
    },
  };
}
