import { describe, expect, it } from 'vitest';
import { fieldLabel, humanMessage } from './field-labels.js';

describe('API names in the form’s words', () => {
  it('labels API fields and CSV columns as the form does', () => {
    expect(fieldLabel('mainEmail')).toBe('Main Email');
    expect(fieldLabel('main_email')).toBe('Main Email');
    expect(fieldLabel('nocEmails.1')).toBe('NOC Email');
    expect(fieldLabel('rate_group')).toBe('Rate Group');
    expect(fieldLabel('creditLimit')).toBe('Credit Limit');
    expect(fieldLabel('somethingNew')).toBe('Something New');
  });
  it('rewords schema messages', () => {
    expect(humanMessage('Must match format "email"')).toBe('Not a valid email address.');
    expect(humanMessage('must match format "email"')).toBe('Not a valid email address.');
    expect(humanMessage('Unknown currency in creditLimit')).toBe('Unknown currency in Credit Limit');
  });
});
