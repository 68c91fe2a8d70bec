// The layering rules of the repository, checked by dependency-cruiser (`pnpm check:layers`, run by
// .ci/run). Paths are relative to the repository root; workspace imports (`@forge/bus`) resolve
// through the `forge-source` export condition to the package's `src/`, so a rule sees the file a
// service really reaches. The rules' tests: tools/layers/src/layer-rules.test.ts.

/**
 * The telemetry SDK entry (`@forge/telemetry/sdk`: the OpenTelemetry SDK, exporters and
 * instrumentations) as the file that specifier resolves to. Only a process's `instrumentation.ts`
 * may load it; shared code uses the API entry. When the SDK moves (a package of its own), change
 * this line to the file its entry resolves to, e.g. `^packages/telemetry-sdk/src/index\\.ts$`.
 */
const TELEMETRY_SDK_ENTRY = '^packages/telemetry/src/sdk\\.ts$';

/** Files that may start the SDK: a process's `instrumentation.ts` (or `<name>-instrumentation.ts`), and tests. */
const MAY_START_TELEMETRY = ['(^|/|-)instrumentation\\.ts$', '\\.test\\.ts$'];

/** Workspace packages (libraries, no process of their own). */
const PACKAGE = '^packages/';
/** Services (each one process with its `main`). */
const SERVICE = '^services/';
/** What a library may import from outside the workspace: its declared npm dependencies and node's own modules. */
const NPM = 'node_modules/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'Imports form no cycle, inside a package or across packages.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'contracts-imports-only-zod',
      comment: '@forge/contracts is the bottom layer: zod schemas and names, no I/O, no other package.',
      severity: 'error',
      from: { path: '^packages/contracts/src/' },
      to: { pathNot: ['^packages/contracts/src/', `${NPM}zod/`] },
    },
    {
      name: 'packages-never-import-services',
      comment: 'A package is a library below every service; it never reaches into one.',
      severity: 'error',
      from: { path: PACKAGE },
      to: { path: SERVICE },
    },
    {
      name: 'services-never-import-each-other',
      comment: 'Services talk over NATS and A2A, never through each other’s code.',
      severity: 'error',
      from: { path: '^services/([^/]+)/' },
      to: { path: SERVICE, pathNot: '^services/$1/' },
    },
    {
      name: 'agent-kit-never-imports-cli',
      comment: 'The CLI starts agents; the kit an agent is built from knows nothing of it.',
      severity: 'error',
      from: { path: '^packages/agent-kit/' },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'only-the-cli-builds-on-agent-kit',
      comment:
        'agent-kit sits above the other packages (contracts, telemetry, bus, store, models, policy, ' +
        'service-runtime, testkit, ...): none of them imports it or the CLI; among packages only the CLI uses the kit.',
      severity: 'error',
      from: { path: PACKAGE, pathNot: '^packages/(agent-kit|cli)/' },
      to: { path: '^packages/(agent-kit|cli)/' },
    },
    {
      name: 'services-never-import-the-cli',
      comment: 'The CLI starts services; a service knows nothing of it.',
      severity: 'error',
      from: { path: SERVICE },
      to: { path: '^packages/cli/' },
    },
    {
      name: 'service-runtime-imports-only-contracts',
      comment:
        '@forge/service-runtime is process plumbing every service shares (lifecycle, HTTP close, ' +
        'signals, API keys): it stays below the bus, the store and the kit.',
      severity: 'error',
      from: { path: '^packages/service-runtime/src/' },
      to: { path: '^(packages|services)/', pathNot: '^packages/(service-runtime|contracts)/' },
    },
    {
      name: 'testkit-only-in-tests',
      comment:
        'Production code never loads @forge/testkit (fake LLM, test brains); tests and test support do.',
      severity: 'error',
      from: {
        path: '^(packages|services)/[^/]+/src/',
        pathNot: ['^packages/testkit/', '\\.test\\.ts$', '/test-support/'],
      },
      to: { path: '^packages/testkit/' },
    },
    {
      name: 'only-instrumentation-starts-telemetry',
      comment:
        'The OpenTelemetry SDK is started by a process’s instrumentation.ts (node --import); ' +
        'everything else uses the API entry of @forge/telemetry.',
      severity: 'error',
      from: { pathNot: MAY_START_TELEMETRY },
      to: { path: TELEMETRY_SDK_ENTRY },
    },
    {
      name: 'no-unresolvable-imports',
      comment:
        'Every import resolves to a file (or a declared dependency): a typo fails here, not at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-deep-imports',
      comment:
        'Another workspace package is reached through its public entry (src/index.ts, or a ' +
        'declared subpath export), never a file inside its src/. (Reaching into a service at all ' +
        'is caught by the rules above.)',
      severity: 'error',
      from: { path: '^(packages|services|tools)/([^/]+)/' },
      to: {
        path: '^packages/',
        pathNot: ['^(packages|services|tools)/$2/', '^packages/[^/]+/src/index\\.ts$', TELEMETRY_SDK_ENTRY],
      },
    },
  ],
  options: {
    doNotFollow: { path: NPM },
    // npm packages stay in the graph as leaves (doNotFollow), so a rule can name them (contracts → zod).
    exclude: { path: ['(^|/)dist/', '\\.d\\.ts$'] },
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['forge-source', 'import', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
