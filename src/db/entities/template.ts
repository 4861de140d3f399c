import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { TenantSchema } from './tenant.js';

export const TemplateSchema = defineEntity({
  name: 'Template',
  tableName: 'templates',
  uniques: [{ properties: ['tenant', 'name'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    tenant: p.manyToOne(TenantSchema).deleteRule('cascade'),
    name: p.string().length(128),
    description: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  }),
});
export type Template = InferEntity<typeof TemplateSchema>;

/** A version is immutable once created: a change is a new version. */
export const TemplateVersionSchema = defineEntity({
  name: 'TemplateVersion',
  tableName: 'template_versions',
  uniques: [{ properties: ['template', 'version'] }],
  properties: (p) => ({
    id: p.uuid().primary(),
    template: p.manyToOne(TemplateSchema).deleteRule('cascade'),
    version: p.string().length(64),
    body: p.text(),
    /** The text fit to show (secrets masked), made once with the version; null for older versions. */
    shownBody: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  }),
});
export type TemplateVersion = InferEntity<typeof TemplateVersionSchema>;
