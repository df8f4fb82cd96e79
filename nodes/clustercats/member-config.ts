import type { Distribution } from '../../sim/kernel/distributions.js';

export interface MemberConfig {
  name: string;
  /** This member's actor index. */
  self: number;
  /** The IP address this member owns and clients reach it by. */
  address: string;
  /** Every member, this one included, in ring order: failover coordination follows it. */
  ring: readonly number[];
  /** The LAN segment that delivers packets to the holder of an address. */
  lan: number;
  threads: number;
  queueLimit: number;
  service: Distribution;
  gradualThresholdPercent: number;
  peakThresholdPercent: number;
  /** On: users who hold a session stay on this member; off: every request is balanced. */
  sessionAware: boolean;
  /** Dynamic addressing gives a taken-over address back; static makes a returning member meet a conflict. */
  dynamicAddressing: boolean;
  heartbeatIntervalUs: number;
  failureTimeoutUs: number;
  loadReportIntervalUs: number;
  /** With memory-to-memory replication: the buddy that keeps copies of this member's sessions. */
  buddy: number | undefined;
  /** Time added to a request whose session is copied to the buddy. */
  replicationCostUs: number;
  /** The run's fault schedule, only to label suspicions for the reports. */
  isDown: (member: number, atUs: number) => boolean;
}
