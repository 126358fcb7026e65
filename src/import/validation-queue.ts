/** How many imports may read and validate a file at once in one hub (each holds a workbook's shared strings). */
export const MAX_VALIDATING_IMPORTS = 2;

/** Runs at most `max` validations at a time; the others wait in arrival order. */
export interface ValidationQueue {
  run<T>(validate: () => Promise<T>): Promise<T>;
  /** Validations running now and waiting (for tests and logs). */
  readonly active: number;
  readonly waiting: number;
}

/**
 * A queue of import validations: a few large uploads at once would otherwise hold several workbooks'
 * shared strings and rows in memory together and could take the whole hub (scheduler and runs) down.
 */
export function createValidationQueue(max = MAX_VALIDATING_IMPORTS): ValidationQueue {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async run(validate) {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await validate();
      } finally {
        // The slot passes straight to the next in line, or is freed.
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    },
    get active() {
      return active;
    },
    get waiting() {
      return waiting.length;
    },
  };
}
