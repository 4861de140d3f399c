// What the console's topology reads of each element: `dependsOn` (requirements and the nodes its
// properties read, as the plan computes them) and `properties` as the template writes them, with
// literal secret values masked and functions left unresolved (no input value, secret or not).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithUsers, startTestApp, uniqueName, type TestApp, type TestTenant } from '../helpers/app.js';

const TEMPLATE = `tosca_definitions_version: ctc_tosca_version_1_0
inputs:
  image:
    type: string
    default: aos-test/httpd:1
  db_password:
    type: password
    default: hunter2-default
node_templates:
  app:
    type: CTC.ServiceStage.StatelessApplication
    properties:
      instances: 1
    requirements:
      - package:
          node: box
  box:
    type: CTC.ServiceStage.ContainerComponent
    properties:
      package:
        image: { get_input: image }
        env:
          - name: TOKEN_LENGTH
            value: { get_property: [token, length] }
        secrets:
          - name: LITERAL
            value: literal-secret-value
          - name: FROM_INPUT
            value: { get_input: db_password }
  token:
    type: CTC.Core.RandomString
    properties:
      length: 12
`;

describe('Element.dependsOn and Element.properties', () => {
  let t: TestApp;
  let tenant: TestTenant;
  let stackId: string;

  beforeAll(async () => {
    t = await startTestApp();
    tenant = await createTenantWithUsers(t, 'elements');
    const template = await t.gql(tenant.operator, `mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { __typename ... on CreateTemplateSuccess { template { id } } ... on ValidationError { problems { path message } } } }`, {
      input: { name: uniqueName('tpl'), version: '1', body: TEMPLATE },
    });
    const templateId = template.data!.createTemplate.template?.id;
    expect(templateId, JSON.stringify(template)).toBeTruthy();
    const created = await t.gql(tenant.operator, `mutation($input: CreateStackInput!) { createStack(input: $input) { __typename ... on CreateStackSuccess { stack { id } } ... on Error { message } } }`, {
      input: { name: uniqueName('s'), templateId, deploy: false, inputs: { db_password: 'input-secret-value' } },
    });
    stackId = created.data!.createStack.stack?.id;
    expect(stackId, JSON.stringify(created)).toBeTruthy();
  });
  afterAll(async () => t?.close());

  it('gives each element its dependencies and its written properties, secrets masked, to every role', async () => {
    for (const token of [tenant.operator, tenant.viewer]) {
      const res = await t.gql(token, `query($id: ID) { stack(id: $id) { elements { name dependsOn properties } } }`, { id: stackId });
      expect(res.errors).toBeUndefined();
      const byName = Object.fromEntries(res.data!.stack.elements.map((e: { name: string }) => [e.name, e]));
      expect(Object.keys(byName).sort()).toEqual(['app', 'box', 'token']);
      expect(byName.app.dependsOn).toEqual(['box']);
      expect(byName.box.dependsOn).toEqual(['token']);
      expect(byName.token.dependsOn).toEqual([]);
      expect(byName.token.properties).toEqual({ length: 12 });
      expect(byName.box.properties.package.image).toEqual({ get_input: 'image' });
      expect(byName.box.properties.package.secrets).toEqual([
        { name: 'LITERAL', value: '******' },
        { name: 'FROM_INPUT', value: { get_input: 'db_password' } },
      ]);
      const text = JSON.stringify(res.data);
      for (const secret of ['literal-secret-value', 'input-secret-value', 'hunter2-default']) expect(text).not.toContain(secret);
    }
  });
});
