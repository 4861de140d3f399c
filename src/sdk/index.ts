// The AOS SDK: `createAosClient({ url, token })`, the typed documents of every operation
// (generated from schema/operations/*.graphql) and their result and variable types.
export { AosRequestError, createAosClient, expectSuccess, whenTypename, type AosClient, type AosClientOptions, type AosDocument, type StackEvent } from './client.js';
export * from './generated/graphql.js';
