import { ForgeError } from '@forge/contracts';
import { explainRoute, type RouteExplanation, readBudgetView, usd } from '@forge/ledger-views';
import { effectiveRoutingConfig, zeroCostRoutingConfig } from '@forge/policy';
import { PgSkillRegistry } from '@forge/store';
import type { RouteExplainOptions } from '../args.js';
import { openBrainReader } from '../brain-reader.js';
import type { Io } from '../io.js';
import { modelProviders } from '../model-providers.js';
import { readSkillInput } from '../skill-input.js';

/**
 * `forge route explain <agent>.<skill>`: the tier and model the router would give a task of that
 * skill now, and why, from the same `decideRoute` over the same routing config, the skill's
 * manifest in the brain's registry, this month's budgets in its Postgres, and the providers the
 * router reaches. `--json` prints {@link RouteExplanation} plus `providers`. An unknown skill is
 * NOT_FOUND listing the registered ones.
 */
export async function runRouteExplain(options: RouteExplainOptions, io: Io): Promise<number> {
  const input = await readSkillInput(options.input, process.cwd(), 'route');
  const reader = await openBrainReader(options);
  try {
    const registry = new PgSkillRegistry(reader.pool, reader.schema);
    const manifest = await registry.get(options.skill);
    if (!manifest) {
      const known = (await registry.list()).map((entry) => entry.skill);
      throw new ForgeError(
        'NOT_FOUND',
        known.length === 0
          ? `unknown skill ${options.skill}: no agent of brain ${options.brain} has registered a skill yet (agents register theirs when \`forge up\` starts them)`
          : `unknown skill ${options.skill}; known skills: ${known.join(', ')}`,
        { retryable: false },
      );
    }
    const now = new Date();
    const budget = await readBudgetView(reader.pool, reader.schema, reader.config, now);
    // The providers the running router reaches (as forge up recorded them for this config file),
    // else those this environment would give it: they decide the models each tier really has.
    const providers =
      reader.mesh?.providers !== undefined && reader.mesh.routingConfig === reader.configPath
        ? reader.mesh.providers
        : modelProviders(reader.config, io.env).available;
    const effective = effectiveRoutingConfig(reader.config, providers);
    const explanation = explainRoute({
      manifest,
      config: effective,
      zeroCost: zeroCostRoutingConfig(effective),
      input,
      brain: options.brain,
      originKind: options.origin,
      principal: options.principal,
      budget,
      pendingTasks: options.pending,
      now,
    });
    if (options.json) io.out(JSON.stringify({ ...explanation, providers }));
    else for (const line of describeExplanation(explanation, reader.configPath, providers)) io.out(line);
    return 0;
  } finally {
    await reader.close();
  }
}

/** The human form: the answer first, then each reason, then what it weighed. */
export function describeExplanation(
  e: RouteExplanation,
  configPath: string,
  providers: readonly string[],
): string[] {
  const lines = [
    `${e.skill} → ${e.tier}${e.model ? ` (${e.model})` : ' (plain code, no model, $0)'}`,
    `  critical: ${e.critical ? 'yes' : 'no'}; max tier ${e.maxTier}; budget action: ${e.budgetAction}`,
    '  why:',
    ...e.reasons.map((reason, index) => `    ${index + 1}. ${reason}`),
  ];
  if (e.budgets.length > 0) {
    lines.push('  budgets this month:');
    const width = Math.max(...e.budgets.map((b) => b.scope.length));
    for (const b of e.budgets) {
      const state = b.exhausted ? ' EXHAUSTED' : '';
      lines.push(`    ${b.scope.padEnd(width)}  ${usd(b.usedMicros)} of ${usd(b.limitMicros)} used${state}`);
    }
  }
  const who =
    e.origin.kind === 'partner' ? `partner ${e.origin.partner}` : `${e.origin.kind} by ${e.origin.by}`;
  lines.push(
    `  input ~${e.input.tokensEstimate} tokens; origin ${who}; backlog ${e.pendingTasks ?? 'not considered'}`,
    `  policy ${e.policyVersion} from ${configPath}; models: ${providers.length === 0 ? 'offline only (no model key)' : providers.join(', ')}` +
      (e.zeroCost ? '; a $0 model of the tier took it (the budget had no room)' : ''),
  );
  return lines;
}
