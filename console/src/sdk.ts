// The SDK, as the console uses it: the same client and generated documents as the CLI.
export * from '../../src/sdk/index.js';
