// Request rate limits: token buckets, one per connection (kept with the connection, so it
// goes when the connection goes) and one per proven sender DID (kept in a map that forgets
// buckets once they have refilled, so a flood of fresh DIDs does not grow it for good).

/** A token bucket: `rate` tokens a second, at most `burst` saved up; it starts full. */
export class TokenBucket {
  constructor(rate, burst, now = performance.now()) {
    this.rate = rate;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
    this.at = now;
  }

  /** Takes a token: 0 when there was one, else the seconds until there will be (nothing taken). */
  take(now = performance.now()) {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return (1 - this.tokens) / this.rate;
  }

  /** True once refilled to its burst: a new bucket would behave the same. */
  full(now) {
    return this.tokens + ((now - this.at) / 1000) * this.rate >= this.burst;
  }
}

/** A rate or a burst of 0 turns the limit off. */
const limited = (rate, burst) => rate > 0 && burst > 0;

/** A bucket for a new connection, or null when there is no limit. */
export const connectionBucket = ({ rate, burst }) => (limited(rate, burst) ? new TokenBucket(rate, burst) : null);

/** Token buckets by key (a sender DID). */
export class RateLimiter {
  #buckets = new Map();
  #rate;
  #burst;
  #sweepAt = 0;

  constructor({ rate, burst }) {
    this.#rate = rate;
    this.#burst = burst;
  }

  /** As `TokenBucket.take`, for the bucket of `key`. */
  take(key) {
    if (!limited(this.#rate, this.#burst)) return 0;
    const now = performance.now();
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      this.#sweep(now);
      bucket = new TokenBucket(this.#rate, this.#burst, now);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  /** Drops the refilled buckets, at most once per refill time (so the cost per take stays constant). */
  #sweep(now) {
    if (now < this.#sweepAt) return;
    this.#sweepAt = now + (this.#burst / this.#rate) * 1000;
    for (const [key, bucket] of this.#buckets) if (bucket.full(now)) this.#buckets.delete(key);
  }
}

/** A Retry-After value (whole seconds, at least 1) for a wait of `seconds`. */
export const retryAfter = (seconds) => String(Math.max(1, Math.ceil(seconds)));
