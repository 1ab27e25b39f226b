export {
  createSmtpTransport,
  MailSendError,
  NO_MAIL,
  type MailSettings,
  type MailTransport,
  type OutgoingMail,
  type SentMail,
} from './smtp-transport.js';
