/**
 * One SMTP delivery with nodemailer's SMTPConnection. Used instead of the SMTP transport because it tells
 * us which phase failed: a failure while connecting, logging in or giving the envelope (MAIL FROM, RCPT
 * TO, the DATA command) means the message never left, while a dropped connection once the server has
 * said "354 go ahead" leaves the outcome unknown: the message may have been delivered.
 */
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

export type SmtpPhase = 'connect' | 'auth' | 'envelope' | 'data';

export class SmtpSendError extends Error {
  override readonly name = 'SmtpSendError';
  constructor(
    readonly smtp: SMTPConnection.SMTPError,
    readonly phase: SmtpPhase,
  ) {
    super(smtp.message);
  }
}

/** How long to wait for an 'error' that may follow an unexpected 'end' (nodemailer's transport waits too). */
const END_GRACE_MS = 1_000;

/**
 * The message as a stream that notes when it is first read. SMTPConnection pipes it into the socket only
 * after the server accepted the DATA command; when the envelope is refused it drains it into a sink after
 * reporting the refusal, so a first read before any failure marks the start of the data phase.
 */
function messageStream(raw: Buffer, onFirstRead: () => void): Readable {
  let started = false;
  return new Readable({
    read() {
      if (!started) {
        started = true;
        onFirstRead();
        this.push(raw);
        this.push(null);
      }
    },
  });
}

export function sendViaSmtp(
  options: SMTPConnection.Options,
  envelope: { from: string; to: string[] },
  raw: Buffer,
): Promise<SMTPConnection.SentMessageInfo> {
  const connection = new SMTPConnection(options);
  let phase: SmtpPhase = 'connect';
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: SMTPConnection.SMTPError): void => {
      if (settled) return;
      settled = true;
      connection.close();
      reject(new SmtpSendError(error, phase));
    };
    connection.once('error', fail);
    connection.once('end', () => {
      setTimeout(() => {
        const error: SMTPConnection.SMTPError = new Error('connection closed unexpectedly');
        error.code = 'ECONNECTION';
        fail(error);
      }, END_GRACE_MS).unref();
    });
    const send = (): void => {
      phase = 'envelope';
      const message = messageStream(raw, () => {
        if (!settled) phase = 'data';
      });
      connection.send(envelope, message, (error, info) => {
        if (error) return fail(error);
        settled = true;
        connection.quit();
        resolve(info);
      });
    };
    connection.connect((error?: SMTPConnection.SMTPError) => {
      if (error) return fail(error);
      if (settled) return;
      // Like nodemailer's transport: log in only when credentials are given and the server offers AUTH.
      // `allowsAuth` (set from the EHLO reply) is missing from @types/nodemailer.
      const offersAuth = (connection as unknown as { allowsAuth?: boolean }).allowsAuth === true;
      if (options.auth && offersAuth) {
        phase = 'auth';
        connection.login(options.auth as SMTPConnection.Credentials, (loginError) => (loginError ? fail(loginError) : send()));
      } else send();
    });
  });
}
