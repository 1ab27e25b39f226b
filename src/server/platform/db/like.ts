/** Escapes LIKE's wildcards (and its escape) in user text, for `LIKE ... ESCAPE '\\'` (the default). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
