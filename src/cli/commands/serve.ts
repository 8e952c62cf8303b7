import type { RegisterCommand } from '../context.ts';
import { progressBar } from '../progress.ts';

export const registerServeCommand: RegisterCommand = (program, context) => {
  program
    .command('serve')
    .description('run the API and the console (PORT, HOST, DATABASE_URL, KIZUNA_DATA_DIR from the environment)')
    .option('--port <port>', 'port to listen on', (v) => Number(v))
    .action(async (options: { port?: number }) => {
      const config = { ...context.config, ...(options.port ? { port: options.port } : {}) };
      // Loaded here, not at the top: the server (Fastify, Swagger, the console) costs every other command a second to import.
      const { startServer } = await import('../../server.ts');
      const bar = progressBar('demo brand [{bar}] {value}/{total} profiles | eta {eta_formatted}');
      const server = await startServer(config, {
        log: (line) => console.log(line),
        onDemoProgress: (done, total) => {
          bar.update(done, total);
          if (done >= total) bar.stop();
        },
      });
      await new Promise<void>((resolve) => {
        const shutdown = () => {
          console.log('Stopping Kizuna...');
          server.stop().then(resolve, (error: unknown) => {
            console.error(error);
            resolve();
          });
        };
        process.once('SIGINT', shutdown);
        process.once('SIGTERM', shutdown);
      });
    });
};
