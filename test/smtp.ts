import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

/** One message as the SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  /** Header lookup (first value, unfolded), case-insensitive. */
  header(name: string): string | undefined;
  /** The raw message with quoted-printable soft breaks and escapes undone (enough for asserts). */
  decoded: string;
}

/**
 * A real SMTP server on loopback (smtp-server), so delivery tests hold a real SMTP conversation.
 * `refuse` lets a test answer RCPT TO with an error code (4xx temporary, 5xx permanent).
 */
export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  refuse(code: number | null, message?: string): void;
  close(): Promise<void>;
}

function decodeQp(s: string): string {
  return s
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let refusal: { code: number; message: string } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      if (refusal) {
        const err = new Error(refusal.message) as Error & { responseCode: number };
        err.responseCode = refusal.code;
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const headerBlock = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          decoded: decodeQp(raw),
          header(name) {
            const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headerBlock);
            return m?.[1];
          },
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse(code, message = 'Refused') {
      refusal = code === null ? null : { code, message };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
