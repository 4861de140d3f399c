// Create a stack (issue 13, item 3): a form generated from the template version's declared inputs
// (types, defaults, constraints checked as you type, passwords masked, descriptions as help),
// cluster and namespace, timeout and auto-rollback; the plan previewed (previewStack) before Create;
// input values imported from and exported to YAML/JSON files. The server checks everything again;
// its problems (inputs.<name>, name, namespace, …) are shown at their fields.
// URL: /console/stacks/new?template=<id>&version=<version>.
import { dump, load } from 'js-yaml';
import { useEffect, useId, useMemo, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useRequest } from '../hooks';
import { useT, type Messages, type Translate } from '../i18n';
import { constraintProblems, constraintsOf, describeConstraint, INPUT_MESSAGES, SECRET_MASK, shown, withMessages, type InputSpec } from '../inputs';
import { canChange } from '../roles';
import { Link, navigate, useSearch } from '../router';
import { ClustersDocument, CreateStackDocument, PreviewStackDocument, TemplatesDocument, TemplateVersionsDocument, type CreateStackInput, type ProblemFragment, type StackPlanFieldsFragment, type TemplateVersionsQuery } from '../sdk';
import { useSession } from '../session';
import { requestToken as newRequestToken } from '../request-token';

const OWN: Messages = {
  en: {
    'create.title': 'Create a stack',
    'create.template': 'Template',
    'create.version': 'Version',
    'create.chooseTemplate': 'Choose a template',
    'create.noTemplates': 'There is no template yet: add one first.',
    'create.settings': 'Stack',
    'create.name': 'Name',
    'create.nameHelp': '1 to 100 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.',
    'create.nameBad': 'Use 1 to 100 letters, digits, "-", "_" or ".", starting and ending with a letter or digit.',
    'create.description': 'Description',
    'create.cluster': 'Cluster',
    'create.noCluster': 'No cluster',
    'create.clusterHealthy': 'healthy',
    'create.clusterUnhealthy': 'not reachable',
    'create.namespace': 'Namespace',
    'create.namespaceBad': 'A DNS label: lower-case letters, digits and "-", 1 to 63 characters, starting and ending with a letter or digit.',
    'create.timeout': 'Timeout (minutes)',
    'create.timeoutBad': 'A whole number of minutes from 1 to 1440.',
    'create.autoRollback': 'Roll back automatically if the install fails',
    'create.inputs': 'Inputs',
    'create.noInputs': 'This version declares no inputs.',
    'create.unset': '(not set)',
    'create.passwordDefault': 'Leave empty to use the template’s default.',
    'create.listHelp': 'YAML or JSON, e.g. [a, b] or {key: value}.',
    'create.constraints': 'Allowed: {list}',
    'create.default': 'Default: {value}',
    'create.import': 'Import input values (YAML or JSON file)',
    'create.imported': 'Imported {count} values from {file}.',
    'create.importIgnored': 'Not inputs of this version, ignored: {names}.',
    'create.importMasked': 'Masked password values (******) were not imported: {names}.',
    'create.importBad': '{file} is not a YAML or JSON mapping of input names to values: {message}',
    'create.importTooLarge': '{file} is larger than 1 MiB.',
    'create.export': 'Export input values',
    'create.exportYaml': 'Export as YAML',
    'create.exportJson': 'Export as JSON',
    'create.exportPasswords': 'Include password values in the exported file',
    'create.exportFix': 'Fix the marked fields before exporting.',
    'create.preview': 'Preview',
    'create.previewing': 'Planning…',
    'create.create': 'Create',
    'create.creating': 'Creating…',
    'create.previewFirst': 'Preview the plan to create: Create is offered for the values previewed.',
    'create.fix': 'Fix the marked fields.',
    'create.plan': 'Plan',
    'create.steps': 'Steps, in install order',
    'create.waves': 'Waves (the elements of a wave are deployed in parallel)',
    'create.wave': 'Wave {n}: {elements}',
    'create.step': 'Element',
    'create.type': 'Type',
    'create.change': 'Change',
    'create.dependsOn': 'Depends on',
    'create.problems': 'Problems',
    'create.planProblems': 'The plan has problems.',
    'create.readOnly': 'Your role cannot create stacks.',
  },
  'zh-CN': {
    'create.title': '创建堆栈',
    'create.template': '模板',
    'create.version': '版本',
    'create.chooseTemplate': '选择模板',
    'create.noTemplates': '还没有模板：请先添加一个。',
    'create.settings': '堆栈',
    'create.name': '名称',
    'create.nameHelp': '1 到 100 个字母、数字、“-”、“_”或“.”，以字母或数字开头和结尾。',
    'create.nameBad': '请使用 1 到 100 个字母、数字、“-”、“_”或“.”，以字母或数字开头和结尾。',
    'create.description': '描述',
    'create.cluster': '集群',
    'create.noCluster': '不使用集群',
    'create.clusterHealthy': '健康',
    'create.clusterUnhealthy': '不可达',
    'create.namespace': '命名空间',
    'create.namespaceBad': 'DNS 标签：小写字母、数字和“-”，1 到 63 个字符，以字母或数字开头和结尾。',
    'create.timeout': '超时（分钟）',
    'create.timeoutBad': '1 到 1440 之间的整数分钟。',
    'create.autoRollback': '安装失败时自动回滚',
    'create.inputs': '输入',
    'create.noInputs': '此版本没有声明输入。',
    'create.unset': '（未设置）',
    'create.passwordDefault': '留空则使用模板的默认值。',
    'create.listHelp': 'YAML 或 JSON，例如 [a, b] 或 {key: value}。',
    'create.constraints': '允许：{list}',
    'create.default': '默认值：{value}',
    'create.import': '导入输入值（YAML 或 JSON 文件）',
    'create.imported': '已从 {file} 导入 {count} 个值。',
    'create.importIgnored': '不是此版本的输入，已忽略：{names}。',
    'create.importMasked': '被遮盖的密码值（******）未导入：{names}。',
    'create.importBad': '{file} 不是输入名到值的 YAML 或 JSON 映射：{message}',
    'create.importTooLarge': '{file} 大于 1 MiB。',
    'create.export': '导出输入值',
    'create.exportYaml': '导出为 YAML',
    'create.exportJson': '导出为 JSON',
    'create.exportPasswords': '在导出文件中包含密码值',
    'create.exportFix': '请先修正标记的字段再导出。',
    'create.preview': '预览',
    'create.previewing': '规划中…',
    'create.create': '创建',
    'create.creating': '创建中…',
    'create.previewFirst': '请先预览计划：创建按钮针对已预览的值提供。',
    'create.fix': '请修正标记的字段。',
    'create.plan': '计划',
    'create.steps': '步骤（按安装顺序）',
    'create.waves': '批次（同一批次的元素并行部署）',
    'create.wave': '第 {n} 批：{elements}',
    'create.step': '元素',
    'create.type': '类型',
    'create.change': '变更',
    'create.dependsOn': '依赖',
    'create.problems': '问题',
    'create.planProblems': '计划有问题。',
    'create.readOnly': '您的角色不能创建堆栈。',
  },
};
const MESSAGES = withMessages(INPUT_MESSAGES, OWN);

