import { performance } from 'node:perf_hooks';
import type { ExchangeItem, Inbound, RoundEnd, RunResponse } from '../../gen/clustersim/v1/host.js';
import { decodeDeliveries } from './codec.js';
import { RoutingPolicyError } from '../../nodes/router/external-policy.js';
import type { HostShare } from './host-share.js';
import { ProtocolError } from './host-share.js';
import { deliveriesPerBatch, inlineBytesLimit, recordsPerMessage, recordsPerReport, windowsPerReport } from './limits.js';
import { fromWireUs, RoundPlanner, toWireUs } from './rounds.js';

/** The sending end of an exchange stream to another host. */
export interface PeerLink {
  write(item: ExchangeItem): void;
  end(): void;
}

export interface HostRunOptions {
  share: HostShare;
  hostIndex: number;
  hostCount: number;
  lookaheadUs: number;
  durationUs: number;
  answerTimeoutMs: number;
  /** Answers to the coordinator. */
  report(response: RunResponse): void;
  /** Ends the run on this host: its coordinator stream and its links are closed. */
  close(): void;
}

/**
 * One host's side of a run once it has started: it plans each window from the facts of the last
 * round, runs it, sends the other hosts their deliveries and its RoundEnd, and reports progress
 * and records to the coordinator; then it waits for every other host's RoundEnd of the round.
 * A host that closes its link or stays silent past the answer timeout ends the run, named.
 */
export class HostRun {
  private planner: RoundPlanner | undefined;
  private links: (PeerLink | undefined)[] = [];
  /** Items received from each host and not yet taken, in the order they came. */
  private readonly inbox: ExchangeItem[][];
  private readonly linkClosed: boolean[];
  /** Hosts whose RoundEnd of the current round is in. */
  private readonly roundEnded: boolean[];
  private round = 0;
  private collecting = false;
  private pumping = false;
  private over = false;
  private waitTimer: NodeJS.Timeout | undefined;
  /** What the coordinator has not been told yet. */
  private unreported = { windows: 0, frontierUs: 0, computeMs: 0, crossHostItems: 0 };

  constructor(private readonly options: HostRunOptions) {
    this.inbox = Array.from({ length: options.hostCount }, () => []);
    this.linkClosed = new Array<boolean>(options.hostCount).fill(false);
    this.roundEnded = new Array<boolean>(options.hostCount).fill(false);
  }

  get finished(): boolean {
    return this.over;
  }

  /** Runs from each host's first event, with a link to every other host. */
  start(firstEventUs: readonly number[], links: (PeerLink | undefined)[]): void {
    if (this.planner !== undefined) throw new ProtocolError('a second start on the same run');
    if (firstEventUs.length !== this.options.hostCount) throw new ProtocolError(`start names ${firstEventUs.length} hosts, not ${this.options.hostCount}`);
    this.links = links;
    this.planner = new RoundPlanner(this.options.hostIndex, this.options.lookaheadUs, this.options.durationUs, firstEventUs);
    this.pump();
  }

  /** Whether `from` names another host of this run. */
  acceptsLinkFrom(from: number): boolean {
    return Number.isInteger(from) && from >= 0 && from < this.options.hostCount && from !== this.options.hostIndex;
  }

  /** An item from another host's exchange stream. */
  receive(from: number, item: ExchangeItem): void {
    if (this.over) return;
    this.inbox[from]!.push(item);
    if (this.collecting) this.pump();
  }

  /** Another host's stream to this one ended or failed. */
  linkEnded(from: number): void {
    this.linkClosed[from] = true;
    if (this.collecting) this.pump();
  }

  /** A failure that another host is to blame for (its link failed). */
  peerFailed(peer: number, reason: string): void {
    this.fail(reason, peer);
  }

  /** Stops without a word (the coordinator went away). */
  abandon(): void {
    this.stop();
  }

  private pump(): void {
    if (this.pumping || this.over) return;
    this.pumping = true;
    try {
      for (;;) {
        if (this.collecting && !this.collectRound()) return this.armWaitTimer();
        this.collecting = false;
        if (!this.runRound()) return;
        this.collecting = true;
      }
    } catch (error) {
      if (error instanceof PeerFault) this.fail(error.message, error.host);
      else if (error instanceof RoutingPolicyError) {
        // The coordinator stops the run and writes the report so far: it gets this host's records first.
        this.report();
        this.fail(error.message, undefined, true);
      } else this.fail(error instanceof Error ? error.message : String(error));
    } finally {
      this.pumping = false;
    }
  }

  /** Takes what the other hosts sent for the current round; true once every RoundEnd is in. */
  private collectRound(): boolean {
    const { hostCount, hostIndex } = this.options;
    let complete = true;
    for (let host = 0; host < hostCount; host++) {
      if (host === hostIndex || this.roundEnded[host]) continue;
      const items = this.inbox[host]!;
      let taken = 0;
      try {
        while (taken < items.length && !this.roundEnded[host]) this.take(host, items[taken++]!);
      } catch (error) {
        throw new PeerFault(host, `sent ${error instanceof Error ? error.message : String(error)}`);
      }
      items.splice(0, taken);
      if (this.roundEnded[host]) continue;
      if (this.linkClosed[host]) throw new PeerFault(host, `closed its exchange with host ${hostIndex + 1} before the end of the run`);
      complete = false;
    }
    if (complete) {
      clearTimeout(this.waitTimer);
      this.waitTimer = undefined;
      this.roundEnded.fill(false);
    }
    return complete;
  }

