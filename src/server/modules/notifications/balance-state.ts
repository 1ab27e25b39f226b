import { Decimal } from 'decimal.js';
import type { BalanceState } from '../../db/schema.js';
import type { SettingsRow } from './settings.repository.js';

/* The low-balance state machine's arithmetic (DOMAIN 3.15), pure. Money stays decimal. */

export interface BalanceInput {
  balance: string;
  credit_limit: string;
  unlimited_credit: boolean;
  mode: 'prepaid' | 'postpaid';
}

/** balance + effective credit limit, without reservations; null when credit is unlimited. */
export function metricOf(a: BalanceInput): Decimal | null {
  if (a.mode === 'postpaid' && a.unlimited_credit) return null;
  return new Decimal(a.balance).plus(a.mode === 'postpaid' ? a.credit_limit : 0);
}

/**
 * The alert threshold: the amount, or creditLimit x percent / 100. A percent threshold only holds
 * for postpaid with a finite credit limit > 0; otherwise (the mode changed since) it is 0, so only
 * ZERO remains.
 */
export function thresholdOf(s: SettingsRow, a: BalanceInput): Decimal {
  if (s.threshold_type === 'amount') return new Decimal(s.threshold_amount);
  const limit = new Decimal(a.credit_limit);
  if (a.mode !== 'postpaid' || a.unlimited_credit || limit.lte(0) || s.threshold_percent === null)
    return new Decimal(0);
  return limit.times(s.threshold_percent).div(100);
}

/** OK above the threshold, LOW in (0, threshold], ZERO at or below 0; unlimited credit is OK. */
export function classify(metric: Decimal | null, threshold: Decimal): BalanceState {
  if (metric === null) return 'OK';
  if (metric.lte(0)) return 'ZERO';
  return metric.lte(threshold) ? 'LOW' : 'OK';
}