/** The server's rules (src/services/tenants.ts checkName, stack-requests.ts NAMESPACE and timeout). */
const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,98}[A-Za-z0-9])?$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const MAX_TIMEOUT_MINUTES = 1440;
const MAX_IMPORT_BYTES = 1024 * 1024;

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

/** The text of a field as the value the API is given; `undefined`: left empty (the default applies). */
function parseField(t: Translate, spec: InputSpec, text: string): Parsed {
  // Empty is "not given" (the default applies); blank text is a value only for text inputs.
  const isText = spec.type === 'string' || spec.type === 'password' || spec.type === 'secret';
  if (text === '' || (!isText && text.trim() === '')) return { ok: true, value: undefined };
  switch (spec.type) {
    case 'integer':
      return /^[-+]?\d+$/.test(text.trim()) && Number.isSafeInteger(Number(text)) ? { ok: true, value: Number(text) } : { ok: false, message: t('check.integer') };
    case 'float': {
      const number = Number(text.trim());
      return text.trim() !== '' && Number.isFinite(number) ? { ok: true, value: number } : { ok: false, message: t('check.float') };
    }
    case 'boolean':
      return { ok: true, value: text === 'true' };
    case 'list':
    case 'map': {
      let value: unknown;
      try {
        value = load(text);
      } catch (error) {
        return { ok: false, message: t('check.json', { message: error instanceof Error ? error.message.split('\n')[0] : String(error) }) };
      }
      const isList = Array.isArray(value);
      const isMap = typeof value === 'object' && value !== null && !isList;
      if (spec.type === 'list' && !isList) return { ok: false, message: t('check.list') };
      if (spec.type === 'map' && !isMap) return { ok: false, message: t('check.map') };
      return { ok: true, value };
    }
    default:
      return { ok: true, value: text };
  }
}

