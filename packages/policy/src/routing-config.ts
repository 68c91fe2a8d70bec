import { ModelId, SkillRef } from '@forge/contracts';
import { z } from 'zod';
import { BudgetsConfig, PrincipalConfig, PrincipalName } from './budgets-config.js';
import { addCrossCheckIssues } from './config-cross-checks.js';
import { EscalationConfig } from './escalation-config.js';
import { GatewayConfig } from './gateway-config.js';
import { ConfigModelPrice } from './price-config.js';
import { ProvidersConfig } from './providers-config.js';
import { SkillRoute } from './route-config.js';
import { RoutingRule } from './routing-rule.js';

const TierModels = z.array(ModelId).min(1, 'a tier needs at least one model');

/**
 * The routing config (`forge.yaml`, or a brain's own copy): tiers → ordered model lists
 * (`provider:model`, first is preferred, the rest are fallbacks), prices per model, how to reach
 * providers, routes per skill, ordered rules, budgets, API principals, escalation defaults and
 * gateway behaviour. Unknown fields are errors. `version` is stamped on every routing decision.
 * Parsed values are deeply frozen: the decision function caches its compiled form per object.
 */
export const RoutingConfigSchema = z
  .strictObject({
    version: z.string().min(1).max(100),
    tiers: z.strictObject({ small: TierModels, mid: TierModels, frontier: TierModels }),
    prices: z.record(ModelId, ConfigModelPrice),
    providers: ProvidersConfig,
    routes: z.record(SkillRef, SkillRoute).default({}),
    rules: z.array(RoutingRule).default([]),
    budgets: BudgetsConfig,
    principals: z.record(PrincipalName, PrincipalConfig).default({}),
    escalation: EscalationConfig,
    gateway: GatewayConfig,
  })
  .superRefine((config, ctx) => addCrossCheckIssues(config, ctx));
export type RoutingConfig = z.output<typeof RoutingConfigSchema>;
/** What a config file may say before defaults are applied. */
export type RoutingConfigInput = z.input<typeof RoutingConfigSchema>;
