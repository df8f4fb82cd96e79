/**
 * How much of its weight a backend gets while it warms up after coming (back) into service.
 * The load balancer multiplies the backend's weight by the factor; 1 once the window is over.
 */

/** HAProxy `slowstart`, NGINX `slow_start`, ALB slow start: a linear ramp from 0 to the full weight over the window. */
export function linearRampFactor(elapsedUs: number, windowUs: number): number {
  if (windowUs <= 0 || elapsedUs >= windowUs) return 1;
  return Math.max(0, elapsedUs) / windowUs;
}

/**
 * Envoy's slow start: weight × max(min_weight_percent, time_factor^(1/aggression)), with
 * time_factor = max(seconds since start, 1) / window in seconds.
 */
export function envoyRampFactor(elapsedUs: number, windowUs: number, aggression: number, minWeightPercent: number): number {
  if (windowUs <= 0 || elapsedUs >= windowUs) return 1;
  const timeFactor = Math.max(elapsedUs, 1_000_000) / windowUs;
  return Math.min(1, Math.max(minWeightPercent / 100, timeFactor ** (1 / aggression)));
}
