/**
 * Number translation (DOMAIN 4 step 4), pure. A rule is `{match, action, value}`:
 * - `match`: a prefix the input must begin with, or `*` for any input;
 * - `strip`: removes the matched prefix; with `*`, removes the first `value` characters;
 * - `replace`: replaces the matched prefix with `value`; with `*`, the whole input;
 * - `prepend`: puts `value` in front of the input.
 * Our rule: the FIRST matching rule wins and no later rule runs (ASTPP chains them all, #247).
 */
export type RuleAction = 'strip' | 'replace' | 'prepend';
export interface TranslationRule {
  match: string;
  action: RuleAction;
  value: string;
}

export interface TranslationStep {
  index: number;
  rule: TranslationRule;
  matched: boolean;
  /** The result, on the matching step only. */
  output?: string;
}

export interface TranslationResult {
  input: string;
  output: string;
  /** Index of the rule that applied, or null when none matched (the input passes unchanged). */
  matchedRule: number | null;
  /** Every rule tried, in order, up to and including the one that matched. */
  steps: TranslationStep[];
}

export function ruleMatches(rule: TranslationRule, input: string): boolean {
  return rule.match === '*' || input.startsWith(rule.match);
}

export function applyRule(rule: TranslationRule, input: string): string {
  const any = rule.match === '*';
  switch (rule.action) {
    case 'strip':
      return any ? input.slice(Number(rule.value) || 0) : input.slice(rule.match.length);
    case 'replace':
      return any ? rule.value : rule.value + input.slice(rule.match.length);
    case 'prepend':
      return rule.value + input;
  }
}

export function translate(rules: readonly TranslationRule[], input: string): TranslationResult {
  const steps: TranslationStep[] = [];
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index];
    if (!ruleMatches(rule, input)) {
      steps.push({ index, rule, matched: false });
      continue;
    }
    const output = applyRule(rule, input);
    steps.push({ index, rule, matched: true, output });
    return { input, output, matchedRule: index, steps };
  }
  return { input, output: input, matchedRule: null, steps };
}

export interface LocalizationRules {
  destinationRules: readonly TranslationRule[];
  callerNumberRules: readonly TranslationRule[];
  callerNameRules: readonly TranslationRule[];
}

/** The three translations of one call; fields not given are not translated. */
export function localize(
  profile: LocalizationRules,
  call: { destination?: string; callerNumber?: string; callerName?: string },
) {
  return {
    destination:
      call.destination === undefined ? null : translate(profile.destinationRules, call.destination),
    callerNumber:
      call.callerNumber === undefined ? null : translate(profile.callerNumberRules, call.callerNumber),
    callerName: call.callerName === undefined ? null : translate(profile.callerNameRules, call.callerName),
  };
}

/**
 * Rules that TypeBox cannot state. Number rules: match `*` or 1-20 digits, value digits (strip
 * with a prefix takes no value; strip with `*` takes a count 1-20). Name rules: any text.
 * Returns the first problem as [index, field, message], or null.
 */
export function checkRules(
  rules: readonly TranslationRule[],
  kind: 'number' | 'name',
): [number, 'match' | 'value', string] | null {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (kind === 'number' && r.match !== '*' && !/^[0-9]{1,20}$/.test(r.match))
      return [i, 'match', "Use '*' or 1 to 20 digits."];
    if (r.action === 'strip') {
      if (r.match === '*' && !/^([1-9]|1[0-9]|20)$/.test(r.value))
        return [i, 'value', "With match '*', strip needs the number of characters to remove (1-20)."];
      if (r.match !== '*' && r.value !== '')
        return [i, 'value', 'Strip removes the matched prefix; leave value empty.'];
      continue;
    }
    if (kind === 'number' && !/^[0-9]{0,20}$/.test(r.value)) return [i, 'value', 'Use 0 to 20 digits.'];
    if (r.action === 'prepend' && r.value === '') return [i, 'value', 'Prepend needs a value.'];
  }
  return null;
}
