/**
 * Exit codes of the `yilian` command: 0 = the run completed (an import with rejected rows still completed),
 * 1 = a fatal error stopped it, 2 = the command line or the configuration was wrong.
 */
export const EXIT_OK = 0;
export const EXIT_FATAL = 1;
export const EXIT_USAGE = 2;

/** The command was called wrongly (missing option, unknown role, bad configuration): exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The run cannot go on (database unreachable, data directory held, sign-in refused): exit 1. */
export class FatalError extends Error {
  override readonly name = 'FatalError';
}
