import { describe, expect, it } from 'vitest';
import { applyRule, checkRules, localize, translate, type TranslationRule } from './translate.js';

const r = (match: string, action: TranslationRule['action'], value = ''): TranslationRule => ({
  match,
  action,
  value,
});

describe('number translation (pure)', () => {
  it.each([
    [r('00', 'strip'), '0044207', '44207'],
    [r('*', 'strip', '2'), '0044207', '44207'],
    [r('0', 'replace', '33'), '0612345678', '33612345678'],
    [r('*', 'replace', '15550000'), '123', '15550000'],
    [r('*', 'prepend', '1'), '5550100', '15550100'],
    [r('555', 'prepend', '1'), '5550100', '15550100'],
    [r('*', 'strip', '20'), '123', ''],
  ])('%j turns %s into %s', (rule, input, output) => {
    expect(applyRule(rule, input)).toBe(output);
  });

  it('the first matching rule wins and no later rule runs (not chained)', () => {
    const rules = [r('011', 'strip'), r('00', 'strip'), r('0', 'replace', '44'), r('*', 'prepend', '1')];
    const res = translate(rules, '0033123');
    expect(res.output).toBe('33123');
    expect(res.matchedRule).toBe(1);
    expect(res.steps).toEqual([
      { index: 0, rule: rules[0], matched: false },
      { index: 1, rule: rules[1], matched: true, output: '33123' },
    ]);
    // chaining would have turned 33123 further; it does not
    expect(translate(rules, '0207').output).toBe('44207');
    expect(translate(rules, '2125550100').output).toBe('12125550100');
  });

  it('passes the input unchanged when no rule matches, listing every rule tried', () => {
    const res = translate([r('00', 'strip'), r('011', 'strip')], '4420');
    expect(res).toMatchObject({ input: '4420', output: '4420', matchedRule: null });
    expect(res.steps.map((s) => s.matched)).toEqual([false, false]);
    expect(translate([], '1').output).toBe('1');
  });

  it('translates destination, caller number and caller name with their own lists', () => {
    const out = localize(
      {
        destinationRules: [r('00', 'strip')],
        callerNumberRules: [r('0', 'replace', '44')],
        callerNameRules: [r('*', 'prepend', 'ACME ')],
      },
      { destination: '0044207', callerNumber: '0207946', callerName: 'Ada' },
    );
    expect([out.destination?.output, out.callerNumber?.output, out.callerName?.output]).toEqual([
      '44207',
      '44207946',
      'ACME Ada',
    ]);
    expect(
      localize({ destinationRules: [], callerNumberRules: [], callerNameRules: [] }, {}).destination,
    ).toBeNull();
  });

  it.each([
    [[r('0a', 'strip')], 'number', [0, 'match']],
    [[r('*', 'strip')], 'number', [0, 'value']],
    [[r('*', 'strip', '21')], 'number', [0, 'value']],
    [[r('00', 'strip', '2')], 'number', [0, 'value']],
    [[r('0', 'replace', '+44')], 'number', [0, 'value']],
    [[r('0', 'replace', ''), r('*', 'prepend', '')], 'number', [1, 'value']],
    [[r('Mr', 'replace', 'Mr.')], 'name', null],
    [[r('0', 'replace', '')], 'number', null],
  ])('checks %j as %s rules', (rules, kind, problem) => {
    const got = checkRules(rules, kind as 'number' | 'name');
    expect(got === null ? null : got.slice(0, 2)).toEqual(problem);
  });
});
