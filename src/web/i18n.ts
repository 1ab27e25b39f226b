import polyglotI18nProvider from 'ra-i18n-polyglot';
import englishMessages from 'ra-language-english';

/** react-admin's English, with the few words our users read differently. */
const messages = {
  ...englishMessages,
  ra: {
    ...englishMessages.ra,
    auth: { ...englishMessages.ra.auth, logout: 'Sign out' },
    notification: {
      ...englishMessages.ra.notification,
      updated: 'Changes saved',
      created: 'Account created',
      logged_out: 'Your session has ended. Please sign in again.',
    },
  },
};

export const i18nProvider = polyglotI18nProvider(() => messages, 'en', [{ locale: 'en', name: 'English' }], {
  allowMissing: true,
});
