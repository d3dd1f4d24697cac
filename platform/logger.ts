import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * One structured JSON line per event. Pretty output only when a person watches a terminal;
 * never chosen by NODE_ENV, so production logs stay machine-readable whatever the environment.
 */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  const options: LoggerOptions = {
    name,
    level,
    // Secrets never reach a log line, even if a caller passes a whole config or packet by mistake.
    redact: {
      paths: ['password', '*.password', 'secret', '*.secret', 'token', '*.token'],
      censor: '[redacted]',
    },
  };
  if (process.stdout.isTTY && process.env.LOG_FORMAT !== 'json') {
    return pino({
      ...options,
      transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss' } },
    });
  }
  return pino(options);
}

/** A logger that writes nothing, for tests that build services directly. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