  private take(from: number, exchange: ExchangeItem): void {
    const item = exchange.item;
    if (item?.$case === 'inbound') this.options.share.accept(decodeDeliveries(item.value.batch));
    else if (item?.$case === 'roundEnd') {
      const end: RoundEnd = item.value;
      for (const inbound of end.inbound) this.options.share.accept(decodeDeliveries(inbound.batch));
      if (end.round !== this.round) throw new ProtocolError(`host ${from + 1} sent the end of round ${end.round} during round ${this.round}`);
      this.planner!.add(from, { nextEventUs: fromWireUs(end.nextEventUs), earliestToUs: end.earliestToUs.map(fromWireUs) });
      this.roundEnded[from] = true;
    } else throw new ProtocolError(`host ${from + 1} sent an exchange item this host does not know`);
  }

  /** Runs the planned window and sends its results; false when the run is over. */
  private runRound(): boolean {
    const { share, hostCount, hostIndex } = this.options;
    const plan = this.planner!.plan();
    if (plan.done) {
      this.finish();
      return false;
    }
    const simulation = share.simulation;
    const startedAt = performance.now();
    if (plan.active) share.runWindow(plan.horizonUs);
    const computeMs = performance.now() - startedAt;
    this.round++;
    // The other hosts wait for this: deliveries and RoundEnd go first, in one message per host
    // when they fit; the coordinator's report after, every few windows.
    const earliestToUs = new Array<number>(hostCount).fill(Infinity);
    const inboundOf: Inbound[][] = Array.from({ length: hostCount }, () => []);
    const inlineBytes = new Array<number>(hostCount).fill(0);
    for (const part of share.drainOutbound(deliveriesPerBatch)) {
      earliestToUs[part.host] = Math.min(earliestToUs[part.host]!, part.earliestUs);
      this.unreported.crossHostItems += part.count;
      const inbound = { batch: part.batch, count: part.count };
      if (inlineBytes[part.host]! + part.batch.length <= inlineBytesLimit) {
        inlineBytes[part.host]! += part.batch.length;
        inboundOf[part.host]!.push(inbound);
      } else this.links[part.host]!.write({ item: { $case: 'inbound', value: inbound } });
    }
    const nextEventUs = simulation.nextEventTimeUs();
    const facts = { round: this.round, nextEventUs: toWireUs(nextEventUs), earliestToUs: earliestToUs.map(toWireUs) };
    for (let host = 0; host < hostCount; host++) {
      if (host !== hostIndex) this.links[host]!.write({ item: { $case: 'roundEnd', value: { ...facts, inbound: inboundOf[host]! } } });
    }
    this.planner!.add(hostIndex, { nextEventUs, earliestToUs });
    this.unreported.computeMs += computeMs;
    this.unreported.frontierUs = plan.frontierUs;
    if (++this.unreported.windows >= windowsPerReport || share.records.count >= recordsPerReport) this.report();
    return true;
  }

  /** Progress and records of the windows since the last report; records beyond one message's worth go in further reports. */
  private report(): void {
    const { share } = this.options;
    const unreported = this.unreported;
    const lists = share.records.drain(recordsPerMessage);
    let start = 0;
    do {
      let end = start;
      let bytes = 0;
      while (end < lists.length && (end === start || bytes + lists[end]!.length <= inlineBytesLimit)) bytes += lists[end++]!.length;
      this.options.report({
        report: {
          $case: 'window',
          value: {
            round: this.round,
            frontierUs: unreported.frontierUs,
            reachedUs: share.reached,
            eventsProcessed: share.simulation.eventsProcessed,
            computeMs: start === 0 ? unreported.computeMs : 0,
            crossHostItems: start === 0 ? unreported.crossHostItems : 0,
            records: lists.slice(start, end),
          },
        },
      });
      start = end;
    } while (start < lists.length);
    this.unreported = { windows: 0, frontierUs: unreported.frontierUs, computeMs: 0, crossHostItems: 0 };
  }

  private finish(): void {
    const simulation = this.options.share.simulation;
    if (this.unreported.windows > 0) this.report();
    this.options.report({
      report: { $case: 'finished', value: { eventsProcessed: simulation.eventsProcessed, pendingEvents: simulation.pendingEvents, rounds: this.round } },
    });
    this.stop();
  }

  private armWaitTimer(): void {
    if (this.waitTimer !== undefined) return;
    const round = this.round;
    this.waitTimer = setTimeout(() => {
      const { hostCount, hostIndex, answerTimeoutMs } = this.options;
      for (let host = 0; host < hostCount; host++) {
        if (host === hostIndex || this.roundEnded[host]) continue;
        return this.fail(`stopped answering (host ${hostIndex + 1} waited ${answerTimeoutMs / 1000} s for its window ${round})`, host);
      }
    }, this.options.answerTimeoutMs);
  }

  private fail(message: string, peer?: number, routingPolicy = false): void {
    if (this.over) return;
    this.options.report({
      report: { $case: 'failure', value: { message, virtualUs: this.options.share.reached, peer: peer === undefined ? 0 : peer + 1, routingPolicy } },
    });
    this.stop();
  }

  private stop(): void {
    if (this.over) return;
    this.over = true;
    clearTimeout(this.waitTimer);
    for (const link of this.links) link?.end();
    this.options.close();
  }
}

/** Another host is at fault: it left the run early, or sent what this host cannot take. */
class PeerFault extends Error {
  constructor(
    readonly host: number,
    message: string,
  ) {
    super(message);
  }
}
