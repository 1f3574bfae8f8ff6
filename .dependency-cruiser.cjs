/**
 * Imports point one way: apps import libs, libs never import apps, and no app reaches into another app's src/.
 * The all-in-one start (apps/storecredit) composes the apps through their public entries (src/index.ts); test
 * stacks compose them under test/. The "never" rules mirror the never list of the architecture whiteboard
 * (architecture.json, kept with the team's shared notes). `npm run lint:deps` runs them, first thing in `npm test`.
 */
const never = (name, comment, from, to) => ({ name, comment, severity: 'error', from: { path: from }, to: { path: to } });

module.exports = {
  forbidden: [
    never('libs-never-import-apps', 'a lib is used by apps, never the other way round', '^libs/', '^apps/'),
    never('libs-never-import-tests', 'suites and the bench use libs, never the other way round', '^libs/', '^(test|bench)/'),
    never('apps-never-import-tests', 'suites and the bench drive apps, never the other way round', '^apps/', '^(test|bench)/'),
    {
      name: 'apps-do-not-reach-into-each-other',
      comment: 'an app imports libs and its own files; composing apps is the job of apps/storecredit and test/',
      severity: 'error',
      from: { path: '^apps/(?!storecredit/)([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'composition-uses-public-entries',
      comment: "the all-in-one start plugs in an app through its src/index.ts, never through the app's internals",
      severity: 'error',
      from: { path: '^apps/storecredit/' },
      to: { path: '^apps/(?!storecredit/)[^/]+/', pathNot: '^apps/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'gateway-controllers-go-through-services',
      comment:
        'a gateway controller parses the request, calls one service method and shapes the answer; queries live in repositories, ' +
        'which only services call (docs/ARCHITECTURE.md). A row type may be imported to shape the answer.',
      severity: 'error',
      from: { path: '^apps/gateway/src/.+[.]controller[.]ts$' },
      to: { path: '^apps/gateway/src/(.+[.]repository|database)[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    // The whiteboard's never list, one rule each.
    never('never-ledger-to-worker', 'the domain knows no transport', '^libs/ledger/', '^apps/ledger-worker/'),
    never('never-ledger-to-gateway', 'the domain knows no HTTP', '^libs/ledger/', '^apps/gateway/'),
    never('never-testing-to-gateway', 'libs never import apps', '^libs/testing/', '^apps/gateway/'),
    never('never-testing-to-worker', 'libs never import apps', '^libs/testing/', '^apps/ledger-worker/'),
    never('never-gateway-to-worker', 'apps do not reach into each other', '^apps/gateway/', '^apps/ledger-worker/'),
    never('never-contracts-to-ledger', 'the contract stands alone', '^libs/contracts/', '^libs/ledger/'),
    never('never-bench-to-gateway', 'the bench drives apps as processes or through libs', '^bench/', '^apps/gateway/'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    // Type-only imports count: `import type` from another app is still a dependency on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
