import type { AdmitRequest, AdmitResult, BudgetRepository, ScopeUsage, Settlement } from '@forge/store';

interface Hold {
  scopes: string[];
  amount: number;
  expiresAt: number;
  consumed: Set<string>;
}

/**
 * `PgBudgetRepository`'s rules in memory, for unit tests of the gateway's admission: spent +
 * live holds + amount ≤ cap in every capped scope, one hold or none; settlement moves the
 * actual cost into spend and deletes the hold, or with `keep` shrinks it (never below zero),
 * once per `consumeId`.
 * Counts its admission round trips. One period only.
 */
export class MemoryBudgets implements BudgetRepository {
  readonly spent = new Map<string, number>();
  readonly holds = new Map<string, Hold>();
  admits = 0;
  #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  reserved(scope: string): number {
    let sum = 0;
    for (const hold of this.holds.values()) {
      if (hold.expiresAt > this.#now() && hold.scopes.includes(scope)) sum += hold.amount;
    }
    return sum;
  }

  async admit(request: AdmitRequest): Promise<AdmitResult> {
    this.admits += 1;
    for (const { scope, capMicros } of request.scopes) {
      if (capMicros === null) continue;
      const spent = this.spent.get(scope) ?? 0;
      const reserved = this.reserved(scope);
      if (spent + reserved + request.amountMicros > capMicros) {
        return { admitted: false, scope, spentMicros: spent, reservedMicros: reserved, capMicros };
      }
    }
    this.holds.set(request.reservationId, {
      scopes: request.scopes.map((s) => s.scope),
      amount: request.amountMicros,
      expiresAt: this.#now() + request.ttlMs,
      consumed: new Set(),
    });
    return { admitted: true };
  }

  async settle(settlements: Settlement[]): Promise<number> {
    let touched = 0;
    for (const s of settlements) {
      const hold = this.holds.get(s.reservationId);
      if (!hold) continue;
      if (s.keep && s.consumeId !== undefined) {
        if (hold.consumed.has(s.consumeId)) continue;
        hold.consumed.add(s.consumeId);
      }
      touched += 1;
      for (const scope of hold.scopes) this.spent.set(scope, (this.spent.get(scope) ?? 0) + s.actualMicros);
      if (s.keep) hold.amount = Math.max(0, hold.amount - s.actualMicros);
      else this.holds.delete(s.reservationId);
    }
    return touched;
  }

  async usage(_period: string, scopes: string[]): Promise<Map<string, ScopeUsage>> {
    return new Map(
      scopes.map((scope) => [
        scope,
        { spentMicros: this.spent.get(scope) ?? 0, reservedMicros: this.reserved(scope) },
      ]),
    );
  }
}
