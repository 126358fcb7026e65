/**
 * Fault injection shared by the emulators: server errors, latency, hung requests and 429 storms, driven
 * by a seeded random source so that a failing run can be replayed exactly.
 */

/** Fault settings every emulator understands; every field can be changed at run time with `setFaults`. */
export interface EmulatorFaults {
  /** Share of calls (0..1) answered with a 500, 502 or 503. */
  errorRate: number;
  /** Delay before each answer: fixed milliseconds or a [min, max] range. */
  latencyMs: number | [number, number];
  /** Share of calls (0..1) held without an answer for `timeoutMs`, after which the socket is closed. */
  timeoutRate: number;
  /** How long a hung call is held. */
  timeoutMs: number;
  /** Every call answers 429, as when other integrations exhaust the same budget. */
  rateLimitStorm: boolean;
  /** Seed of the random source; the same seed gives the same faults in the same order. */
  seed?: number;
}

/** Settings without any fault. */
export const NO_FAULTS: EmulatorFaults = {
  errorRate: 0,
  latencyMs: 0,
  timeoutRate: 0,
  timeoutMs: 30_000,
  rateLimitStorm: false,
};

// mulberry32: tiny, fast and good enough to spread faults evenly.
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Decides, call by call, which faults happen; emulators extend it with their own settings. */
export class SeededFaultInjector<F extends EmulatorFaults> {
  private faults: F;
  private random: () => number;
  private paused: { until: Promise<void>; resume: () => void } | null = null;

  constructor(
    private readonly defaults: F,
    private readonly initial: Partial<F> = {},
  ) {
    this.faults = { ...defaults, ...initial };
    this.random = seededRandom(this.faults.seed ?? Date.now());
  }

  /** The settings in force. */
  get current(): Readonly<F> {
    return this.faults;
  }

  /** Changes some settings; a new `seed` restarts the random source. */
  set(partial: Partial<F>): void {
    this.faults = { ...this.faults, ...partial };
    if (partial.seed !== undefined) this.random = seededRandom(partial.seed);
  }

  /**
   * Holds every call from now on until `resume()`: a test that must see a run while it runs holds it
   * there, instead of betting on a latency outlasting a page load on a busy machine.
   */
  pause(): void {
    if (this.paused) return;
    let resume = () => {};
    const until = new Promise<void>((resolve) => {
      resume = resolve;
    });
    this.paused = { until, resume };
  }

  /** Lets held calls (and new ones) through. */
  resume(): void {
    this.paused?.resume();
    this.paused = null;
  }

  /** Resolves when calls may go on: at once unless paused. */
  whenResumed(): Promise<void> | undefined {
    return this.paused?.until;
  }

  /** Back to the settings the emulator was created with. */
  reset(): void {
    this.resume();
    this.faults = { ...this.defaults, ...this.initial };
    this.random = seededRandom(this.faults.seed ?? Date.now());
  }

  /** Milliseconds to wait before answering. */
  latency(): number {
    const l = this.faults.latencyMs;
    if (typeof l === 'number') return l;
    return l[0] + Math.floor(this.random() * (l[1] - l[0] + 1));
  }

  /** Whether this call hangs. */
  shouldHang(): boolean {
    return this.faults.timeoutRate > 0 && this.random() < this.faults.timeoutRate;
  }

  /** The 5xx status this call fails with, or undefined. */
  serverError(): 500 | 502 | 503 | undefined {
    if (this.faults.errorRate <= 0 || this.random() >= this.faults.errorRate) return undefined;
    const codes = [500, 502, 503] as const;
    return codes[Math.floor(this.random() * codes.length)] ?? 500;
  }
}
