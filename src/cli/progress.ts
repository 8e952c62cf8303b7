import cliProgress from 'cli-progress';

export interface ProgressBar {
  /** Pass as a domain function's `onProgress`; starts the bar on the first call. */
  update(done: number, total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr for a long command, shown only when stderr is a terminal (and the
 * output is not meant for a machine), so logs and `--json` stay clean.
 *
 *   const bar = progressBar('import [{bar}] {percentage}% | eta {eta_formatted}', !options.json);
 *   try { await importCsv({ ..., onProgress: bar.update }); } finally { bar.stop(); }
 */
export function progressBar(format: string, wanted = true): ProgressBar {
  const bar =
    wanted && process.stderr.isTTY
      ? new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic)
      : undefined;
  let started = false;
  return {
    update(done, total) {
      if (!bar) return;
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop() {
      if (started) bar?.stop();
      started = false;
    },
  };
}
