/** A 10-digit account number, first digit never 0, from the browser's CSPRNG (DOMAIN 3.2). */
export function generateAccountNumber(): string {
  const bytes = new Uint32Array(10);
  crypto.getRandomValues(bytes);
  let s = String(1 + (bytes[0] % 9));
  for (let i = 1; i < 10; i++) s += String(bytes[i] % 10);
  return s;
}
