import type { FastifyInstance } from 'fastify';

/**
 * Responses sent after close() began carry `Connection: close`. Without it a keep-alive client
 * (browsers, Grafana, fetch) holds its socket open after its last answer and close() waits for the
 * keep-alive timeout (72 s) instead of returning once in-flight requests are answered.
 */
export function releaseConnectionsOnClose(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply, payload) => {
    if (closing) reply.header('connection', 'close');
    return payload;
  });
}
