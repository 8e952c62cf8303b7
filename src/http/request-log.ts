import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

/**
 * How the app logs: `false` for nothing (tests, the e2e console), or structured JSON lines
 * (pino, Fastify's logger) at `level` to `stream` (default stdout). `kizuna serve` logs at info.
 */
export type AppLogger = false | { level?: string; stream?: { write(line: string): void } };

/**
 * Every request gets an id of its own (never one a client sends, which could forge log lines):
 * each log line of the request carries it as `reqId`, and so does the answer (the
 * `x-request-id` header, and `requestId` in a 500's body), so an operator finds the logged
 * error from what a user reports.
 */
export function loggingOptions(logger: AppLogger | undefined): Pick<FastifyServerOptions, 'logger' | 'genReqId' | 'requestIdHeader'> {
  return {
    logger: logger ? { level: logger.level ?? 'info', ...(logger.stream ? { stream: logger.stream } : {}) } : false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
  };
}

/** Sends the request id back on every answer, errors included. */
export function registerRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
}
