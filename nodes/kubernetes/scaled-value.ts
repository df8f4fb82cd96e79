/**
 * A count or a percentage of a total, as Kubernetes resolves an IntOrString field
 * (`maxSurge: 25%`): a percentage is scaled to the total and rounded up or down, as the field's
 * owner decides.
 */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.slice(0, -1));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