/** A value as the text of its field. */
function fieldText(spec: InputSpec, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (spec.type === 'list' || spec.type === 'map') return JSON.stringify(value);
  if (spec.type === 'boolean') return value === true || value === 'true' ? 'true' : 'false';
  // An imported file may hold any JSON for a scalar input: shown as JSON, the server says what is wrong.
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** The fields' first texts: the defaults, except masked ones (a password's default stays on the server). */
function initialTexts(inputs: readonly InputSpec[]): Record<string, string> {
  return Object.fromEntries(inputs.map((spec) => [spec.name, spec.secret || spec.default === SECRET_MASK ? '' : fieldText(spec, spec.default)]));
}

function validValues(spec: InputSpec): unknown[] | null {
  const constraint = constraintsOf(spec).find((c) => c.name === 'valid_values');
  return !spec.secret && constraint && Array.isArray(constraint.argument) ? constraint.argument : null;
}

interface FieldState {
  value: unknown;
  problems: string[];
}

function checkField(t: Translate, spec: InputSpec, text: string): FieldState {
  const parsed = parseField(t, spec, text);
  if (!parsed.ok) return { value: undefined, problems: [parsed.message] };
  if (parsed.value === undefined) {
    const hasDefault = spec.default !== null && spec.default !== undefined;
    return { value: undefined, problems: spec.required && !hasDefault ? [t('check.required')] : [] };
  }
  return { value: parsed.value, problems: constraintProblems(t, spec, parsed.value) };
}

function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** What every kind of input field carries: id, help and error, the input's name for tests. */
interface FieldProps {
  id: string;
  onBlur: () => void;
  'aria-describedby': string;
  'aria-invalid': true | undefined;
  'aria-required': true | undefined;
  'data-input': string;
}

/**
 * A password field left uncontrolled: React writes a controlled input's value into its `value`
 * attribute, which would put the secret in the page's markup; the property alone holds it here.
 */
function PasswordInput({ common, text, onChange }: { common: FieldProps; text: string; onChange: (text: string) => void }) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // The first value, and one from outside (an imported file), go to the property, never the attribute.
    if (ref.current && ref.current.value !== text) ref.current.value = text;
  }, [text]);
  return <input {...common} ref={ref} type="password" autoComplete="new-password" onChange={(event) => onChange(event.target.value)} />;
}

