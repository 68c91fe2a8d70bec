import { type PartnerCallCounts, type PartnerReport, readPartnerOverview, usd } from '@forge/ledger-views';
import type { PartnersOptions } from '../args.js';
import { openBrainReader } from '../brain-reader.js';
import type { Io } from '../io.js';
import { resolveSince } from '../since.js';

const rate = (c: PartnerCallCounts) => (c.errorRate === null ? '-' : `${(c.errorRate * 100).toFixed(1)}%`);

function formatReport(label: string, report: PartnerReport): string[] {
  const lines = [
    `${label}: ${report.since.slice(0, 16).replace('T', ' ')} to ${report.until.slice(0, 16).replace('T', ' ')} UTC`,
  ];
  if (report.partners.length === 0) return [...lines, '  no partner calls'];
  const width = Math.max(8, ...report.partners.map((p) => p.partner.length));
  lines.push(
    `  ${'partner'.padEnd(width)}  ${'calls'.padStart(6)}  ${'done'.padStart(6)}  ${'errors'.padStart(6)}  ${'rate'.padStart(6)}  ${'spend'.padStart(12)}  ${'outbound'.padStart(8)}  ${'out err'.padStart(7)}  last call`,
  );
  for (const p of report.partners) {
    const i = p.inbound;
    lines.push(
      `  ${p.partner.padEnd(width)}  ${String(i.calls).padStart(6)}  ${String(i.completed).padStart(6)}  ` +
        `${String(i.errors).padStart(6)}  ${rate(i).padStart(6)}  ${usd(i.spendMicros).padStart(12)}  ` +
        `${String(p.outbound.calls).padStart(8)}  ${String(p.outbound.errors).padStart(7)}  ${i.lastCallAt?.slice(0, 16).replace('T', ' ') ?? '-'}`,
    );
    for (const s of i.bySkill)
      lines.push(
        `    ${s.skill}: ${s.calls} calls, ${s.errors} errors, ${usd(s.spendMicros)}${s.shadowMicros > 0 ? ` (shadow ${usd(s.shadowMicros)})` : ''}`,
      );
    for (const t of i.byTier)
      lines.push(
        `    tier ${t.tier}: ${t.modelCalls} model calls, ${usd(t.spendMicros)}${t.refusedCalls > 0 ? ` (${t.refusedCalls} refused by budget)` : ''}`,
      );
    for (const s of p.outbound.bySkill)
      lines.push(`    we asked ${s.skill}: ${s.calls} calls, ${s.errors} errors`);
  }
  return lines;
}

/**
 * `forge partners [--since 24h|7d|DATE|ISO]`: calls, errors and spend per partner brain from the
 * brain's Postgres (see `readPartnerOverview`, the console's partners page runs the same code).
 * `--json` prints `{brain, database, currency, window, last24h}` with money as integer micro-USD;
 * without it, a table in USD. Reads only; exit 0 even when no partner called.
 */
export async function runPartners(options: PartnersOptions, io: Io): Promise<number> {
  const reader = await openBrainReader(options);
  try {
    const now = new Date();
    const overview = await readPartnerOverview(reader.pool, reader.schema, {
      now,
      ...(options.since ? { since: resolveSince(options.since, now) } : {}),
    });
    if (options.json) {
      io.out(
        JSON.stringify({ brain: options.brain, database: reader.database, currency: 'USD', ...overview }),
      );
      return 0;
    }
    for (const line of formatReport('window', overview.window)) io.out(line);
    for (const line of formatReport('last 24 h', overview.last24h)) io.out(line);
    const failures = overview.window.recentFailures;
    if (failures.length > 0) {
      io.out('recent failed calls:');
      for (const f of failures)
        io.out(
          `  ${f.updatedAt.slice(0, 16).replace('T', ' ')}  ${f.partner} ${f.direction}  ${f.skill}  ${f.state}  ${f.taskId}${f.message ? `  ${f.message.slice(0, 200)}` : ''}`,
        );
    }
    return 0;
  } finally {
    await reader.close();
  }
}
