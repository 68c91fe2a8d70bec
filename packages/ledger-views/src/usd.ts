/**
 * Integer micro-USD as dollars for people: cents from $1 up (`$412.50`), and below $1 every
 * micro-dollar that is not a trailing zero, at least cents (`$0.50`, `$0.001234`), so a
 * fraction of a cent still shows. Never used for arithmetic.
 */
export function usd(micros: number): string {
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const dollars = Math.floor(abs / 1_000_000);
  const fraction = String(abs % 1_000_000).padStart(6, '0');
  if (dollars >= 1) {
    // Half-up to cents on the integer, so 1_994_999 µ$ is $1.99 and 1_995_000 µ$ is $2.00.
    const cents = Math.floor((abs + 5_000) / 10_000);
    return `${sign}$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;
  }
  const trimmed = fraction.replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$0.${trimmed}`;
}
