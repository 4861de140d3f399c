// Hostile templates from issue 8, shared by the unit tests, the API tests and the template bench.
// Each is small to send and was expensive to check or resolve before the limits existed.

export const HEAD = 'tosca_definitions_version: ctc_tosca_version_1_0';

/** One RandomString with `count` unknown properties, one problem each (about 70 KB for 8 000). */
export function unknownProperties(count: number): string {
  const properties = Array.from({ length: count }, (_, i) => `p${i}: 1`).join(', ');
  return `${HEAD}\nnode_templates:\n  r:\n    type: CTC.Core.RandomString\n    properties: {${properties}}\n`;
}

/**
 * As close to 1 MiB as `unknownProperties` fits, spread over as many RandomStrings as needed (the
 * worst case for problem count: one problem per 12 bytes or so).
 */
export function unknownPropertiesOfSize(bytes: number): string {
  const lines = [HEAD, 'node_templates:'];
  let size = lines.join('\n').length;
  for (let node = 0; size < bytes - 200; node++) {
    const head = [`  r${node}:`, '    type: CTC.Core.RandomString', '    properties:'];
    lines.push(...head);
    size += head.join('\n').length + 1;
    for (let i = 0; i < 5000 && size < bytes - 200; i++) {
      const line = `      u${i}: ${i}`;
      lines.push(line);
      size += line.length + 1;
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The resolution bomb: b_i's package holds two copies of a_(i-1)'s package, and a_i's package is
 * b_i's (every a_i's package is a function call): the resolved size doubles per level. It passes
 * validation, because a get_property that reaches a function call is type-checked only after resolution.
 */
export function resolutionBomb(levels: number): string {
  const lines = [
    HEAD,
    'node_templates:',
    '  base:',
    '    type: CTC.ServiceStage.ContainerComponent',
    '    properties:',
    '      package: {image: app, ports: [{containerPort: 80}]}',
    '  a0:',
    '    type: CTC.ServiceStage.ContainerComponent',
    '    properties:',
    '      package: {get_property: [base, package]}',
  ];
  for (let i = 1; i <= levels; i++) {
    lines.push(
      `  b${i}:`,
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      '      package:',
      '        image: app',
      `        env: [{name: A, value: {get_property: [a${i - 1}, package]}}, {name: B, value: {get_property: [a${i - 1}, package]}}]`,
      `  a${i}:`,
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      `      package: {get_property: [b${i}, package]}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The same doubling on text: each image is the previous one twice (a 2^levels-fold string). */
export function concatBomb(levels: number): string {
  const lines = [HEAD, 'node_templates:', '  c0:', '    type: CTC.ServiceStage.ContainerComponent', '    properties:', `      package: {image: ${'x'.repeat(64)}}`];
  for (let i = 1; i <= levels; i++) {
    lines.push(
      `  c${i}:`,
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      `      package: {image: {concat: [{get_property: [c${i - 1}, package, image]}, {get_property: [c${i - 1}, package, image]}]}}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** ReDoS: `(a+)+b` against n × "a" + "!" backtracks 2^n times on a backtracking engine. */
export function catastrophicPattern(n: number): string {
  return [
    HEAD,
    'inputs:',
    '  name:',
    '    type: string',
    `    default: "${'a'.repeat(n)}!"`,
    '    constraints:',
    '      - pattern: "(a+)+b"',
    'node_templates:',
    '  r: {type: CTC.Core.RandomString}',
    '',
  ].join('\n');
}

/** Secrets written in a template: a password input's default and a literal `secrets[].value`. */
export const PASSWORD_DEFAULT = 'hunter2-in-the-template';
export const LITERAL_SECRET = 'literal-secret-value-42';
export const RDS_PASSWORD = 'rds-password-literal';
export function templateWithSecrets(): string {
  return [
    HEAD,
    'inputs:',
    '  db_password:',
    '    type: password',
    `    default: ${PASSWORD_DEFAULT}`,
    '  api_key: {type: secret, default: "also-secret-default", constraints: [{min_length: 4}]}',
    '  image: {type: string, default: "app:1"}',
    'node_templates:',
    '  app:',
    '    type: CTC.ServiceStage.StatelessApplication',
    '    requirements: [{package: spec}]',
    '  spec:',
    '    type: CTC.ServiceStage.ContainerComponent',
    '    properties:',
    '      package:',
    '        image: {get_input: image}',
    '        env: [{name: MODE, value: production}]',
    '        secrets:',
    '          - name: DB_PASSWORD',
    '            value: {get_input: db_password}',
    '          - name: LITERAL',
    `            value: "${LITERAL_SECRET}"`,
    '          - name: BLOCK',
    '            value: |',
    '              multi-line-secret',
    '  db:',
    '    type: CTC.RDS.PostgreSQL',
    `    properties: {database: app, user: app, password: ${RDS_PASSWORD}}`,
    '',
  ].join('\n');
}

const name63 = (i: number): string => `n${String(i).padStart(5, '0')}${'x'.repeat(57)}`;

/**
 * The largest accepted shape found, for the worst-case figures: 1000 node templates in 1 MiB, 60
 * inputs with patterns. Each ContainerComponent copies the previous one's env list through
 * get_property, so resolution makes about as many values as its budget allows (150 entries: 4.6
 * MB resolved; 160 passes the budget); every node has a 63-character name.
 */
export function worstAccepted(envPerNode = 150, bytes = 1024 * 1024 - 4096): string {
  const lines = [HEAD, 'inputs:'];
  for (let i = 0; i < 60; i++) lines.push(`  i${i}: {type: string, default: "${'a'.repeat(40)}", constraints: [{pattern: "[a-z]{1,64}|x{0,3}"}, {max_length: 4096}]}`);
  lines.push('node_templates:');
  for (let i = 0; i < 500; i++) {
    const env = Array.from({ length: envPerNode }, (_, k) => `{name: E${k}, value: "v${k}-${'z'.repeat(20)}"}`).join(', ');
    lines.push(
      `  ${name63(2 * i)}:`,
      '    type: CTC.ServiceStage.ContainerComponent',
      '    properties:',
      '      package:',
      `        image: {get_input: i${i % 60}}`,
      i === 0 ? `        env: [${env}]` : `        env: {get_property: [${name63(2 * i - 2)}, package, env]}`,
      `        command: [${Array.from({ length: 8 }, (_, k) => `"--opt${k}=${'o'.repeat(30)}"`).join(', ')}]`,
      i > 0 ? `        secrets: [{name: S, value: {concat: [{get_property: [${name63(2 * i - 2)}, package, image]}, "-s"]}}]` : '        secrets: []',
      '        ports: [{containerPort: 8080}]',
      `        serviceSpec: {type: NodePort, ports: [{port: 8080}]}`,
      `  ${name63(2 * i + 1)}:`,
      '    type: CTC.ServiceStage.StatelessApplication',
      `    description: "${'d'.repeat(Math.max(0, Math.floor((bytes - 690_000) / 500)))}"`,
      `    properties: {instances: ${i % 5}, healthCheck: {type: http, port: 8080, path: /health}}`,
      `    requirements: [{package: ${name63(2 * i)}}${i > 0 ? `, {dependency: ${name63(2 * i - 1)}}` : ''}]`,
    );
  }
  lines.push('outputs:');
  for (let i = 0; i < 200; i++) lines.push(`  o${i}: {value: {concat: ["http://", {get_attribute: [${name63(2 * i + 1)}, endpoints, 0]}]}}`);
  return `${lines.join('\n')}\n`;
}

/** `count` nodes with 63-character names, each naming two undefined nodes with names close to theirs (did-you-mean searches). */
export function manyMisspeltReferences(count = 1000): string {
  const lines = [HEAD, 'node_templates:'];
  for (let i = 0; i < count; i++) {
    lines.push(`  ${name63(i)}:`, '    type: CTC.Core.RandomString', `    requirements: [{dependency: ${name63(i).replace('x', 'y').replace(/x$/, 'q')}}, {dependency: ${name63((i + 1) % count).slice(0, 60)}}]`);
  }
  return `${lines.join('\n')}\n`;
}
