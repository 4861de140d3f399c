import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['node_modules/**', '.aos/**', 'schema/schema.graphql', 'bin/**', 'dist/**', 'src/sdk/generated/**'] },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [importX.createNodeResolver({ extensions: ['.ts', '.js'] })] },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Ports are async (drivers, migrations' up/down): an implementation that happens to need no
      // await stays async rather than hand back Promise.resolve by hand.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'import-x/no-extraneous-dependencies': 'error',
    },
  },
  {
    // GraphQL responses in tests are dynamic JSON: asserting on them is the point.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // One folder per cluster kind: its client library is imported there and nowhere else, so
    // services and activities reach a kind only through its ClusterProvider (src/drivers/registry.ts).
    // pg is also the platform database's LISTEN connection (src/events/listener.ts).
    files: ['src/**/*.ts', 'schema/**/*.ts'],
    ignores: ['src/drivers/docker/**', 'src/drivers/kubernetes/**', 'src/drivers/postgresql/**', 'src/events/listener.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'dockerode', message: 'the Docker client lives in src/drivers/docker/: go through the DOCKER provider' },
          { name: '@kubernetes/client-node', message: 'the Kubernetes client lives in src/drivers/kubernetes/: go through the KUBERNETES provider' },
          { name: 'pg', message: 'pg lives in src/drivers/postgresql/ (and the platform\'s LISTEN connection in src/events/listener.ts)' },
        ],
      }],
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: only the workflow SDK and pure code.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@temporalio/*', '!@temporalio/workflow', '!@temporalio/common'], message: 'workflows import only @temporalio/workflow' },
          { group: ['node:*', 'pg', 'dockerode', '@mikro-orm/*', '../src/db/*', '../src/services/*', '../src/drivers/*'], message: 'workflows are deterministic: no IO modules' },
        ],
      }],
    },
  },
);
