import type { RoutingConfig } from '@forge/policy';

/** The vendors' discounts the router can pull, one at a time or together. */
export const LEVERS = ['none', 'cache', 'batch', 'both'] as const;
export type Lever = (typeof LEVERS)[number];

export const LEVER_LABEL: Readonly<Record<Lever, string>> = {
  none: 'no discount',
  cache: 'prompt caching',
  batch: 'batch APIs',
  both: 'caching + batching',
};

/**
 * The routing config with only the lever's discounts on: prompt caching and the batch APIs are
 * each kept as the config sets them, or turned off. The batch timings are cut to milliseconds so
 * the month runs in minutes (a batch here is a round trip to the fake; prices are what matter).
 */
export function leverConfig(config: RoutingConfig, lever: Lever): RoutingConfig {
  const { caching, batch } = config.gateway;
  return {
    ...config,
    version: `${config.version}+${lever}`,
    gateway: {
      ...config.gateway,
      caching: { ...caching, enabled: caching.enabled && (lever === 'cache' || lever === 'both') },
      batch: {
        ...batch,
        enabled: batch.enabled && (lever === 'batch' || lever === 'both'),
        collectMs: 20,
        pollMs: 20,
        clientPollMs: 20,
      },
    },
  };
}
