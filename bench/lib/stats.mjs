/** Order statistics over plain number arrays. Pure. */

/** The q-quantile (0..1) by linear interpolation between closest ranks. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export const median = (values) => quantile(values, 0.5);

/** Median, min and max of the per-repetition values of one figure. */
export function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), reps: values };
}

export function round(value, digits = 2) {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
