// `aos token …`: the commands live beside `aos user …` (src/cli/user.ts), which they share.
export { runToken as run } from './user.js';
export const summary = 'API tokens: create (printed once), list, revoke';
