import { isUcapError } from '../domain/errors.ts';
import type { Logger } from './logger.ts';

/** One shutdown step, run in order: stop taking work first, release resources last. */
export type StopStep = () => Promise<void>;

export interface StopOnSignalsOptions {
  /** What the service does while stopping, for the log line ("draining buffered readings"). */
  readonly draining: string;
  /** Exit anyway after this long, so a stuck dependency cannot hold a deploy forever. */
  readonly forceAfterMs?: number;
  /** What is still being drained (counts), reported when a second signal arrives mid-drain. */
  readonly inFlight?: () => Readonly<Record<string, number>>;
}

/** Signals that stop a service; the third one while draining exits at once. */
const FORCE_ON_SIGNAL = 3;

/**
 * SIGINT/SIGTERM: run the steps in order, log once, exit 0 when all went well, 1 otherwise.
 * A second signal while draining does not cut the drain short (that would lose what is in flight):
 * it reports what is still being drained and that one more signal forces exit. The third exits
 * at once with code 130, leaving unacknowledged readings to their senders.
 */
export function stopOnSignals(
  logger: Logger,
  steps: readonly StopStep[],
  options: StopOnSignalsOptions,
): void {
  let signals = 0;
  const shutdown = async (signal: string) => {
    signals += 1;
    if (signals >= FORCE_ON_SIGNAL) {
      logger.warn(
        { signal, inFlight: options.inFlight?.() },
        'forced exit: what was in flight stays unacknowledged',
      );
      process.exit(130);
    }
    if (signals > 1) {
      logger.warn(
        { signal, inFlight: options.inFlight?.() },
        `still ${options.draining}; press Ctrl-C once more (or send ${signal} again) to exit without waiting`,
      );
      return;
    }
    logger.info({ signal }, `stopping: ${options.draining}`);
    const forceAfterMs = options.forceAfterMs ?? 30_000;
    setTimeout(() => {
      logger.error({ forceAfterMs }, 'shutdown took too long; exiting anyway');
      process.exit(1);
    }, forceAfterMs).unref();
    try {
      for (const step of steps) await step();
      logger.info('stopped cleanly');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

/** Runs a service's main; a start-up failure is logged as one fatal line (the message, not a stack, for our own errors). */
export function runMain(logger: Logger, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (isUcapError(error)) logger.fatal({ code: error.code }, error.message);
    else logger.fatal({ err: error }, 'start-up failed');
    process.exitCode = 1;
    setTimeout(() => process.exit(1), 100).unref();
  });
}
