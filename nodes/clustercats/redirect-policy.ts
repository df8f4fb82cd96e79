import type { NodeContext } from '../messages.js';
import type { PeerView, PeerViews } from './peer-views.js';

/** What a member's redirect choice reads of it. */
export interface RedirectInputs {
  draining: boolean;
  loadPercent: number;
  gradualPercent: number;
  peakPercent: number;
}

/** Why a new request should go elsewhere, or undefined to serve it here. */
export function redirectReason(member: RedirectInputs, opens: boolean, context: NodeContext): string | undefined {
  if (member.draining) return opens ? 'service-stopped' : undefined;
  const load = member.loadPercent;
  if (member.peakPercent === 0 || load >= member.peakPercent) return 'peak';
  if (load <= member.gradualPercent) return undefined;
  // Between the thresholds the share redirected grows linearly from 0 to 1.
  const share = (load - member.gradualPercent) / (member.peakPercent - member.gradualPercent);
  return context.rng('redirect')() < share ? 'gradual' : undefined;
}

/**
 * Where a request redirected for `reason` goes. A member in maintenance (peak 0%) sends it to
 * the most available running member even if that one is past its own peak: it is available,
 * this one is not. With no running member to send it to (every member in maintenance) the
 * member serves it itself: there is nowhere else, and a user is never turned away for load.
 */
export function redirectTarget(views: PeerViews, reason: string, loadPercent: number, peakPercent: number): PeerView | undefined {
  if (reason === 'gradual') return views.mostAvailable(loadPercent);
  return views.mostAvailable(-1, peakPercent === 0);
}
