/* Template rendering: pure, no I/O. {{name}} takes the variable's value; unknown names are refused on save. */

const VARIABLE = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The variable names a template text uses, in order of first use. */
export function usedVariables(text: string): string[] {
  const seen = new Set<string>();
  for (const m of text.matchAll(VARIABLE)) seen.add(m[1]!);
  return [...seen];
}

/** Fills the variables in; a missing value renders empty. `html` escapes every value. */
export function renderText(
  text: string,
  vars: Record<string, string>,
  opts: { html?: boolean } = {},
): string {
  return text.replace(VARIABLE, (_m, name: string) => {
    const v = vars[name] ?? '';
    return opts.html ? escapeHtml(v) : v;
  });
}

export interface TemplateParts {
  subject: string;
  textBody: string;
  htmlBody: string | null;
}

/** Renders the three parts; the subject loses line breaks (a header cannot carry them). */
export function renderTemplate(t: TemplateParts, vars: Record<string, string>): TemplateParts {
  return {
    subject: renderText(t.subject, vars)
      .replace(/[\r\n]+/g, ' ')
      .slice(0, 300),
    textBody: renderText(t.textBody, vars),
    htmlBody: t.htmlBody === null ? null : renderText(t.htmlBody, vars, { html: true }),
  };
}
