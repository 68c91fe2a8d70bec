/** Micro-USD as dollars for reasons and notes (`$0.000125`, `$12.5`); never used for arithmetic. */
export function usd(micros: number): string {
  const text = (micros / 1_000_000).toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
  return `$${text}`;
}
