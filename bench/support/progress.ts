import cliProgress from 'cli-progress';

/** A progress bar on stderr that starts on its first update (when the total is known). */
export function progress(format: string): { update(done: number, total: number): void; stop(): void } {
  const bar = new cliProgress.SingleBar({ format, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(done, total) {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
