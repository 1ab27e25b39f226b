import type pg from 'pg';

/**
 * `COPY ... FROM STDIN` on a node-postgres client, without a dependency: a minimal "submittable"
 * (the protocol pg-copy-streams implements) that sends text chunks and resolves with the row count.
 * PostgreSQL only; PGlite's adapter has no COPY. The client must stay checked out until `end()`
 * or `fail()` settles, and nothing else may run on it meanwhile.
 */
export interface CopyIn {
  /** Sends one chunk (whole lines of COPY text); waits when the socket buffer is full. */
  write(chunk: string): Promise<void>;
  /** Ends the data; resolves with the number of rows copied. */
  end(): Promise<number>;
  /** Aborts the COPY (the statement fails, and with it the transaction). */
  fail(reason: string): Promise<void>;
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(msg: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
}

export async function copyIn(client: pg.PoolClient, statement: string): Promise<CopyIn> {
  let connection: PgConnection | null = null;
  let rowCount = 0;
  let error: Error | null = null;
  let onStart: () => void = () => {};
  let onStartError: (e: Error) => void = () => {};
  let onDone: (n: number) => void = () => {};
  let onDoneError: (e: Error) => void = () => {};
  const started = new Promise<void>((res, rej) => ((onStart = res), (onStartError = rej)));
  const done = new Promise<number>((res, rej) => ((onDone = res), (onDoneError = rej)));
  done.catch(() => {}); // observed through end()/fail()

  const submittable = {
    submit(conn: PgConnection) {
      connection = conn;
      conn.query(statement);
    },
    handleCopyInResponse() {
      onStart();
    },
    handleCommandComplete(msg: { text?: string }) {
      const m = /^COPY (\d+)/.exec(msg.text ?? '');
      rowCount = m ? Number(m[1]) : 0;
    },
    handleReadyForQuery() {
      if (error) onDoneError(error);
      else onDone(rowCount);
    },
    handleError(err: Error) {
      error = err;
      onStartError(err);
      onDoneError(err);
    },
    handleEmptyQuery() {},
    handleRowDescription() {},
    handleDataRow() {},
    handleCopyData() {},
    handlePortalSuspended() {},
  };
  (client as unknown as { query(s: unknown): unknown }).query(submittable);
  await started;
  const conn = () => connection!;
  return {
    async write(chunk: string) {
      if (error) throw error;
      conn().sendCopyFromChunk(Buffer.from(chunk, 'utf8'));
      const stream = conn().stream;
      if (stream.writableNeedDrain) await new Promise<void>((res) => stream.once('drain', () => res()));
    },
    async end() {
      conn().endCopyFrom();
      return done;
    },
    async fail(reason: string) {
      conn().sendCopyFail(reason);
      await done.catch(() => undefined);
    },
  };
}
