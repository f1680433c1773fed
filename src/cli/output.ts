/**
 * Where the CLI writes: progress and notes go to stderr, results (summaries, `--json`) to stdout, so
 * `yilian import … --json > result.json` captures only the result.
 */
let quiet = false;

export function setQuiet(value: boolean): void {
  quiet = value;
}

/** A note for the operator on stderr; silenced by `--quiet`. */
export function say(message: string): void {
  if (!quiet) process.stderr.write(`${message}\n`);
}

/** A result on stdout. */
export function print(message: string): void {
  process.stdout.write(`${message}\n`);
}
