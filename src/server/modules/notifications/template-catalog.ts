/*
 * The kinds of mail Tollgate sends, the variables each template may use, and the sample values
 * the preview fills in. Templates write a variable as {{name}}; HTML parts get it escaped.
 */

export const MAIL_KINDS = [
  'welcome_letter',
  'low_balance',
  'zero_balance',
  'payment_received',
  'trunk_update',
  'sign_in',
  'invoice',
  'daily_report',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

const ACCOUNT_VARS = {
  accountName: 'Acme Telecom',
  accountNumber: '4815162342',
  companyName: 'Acme Telecom Ltd',
  currency: 'USD',
};

/** Every kind's variables with a sample value each (the preview's defaults). */
export const TEMPLATE_VARIABLES: Record<MailKind, Record<string, string>> = {
  welcome_letter: { ...ACCOUNT_VARS, portalUsername: '4815162342', mainEmail: 'ops@acme.example' },
  low_balance: {
    ...ACCOUNT_VARS,
    balance: '3.500000',
    creditLimit: '0.000000',
    available: '3.500000',
    threshold: '5.000000',
    state: 'LOW',
  },
  zero_balance: { ...ACCOUNT_VARS, balance: '-0.250000', creditLimit: '0.000000' },
  payment_received: {
    ...ACCOUNT_VARS,
    amount: '100.000000',
    balanceAfter: '103.500000',
    method: 'wire',
    reference: 'INV-2026-0042',
    paidAt: '2026-12-03 10:15 UTC',
  },
  trunk_update: {
    ...ACCOUNT_VARS,
    changeCount: '2',
    changes: '- 10:02 UTC trunk "Main": callLimit 10 -> 20\n- 10:04 UTC host 203.0.113.7/32 added',
  },
  sign_in: {
    ...ACCOUNT_VARS,
    signedInAt: '2026-12-03 10:15 UTC',
    ip: '198.51.100.23',
    userAgent: 'Mozilla/5.0',
  },
  invoice: {
    ...ACCOUNT_VARS,
    invoiceNumber: 'INV-2026-0042',
    amountDue: '250.000000',
    dueDate: '2026-12-17',
  },
  daily_report: {
    ...ACCOUNT_VARS,
    reportDate: '2026-12-02',
    summary: 'Calls: 1,204\nMinutes: 3,911\nCost: 48.12',
  },
};

export const isMailKind = (s: string): s is MailKind => (MAIL_KINDS as readonly string[]).includes(s);