function InputField({ spec, text, problems, serverProblems, onChange, onBlur, t }: { spec: InputSpec; text: string; problems: string[]; serverProblems: string[]; onChange: (text: string) => void; onBlur: () => void; t: Translate }) {
  const id = useId();
  const all = [...problems, ...serverProblems];
  const helpId = `${id}-help`;
  const errorId = `${id}-error`;
  const allowed = validValues(spec);
  const hasDefault = spec.default !== null && spec.default !== undefined;
  const describedBy = [helpId, all.length > 0 ? errorId : ''].filter(Boolean).join(' ');
  const common: FieldProps = { id, onBlur, 'aria-describedby': describedBy, 'aria-invalid': all.length > 0 ? true : undefined, 'aria-required': spec.required && !hasDefault ? true : undefined, 'data-input': spec.name };
  let control;
  if (allowed) {
    control = (
      <select {...common} value={text} onChange={(event) => onChange(event.target.value)}>
        {!spec.required || hasDefault ? <option value="">{t('create.unset')}</option> : null}
        {allowed.map((value) => (
          <option key={JSON.stringify(value)} value={fieldText(spec, value)}>
            {shown(value)}
          </option>
        ))}
      </select>
    );
  } else if (spec.type === 'boolean') {
    control = (
      <select {...common} value={text} onChange={(event) => onChange(event.target.value)}>
        <option value="">{t('create.unset')}</option>
        <option value="true">true</option>
        <option value="false">false</option>
      </select>
    );
  } else if (spec.type === 'list' || spec.type === 'map') {
    control = <textarea {...common} value={text} onChange={(event) => onChange(event.target.value)} spellCheck={false} />;
  } else if (spec.secret) {
    control = <PasswordInput common={common} text={text} onChange={onChange} />;
  } else {
    control = <input {...common} type="text" inputMode={spec.type === 'integer' ? 'numeric' : spec.type === 'float' ? 'decimal' : undefined} value={text} onChange={(event) => onChange(event.target.value)} spellCheck={false} />;
  }
  const constraints = constraintsOf(spec).map((c) => describeConstraint(t, c));
  return (
    <div className="input-field" data-field={spec.name}>
      <label htmlFor={id}>
        {spec.label ?? spec.name}
        {spec.label ? <span className="muted"> ({spec.name})</span> : null}
      </label>
      <div className="control">
        {control}
        <span id={helpId} className="help">
          {[
            spec.type,
            spec.description,
            constraints.length > 0 ? t('create.constraints', { list: constraints.join('; ') }) : null,
            hasDefault && !spec.secret && spec.default !== SECRET_MASK ? t('create.default', { value: shown(spec.default) }) : null,
            spec.secret && hasDefault ? t('create.passwordDefault') : null,
            spec.type === 'list' || spec.type === 'map' ? t('create.listHelp') : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
        {all.length > 0 ? (
          <span id={errorId} className="field-error" data-testid="field-error">
            {all.join(' ')}
          </span>
        ) : null}
      </div>
    </div>
  );
}

function Plan({ plan, t }: { plan: StackPlanFieldsFragment; t: Translate }) {
  return (
    <section className="plan" data-testid="plan" aria-label={t('create.plan')}>
      <h2>{t('create.plan')}</h2>
      {plan.problems.length > 0 ? (
        <>
          <p role="alert">{t('create.planProblems')}</p>
          <ul>
            {plan.problems.map((problem, index) => (
              <li key={index}>
                <code>{problem.path}</code> {problem.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <table data-testid="plan-steps">
        <caption className="visually-hidden">{t('create.steps')}</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('create.step')}</th>
            <th scope="col">{t('create.type')}</th>
            <th scope="col">{t('create.change')}</th>
            <th scope="col">{t('create.dependsOn')}</th>
          </tr>
        </thead>
        <tbody>
          {plan.steps.map((step, index) => (
            <tr key={step.element} data-element={step.element}>
              <td>{index + 1}</td>
              <th scope="row">{step.element}</th>
              <td>{step.type}</td>
              <td>
                <span className={`badge change-${step.change}`}>{step.change}</span>
              </td>
              <td>{step.dependsOn.join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>{t('create.waves')}</h3>
      <ol data-testid="plan-waves">
        {plan.waves.map((wave, index) => (
          <li key={index}>{t('create.wave', { n: index + 1, elements: wave.join(', ') })}</li>
        ))}
      </ol>
    </section>
  );
}

type Version = NonNullable<TemplateVersionsQuery['template']>['versions'][number];

function StackForm({ templateId, templateName, version, versions, onVersion }: { templateId: string; templateName: string; version: Version; versions: readonly Version[]; onVersion: (version: string) => void }) {
  const t = useT(MESSAGES);
  const { client, viewer } = useSession();
  const ids = useId();
  const clusters = useRequest(ClustersDocument, {});
  const inputs = version.inputs;
  const [texts, setTexts] = useState<Record<string, string>>(() => initialTexts(inputs));
  const [touched, setTouched] = useState<ReadonlySet<string>>(new Set());
  const [attempted, setAttempted] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [clusterId, setClusterId] = useState<string | null>(null);
  const [namespace, setNamespace] = useState('default');
  const [timeout, setTimeoutText] = useState('60');
  const [autoRollback, setAutoRollback] = useState(true);
  const [includePasswords, setIncludePasswords] = useState(false);
  const [importNote, setImportNote] = useState<string[]>([]);
  const [importError, setImportError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'preview' | 'create' | null>(null);
  const [previewed, setPreviewed] = useState<{ key: string; plan: StackPlanFieldsFragment } | null>(null);
  const [server, setServer] = useState<{ key: string; problems: readonly ProblemFragment[]; message: string | null } | null>(null);
  // One create request per form: a second click or a retry after a lost answer gives the same stack.
  const requestToken = useRef(newRequestToken());

  // The version changed (another was picked): its fields start again from its defaults.
  useEffect(() => {
    setTexts(initialTexts(inputs));
    setTouched(new Set());
  }, [inputs]);
  // The first cluster is the likely one; "no cluster" stays a choice.
  useEffect(() => {
    const first = clusters.data?.clusters[0];
    if (first && clusterId === null) setClusterId(first.id);
  }, [clusters.data, clusterId]);

  const fields = useMemo(() => Object.fromEntries(inputs.map((spec) => [spec.name, checkField(t, spec, texts[spec.name] ?? '')])), [inputs, texts, t]);
  const settingsProblems: Record<string, string | null> = {
    name: name === '' ? (attempted ? t('check.required') : null) : NAME.test(name) ? null : t('create.nameBad'),
    namespace: NAMESPACE.test(namespace) ? null : t('create.namespaceBad'),
    timeoutMinutes: /^\d+$/.test(timeout) && Number(timeout) >= 1 && Number(timeout) <= MAX_TIMEOUT_MINUTES ? null : t('create.timeoutBad'),
  };
  const formValid = Object.values(fields).every((field) => field.problems.length === 0) && Object.values(settingsProblems).every((p) => p === null) && name !== '';

  const givenInputs = (withPasswords: boolean): Record<string, unknown> =>
    Object.fromEntries(
      inputs.filter((spec) => fields[spec.name]?.value !== undefined && (withPasswords || !spec.secret)).map((spec) => [spec.name, fields[spec.name]?.value]),
    );
  const request: CreateStackInput = {
    name,
    templateId,
    templateVersion: version.version,
    inputs: givenInputs(true),
    namespace,
    timeoutMinutes: Number(timeout),
    autoRollback,
    ...(clusterId ? { clusterId } : {}),
    ...(description.trim() ? { description: description.trim() } : {}),
  };
  const key = JSON.stringify(request);
  const serverNow = server && server.key === key ? server : null;
  const problemsAt = (path: string): string[] => (serverNow?.problems ?? []).filter((p) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`)).map((p) => (p.hint ? `${p.message} (${p.hint})` : p.message));
  const mapped = new Set(['name', 'namespace', 'timeoutMinutes', 'description', ...inputs.map((spec) => `inputs.${spec.name}`)]);
  const unmapped = (serverNow?.problems ?? []).filter((p) => ![...mapped].some((path) => p.path === path || p.path.startsWith(`${path}.`) || p.path.startsWith(`${path}[`)));
  const planNow = previewed && previewed.key === key ? previewed.plan : null;
  const allowed = canChange(viewer);

  const change = (inputName: string, text: string) => {
    setTexts((current) => ({ ...current, [inputName]: text }));
    setTouched((current) => new Set(current).add(inputName));
  };

  const preview = async () => {
    setAttempted(true);
    setTouched(new Set(inputs.map((spec) => spec.name)));
    if (!formValid) return;
    setBusy('preview');
    try {
      const { previewStack: outcome } = await client.request(PreviewStackDocument, { input: request });
      if (outcome.__typename === 'PreviewStackSuccess') {
        setPreviewed({ key, plan: outcome.plan });
        setServer(null);
      } else {
        setPreviewed(null);
        setServer({ key, problems: outcome.__typename === 'ValidationError' ? outcome.problems : [], message: outcome.message });
      }
    } catch (error) {
      setServer({ key, problems: [], message: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(null);
    }
  };

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!planNow || !formValid || busy) return;
    setBusy('create');
    try {
      const { createStack: outcome } = await client.request(CreateStackDocument, { input: { ...request, clientRequestToken: requestToken.current } });
      if (outcome.__typename === 'CreateStackSuccess') {
        navigate(`/stacks/${outcome.stack.id}`);
        return;
      }
      setServer({ key, problems: outcome.__typename === 'ValidationError' ? outcome.problems : [], message: outcome.message });
    } catch (error) {
      setServer({ key, problems: [], message: error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(null);
    }
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setImportNote([]);
    setImportError(null);
    if (file.size > MAX_IMPORT_BYTES) {
      setImportError(t('create.importTooLarge', { file: file.name }));
      return;
    }
    let values: unknown;
    try {
      values = load(await file.text());
    } catch (error) {
      setImportError(t('create.importBad', { file: file.name, message: error instanceof Error ? error.message.split('\n')[0] : String(error) }));
      return;
    }
    if (typeof values !== 'object' || values === null || Array.isArray(values)) {
      setImportError(t('create.importBad', { file: file.name, message: typeof values }));
      return;
    }
    const known = new Map(inputs.map((spec) => [spec.name, spec]));
    const next: Record<string, string> = {};
    const ignored: string[] = [];
    const masked: string[] = [];
    for (const [inputName, value] of Object.entries(values)) {
      const spec = known.get(inputName);
      if (!spec) ignored.push(inputName);
      else if (spec.secret && value === SECRET_MASK) masked.push(inputName);
      else next[inputName] = fieldText(spec, value);
    }
    setTexts((current) => ({ ...current, ...next }));
    setTouched((current) => new Set([...current, ...Object.keys(next)]));
    setImportNote(
      [
        t('create.imported', { count: Object.keys(next).length, file: file.name }),
        ignored.length > 0 ? t('create.importIgnored', { names: ignored.join(', ') }) : '',
        masked.length > 0 ? t('create.importMasked', { names: masked.join(', ') }) : '',
      ].filter(Boolean),
    );
  };

  const exportValues = (format: 'yaml' | 'json') => {
    const values = givenInputs(includePasswords);
    const base = (name || templateName).replace(/[^A-Za-z0-9._-]+/g, '-');
    if (format === 'json') download(`${base}-inputs.json`, `${JSON.stringify(values, null, 2)}\n`, 'application/json');
    else download(`${base}-inputs.yaml`, dump(values, { noRefs: true, lineWidth: -1 }), 'application/yaml');
  };
  const inputsValid = Object.values(fields).every((field) => field.problems.length === 0);

  const settingError = (field: string, local: string | null) => {
    const all = [local, ...problemsAt(field)].filter((p): p is string => Boolean(p));
    return all.length > 0 ? (
      <span id={`${ids}-${field}-error`} className="field-error" data-testid="field-error">
        {all.join(' ')}
      </span>
    ) : null;
  };
  const describedBy = (field: string, help?: boolean) => [help ? `${ids}-${field}-help` : '', settingsProblems[field] || problemsAt(field).length > 0 ? `${ids}-${field}-error` : ''].filter(Boolean).join(' ') || undefined;

  return (
    <form className="stacked-form create-stack" onSubmit={(event) => void create(event)} aria-label={t('create.title')} noValidate>
      {!allowed ? <p role="alert">{t('create.readOnly')}</p> : null}
      <label>
        {t('create.version')}
        <select value={version.version} onChange={(event) => onVersion(event.target.value)}>
          {versions.map((v) => (
            <option key={v.id} value={v.version}>
              {v.version}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>{t('create.settings')}</legend>
        <div className="field">
          <label htmlFor={`${ids}-name`}>{t('create.name')}</label>
          <input id={`${ids}-name`} value={name} onChange={(event) => setName(event.target.value)} required aria-required maxLength={100} aria-invalid={settingsProblems.name || problemsAt('name').length ? true : undefined} aria-describedby={describedBy('name', true)} />
          <span id={`${ids}-name-help`} className="help">
            {t('create.nameHelp')}
          </span>
          {settingError('name', settingsProblems.name)}
        </div>
        <div className="field">
          <label htmlFor={`${ids}-description`}>{t('create.description')}</label>
          <input id={`${ids}-description`} value={description} onChange={(event) => setDescription(event.target.value)} maxLength={1024} aria-describedby={describedBy('description')} />
          {settingError('description', null)}
        </div>
        <div className="field">
          <label htmlFor={`${ids}-cluster`}>{t('create.cluster')}</label>
          <select id={`${ids}-cluster`} value={clusterId ?? ''} onChange={(event) => setClusterId(event.target.value || null)}>
            <option value="">{t('create.noCluster')}</option>
            {(clusters.data?.clusters ?? []).map((cluster) => (
              <option key={cluster.id} value={cluster.id}>
                {cluster.name} ({cluster.kind}, {cluster.healthy ? t('create.clusterHealthy') : t('create.clusterUnhealthy')})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${ids}-namespace`}>{t('create.namespace')}</label>
          <input id={`${ids}-namespace`} value={namespace} onChange={(event) => setNamespace(event.target.value)} maxLength={63} aria-invalid={settingsProblems.namespace ? true : undefined} aria-describedby={describedBy('namespace')} />
          {settingError('namespace', settingsProblems.namespace)}
        </div>
        <div className="field">
          <label htmlFor={`${ids}-timeout`}>{t('create.timeout')}</label>
          <input id={`${ids}-timeout`} inputMode="numeric" value={timeout} onChange={(event) => setTimeoutText(event.target.value)} aria-invalid={settingsProblems.timeoutMinutes ? true : undefined} aria-describedby={describedBy('timeoutMinutes')} />
          {settingError('timeoutMinutes', settingsProblems.timeoutMinutes)}
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={autoRollback} onChange={(event) => setAutoRollback(event.target.checked)} />
          {t('create.autoRollback')}
        </label>
      </fieldset>
      <fieldset data-testid="inputs">
        <legend>{t('create.inputs')}</legend>
        {inputs.length === 0 ? <p>{t('create.noInputs')}</p> : null}
        {inputs.map((spec) => (
          <InputField
            key={`${version.id}-${spec.name}`}
            spec={spec}
            t={t}
            text={texts[spec.name] ?? ''}
            problems={touched.has(spec.name) || attempted ? fields[spec.name]?.problems ?? [] : []}
            serverProblems={problemsAt(`inputs.${spec.name}`)}
            onChange={(text) => change(spec.name, text)}
            onBlur={() => setTouched((current) => new Set(current).add(spec.name))}
          />
        ))}
        <div className="button-row import-export">
          <label className="field">
            {t('create.import')}
            <input type="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml" onChange={(event) => void importFile(event)} data-testid="import-inputs" />
          </label>
        </div>
        {importError ? (
          <p role="alert" className="field-error">
            {importError}
          </p>
        ) : null}
        {importNote.length > 0 ? (
          <p role="status" data-testid="import-note">
            {importNote.join(' ')}
          </p>
        ) : null}
        <div className="button-row import-export" role="group" aria-label={t('create.export')}>
          <button type="button" className="secondary" disabled={!inputsValid} onClick={() => exportValues('yaml')}>
            {t('create.exportYaml')}
          </button>
          <button type="button" className="secondary" disabled={!inputsValid} onClick={() => exportValues('json')}>
            {t('create.exportJson')}
          </button>
          {inputs.some((spec) => spec.secret) ? (
            <label className="checkbox">
              <input type="checkbox" checked={includePasswords} onChange={(event) => setIncludePasswords(event.target.checked)} />
              {t('create.exportPasswords')}
            </label>
          ) : null}
          {!inputsValid ? <span className="help">{t('create.exportFix')}</span> : null}
        </div>
      </fieldset>
      {serverNow?.message || unmapped.length > 0 ? (
        <div role="alert" className="error" data-testid="server-problems">
          <p>{serverNow?.message}</p>
          {unmapped.length > 0 ? (
            <ul>
              {unmapped.map((problem, index) => (
                <li key={index}>
                  <code>{problem.path || problem.code}</code> {problem.message}
                  {problem.hint ? ` (${problem.hint})` : ''}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {attempted && !formValid ? <p className="field-error">{t('create.fix')}</p> : null}
      <div className="button-row">
        <button type="button" className="secondary" onClick={() => void preview()} disabled={busy !== null}>
          {busy === 'preview' ? t('create.previewing') : t('create.preview')}
        </button>
        <button type="submit" disabled={!allowed || !planNow || planNow.problems.length > 0 || busy !== null} aria-describedby={planNow ? undefined : `${ids}-preview-first`}>
          {busy === 'create' ? t('create.creating') : t('create.create')}
        </button>
        {planNow ? null : (
          <span id={`${ids}-preview-first`} className="help">
            {t('create.previewFirst')}
          </span>
        )}
      </div>
      {planNow ? <Plan plan={planNow} t={t} /> : null}
    </form>
  );
}

function TemplateChoice({ templateId, onTemplate }: { templateId: string | null; onTemplate: (id: string) => void }) {
  const t = useT(MESSAGES);
  // The API's page size is at most 100; a tenant's template quota is smaller than that by default.
  const list = useRequest(TemplatesDocument, { first: 100 });
  const rows = list.data?.templates.edges.map((edge) => edge.node) ?? [];
  if (list.error) return <p role="alert" className="error">{t('common.error', { message: list.error.message })}</p>;
  if (list.data && rows.length === 0) {
    return (
      <p>
        {t('create.noTemplates')} <Link to="/templates/new">{t('nav.templates')}</Link>
      </p>
    );
  }
  return (
    <label className="field template-choice">
      {t('create.template')}
      <select value={templateId ?? ''} onChange={(event) => onTemplate(event.target.value)}>
        <option value="" disabled>
          {t('create.chooseTemplate')}
        </option>
        {rows.map((template) => (
          <option key={template.id} value={template.id}>
            {template.name}
            {template.description ? ` — ${template.description}` : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

function TemplateForm({ templateId, version }: { templateId: string; version: string | null }) {
  const t = useT(MESSAGES);
  const detail = useRequest(TemplateVersionsDocument, { id: templateId });
  if (detail.error) return <p role="alert" className="error">{t('common.error', { message: detail.error.message })}</p>;
  if (!detail.data) return <p role="status">{t('common.loading')}</p>;
  const template = detail.data.template;
  if (!template) return <p role="alert">{t('common.notFoundText')}</p>;
  const versions = template.versions;
  const chosen = versions.find((v) => v.version === version) ?? versions[versions.length - 1];
  if (!chosen) return null;
  const pick = (next: string) => navigate(`/stacks/new?template=${encodeURIComponent(template.id)}&version=${encodeURIComponent(next)}`, { replace: true });
  return <StackForm key={template.id} templateId={template.id} templateName={template.name} version={chosen} versions={versions} onVersion={pick} />;
}

export default function CreateStackPage({ path }: { path: string[] }) {
  const t = useT(MESSAGES);
  const search = useSearch();
  const templateId = search.get('template');
  const version = search.get('version');
  if (path.length > 0) return <p role="alert">{t('common.notFoundText')}</p>;
  return (
    <section className="create-stack-page">
      <h1>{t('create.title')}</h1>
      <TemplateChoice templateId={templateId} onTemplate={(id) => navigate(`/stacks/new?template=${encodeURIComponent(id)}`, { replace: true })} />
      {templateId ? <TemplateForm templateId={templateId} version={version} /> : null}
    </section>
  );
}
