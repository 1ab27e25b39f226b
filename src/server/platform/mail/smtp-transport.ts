import nodemailer from 'nodemailer';

/** One message as handed to the SMTP server. */
export interface OutgoingMail {
  from: string;
  replyTo: string | null;
  to: string[];
  subject: string;
  text: string;
  html: string | null;
  /** Extra headers (a stable Message-ID-like reference, the mail kind). */
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  /** The server's last answer (`250 OK: queued as ...`). */
  response: string;
}

/** Sends mail; `createSmtpTransport` in production, the same over a loopback server in tests. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

/**
 * A refused or failed delivery. `permanent` when the server answered 5xx (the address or the
 * message is refused; retrying would not help); otherwise (4xx, connection lost, timeout) retry.
 */
export class MailSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | null,
  ) {
    super(message);
  }
}

function toSendError(err: unknown): MailSendError {
  const e = err as { responseCode?: number; response?: string; code?: string; message?: string };
  const code = typeof e?.responseCode === 'number' ? e.responseCode : null;
  const answer = (e?.response ?? e?.message ?? String(err)).slice(0, 1000);
  const text = code ? answer : `${e?.code ? e.code + ': ' : ''}${answer}`;
  return new MailSendError(text, code !== null && code >= 500 && code < 600, code);
}

/** SMTP delivery through nodemailer from an `smtp://` / `smtps://` URL (user and password in it). */
export function createSmtpTransport(url: string, opts: { timeoutMs?: number } = {}): MailTransport {
  const timeout = opts.timeoutMs ?? 30_000;
  const transporter = nodemailer.createTransport({
    url,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(mail) {
      try {
        const info = await transporter.sendMail({
          from: mail.from,
          replyTo: mail.replyTo ?? undefined,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html ?? undefined,
          headers: mail.headers,
        });
        return { messageId: String(info.messageId ?? ''), response: String(info.response ?? '') };
      } catch (err) {
        throw toSendError(err);
      }
    },
    close() {
      transporter.close();
    },
  };
}

/** What the mail deliverer needs: the transport (null = no SMTP configured) and the envelope. */
export interface MailSettings {
  transport: MailTransport | null;
  from: string;
  replyTo: string | null;
  operatorBillingEmail: string | null;
  operatorAlertEmail: string | null;
}

export const NO_MAIL: MailSettings = {
  transport: null,
  from: 'Tollgate <no-reply@tollgate.local>',
  replyTo: null,
  operatorBillingEmail: null,
  operatorAlertEmail: null,
};
