import cliProgress from 'cli-progress';

export interface Progress {
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr (stdout stays clean for the summary and `--json`). Without a terminal — a pipe, a log
 * file, CI — the bar is replaced by a line every `intervalMs` so a long run still shows that it moves.
 */
export function createProgress(opts: {
  enabled: boolean;
  total: number;
  format: string;
  line: (payload: Record<string, unknown>) => string;
  initial?: Record<string, unknown>;
  intervalMs?: number;
}): Progress {
  if (opts.enabled && process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { stream: process.stderr, format: opts.format, hideCursor: true, clearOnComplete: false, etaBuffer: 50, fps: 5 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(opts.total, 1), 0, opts.initial ?? {});
    return {
      update: (value, payload) => bar.update(value, payload ?? {}),
      setTotal: (t) => bar.setTotal(Math.max(t, 1)),
      stop: () => bar.stop(),
    };
  }
  if (!opts.enabled) return { update: () => {}, setTotal: () => {}, stop: () => {} };
  const interval = opts.intervalMs ?? 10_000;
  let last = Date.now();
  return {
    update: (_value, payload) => {
      const now = Date.now();
      if (now - last >= interval) {
        last = now;
        process.stderr.write(`${opts.line(payload ?? {})}\n`);
      }
    },
    setTotal: () => {},
    stop: () => {},
  };
}
