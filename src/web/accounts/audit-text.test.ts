import { describe, expect, it } from 'vitest';
import { auditActionName, auditActorName, auditChanges, auditSubject, isAccountEntry } from './audit-text.js';

const entry = (over: Partial<Parameters<typeof auditActionName>[0]>) => ({
  actor: 'user:admin@example.com',
  actorName: null,
  action: 'customer.update',
  entityType: 'account',
  before: null,
  after: null,
  ...over,
});

describe('audit entries in the form’s words', () => {
  it('names the real action, not "created" for everything that was created', () => {
    expect(auditActionName(entry({ action: 'customer.create' }))).toBe('Created');
    expect(auditActionName(entry({ action: 'sip_device.create', entityType: 'sip_device' }))).toBe(
      'SIP device added',
    );
    expect(
      auditActionName(entry({ action: 'customer_template.create', entityType: 'customer_template' })),
    ).toBe('Saved as a template');
    expect(auditActionName(entry({ action: 'customer.password_change' }))).toBe('Password changed');
    expect(auditActionName(entry({ after: { status: 'inactive', availableCredit: '0.000000' } }))).toBe(
      'Deactivated',
    );
    expect(isAccountEntry(entry({ action: 'sip_device.create', entityType: 'sip_device' }))).toBe(false);
    expect(isAccountEntry(entry({ action: 'customer.create' }))).toBe(true);
  });

  it('names the actor, never the raw label', () => {
    expect(auditActorName(entry({ actorName: 'Administrator' }))).toBe('Administrator');
    expect(auditActorName(entry({}))).toBe('admin@example.com');
    expect(auditActorName(entry({ actor: 'api-key:billing' }))).toBe('API key billing');
  });

  it('uses labels and the account currency; a reference by name', () => {
    const changes = auditChanges(
      entry({
        before: { creditLimit: '500.000000', rateGroupId: 1, rateGroupName: 'Retail', city: null },
        after: {
          creditLimit: '750.000000',
          availableCredit: '750.000000',
          rateGroupId: 2,
          rateGroupName: 'Wholesale',
          city: 'Lyon',
          updatedAt: 'x',
        },
      }),
      'USD',
    );
    expect(changes).toEqual([
      { label: 'Credit Limit', before: '$500.00', after: '$750.00' },
      { label: 'Rate Group', before: 'Retail', after: 'Wholesale' },
      { label: 'City', before: '—', after: 'Lyon' },
    ]);
  });

  it('sums up the object a non-account entry is about', () => {
    expect(auditSubject(entry({ after: { username: '1001', id: 3 } }))).toBe('Username: 1001');
  });
});
