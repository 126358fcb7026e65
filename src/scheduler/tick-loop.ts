import type { Logger } from 'pino';

/**
 * The tick loop both schedulers share: calls `tick` every `tickMs` until halted. A failed tick is logged
 * and the loop goes on; the next tick waits for the previous one, so ticks never overlap.
 */
export class TickLoop {
  private halted = false;
  /** A poke that came while a tick ran: the next tick follows at once. */
  private poked = false;
  private wake: (() => void) | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly tickMs: number,
    private readonly log: Logger,
  ) {}

  /** True once `halt()` has been called. */
  get stopped(): boolean {
    return this.halted;
  }

  /** Starts ticking now (the first tick runs at once). */
  start(tick: () => Promise<void>): void {
    this.running = (async () => {
      while (!this.halted) {
        this.poked = false;
        await tick().catch((err) => this.log.error({ err }, 'scheduler tick failed'));
        if (this.halted) break;
        if (this.poked) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.tickMs);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    })();
  }

  /** Cuts the current wait short: the next tick runs now (or right after the one in progress). */
  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Stops the loop and cuts the current wait short; a tick in progress finishes. */
  halt(): void {
    this.halted = true;
    this.wake?.();
  }

  /** Resolves once the loop has ended (after `halt()`). */
  done(): Promise<void> {
    return this.running;
  }
}
