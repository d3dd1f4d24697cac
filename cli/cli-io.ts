/** Where the CLI writes; injected so tests and the real process share one code path. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly stderrIsTty: boolean;
}

/** A mistake the user can fix: printed as one line on stderr, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}
