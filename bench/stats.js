// Summaries of the rounds: medians resist the odd round a GC pause or a busy core spoils.
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The geometric mean: the right average of ratios (a 2× and a 0.5× cancel out). */
export function geomean(values) {
  return Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length);
}
