/**
 * The floor of `bench:auth`: a bare Fastify server on the same machine, driven by the same load
 * generator. One route that parses the same JSON body and answers a small JSON object, no auth,
 * no logging: what HTTP + JSON cost here before any decision is made.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/floor', async (req) => {
  const body = req.body as { callId?: string };
  return { callId: body.callId ?? null, decision: 'allow', grantSec: 300 };
});
app
  .listen({ port: 0, host: '127.0.0.1' })
  .then(() => {
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(`floor listening on http://localhost:${port}\n`);
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
