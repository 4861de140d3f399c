import { readFileSync } from 'node:fs';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const examplesDir = path.resolve(repoRoot, '..', 'shared', 'examples');
export const quickStartPath = path.join(examplesDir, 'nginx-quickstart.yaml');
export const quickStart = readFileSync(quickStartPath, 'utf8');

/**
 * A small valid template used as the base of the invalid-template table. Line numbers matter:
 * the table edits lines by number and expects problems on them.
 */
export const BASE_LINES = [
  'tosca_definitions_version: ctc_tosca_version_1_0', // 1
  'inputs:', // 2
  '  image:', // 3
  '    type: string', // 4
  '    default: nginx:1.27', // 5
  '  replicas:', // 6
  '    type: integer', // 7
  '    default: 2', // 8
  'node_templates:', // 9
  '  web:', // 10
  '    type: CTC.ServiceStage.StatelessApplication', // 11
  '    properties:', // 12
  '      instances: {get_input: replicas}', // 13
  '    requirements:', // 14
  '      - package: web-container', // 15
  '  web-container:', // 16
  '    type: CTC.ServiceStage.ContainerComponent', // 17
  '    properties:', // 18
  '      package:', // 19
  '        image: {get_input: image}', // 20
  'outputs:', // 21
  '  url:', // 22
  '    value: {concat: ["http://", {get_attribute: [web, endpoints, 0]}]}', // 23
];

export type LineEdit = { replace: number; with: string[] } | { insertAfter: number; lines: string[] } | { remove: number; count?: number };

/** The base template with edits applied; line numbers of every edit refer to the unedited base. */
export function editedBase(...edits: LineEdit[]): string {
  const slots: string[][] = BASE_LINES.map((line) => [line]);
  const after: string[][] = BASE_LINES.map(() => []);
  for (const edit of edits) {
    if ('replace' in edit) slots[edit.replace - 1] = edit.with;
    else if ('insertAfter' in edit) after[edit.insertAfter - 1].push(...edit.lines);
    else for (let i = 0; i < (edit.count ?? 1); i++) slots[edit.remove - 1 + i] = [];
  }
  return slots.flatMap((lines, index) => [...lines, ...after[index]]).join('\n') + '\n';
}

export const HEAD = 'tosca_definitions_version: ctc_tosca_version_1_0';
