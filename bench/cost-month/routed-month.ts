import type { DecisionLine, LedgerLine } from './ledger-bill.js';
import type { SimulatedTask } from './month-simulation.js';

/** The routed month as it happened: what the bench saw of each task, and the router's own tables. */
export interface RoutedMonth {
  tasks: SimulatedTask[];
  ledger: LedgerLine[];
  decisions: DecisionLine[];
}
