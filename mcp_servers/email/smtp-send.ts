/**
 * One SMTP delivery with nodemailer's SMTPConnection. Used instead of the SMTP transport because it tells
 * us which phase failed: a failure while connecting or logging in means nothing was sent (safe to retry),
 * while a dropped connection during the send phase leaves the outcome unknown.
 */
import SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';

export type SmtpPhase = 'connect' | 'auth' | 'send';

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
      phase = 'send';
      connection.send(envelope, raw, (error, info) => {
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
