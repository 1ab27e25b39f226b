import type { FastifyInstance } from 'fastify';
import { Client, customerBody } from './app.js';

export interface TestReseller {
  id: number;
  accountNumber: string;
  client: Client;
}

let n = 0;
/** A reseller account (created by `creator`, so possibly nested) with a signed-in portal client. */
export async function createReseller(app: FastifyInstance, creator: Client): Promise<TestReseller> {
  n++;
  const password = `reseller-pass-${n}-x`;
  const res = await creator.post(
    '/api/v1/resellers',
    customerBody({ name: `Reseller ${n} ${Date.now()}`, password }),
  );
  if (res.statusCode !== 201) throw new Error(`create reseller: ${res.statusCode} ${res.body}`);
  const r = res.json();
  return {
    id: r.id,
    accountNumber: r.accountNumber,
    client: await Client.login(app, r.accountNumber, password),
  };
}
