// A new template, or a new version of one (issue 13, item 2): the text pasted, typed or read from a
// file, checked as it is written by the server's own validator (validateTemplate): every problem
// marked at its line and column with message and hint, the declared inputs summarised, and Save
// offered only once the text is valid.
import { lazy, Suspense, useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react';
import { useRequest } from '../hooks';
import { useT, type Messages } from '../i18n';
import { INPUT_MESSAGES, SECRET_MASK, withMessages } from '../inputs';
import { canChange } from '../roles';
import { Link, navigate } from '../router';
import { CreateTemplateDocument, CreateTemplateVersionDocument, TemplateVersionsDocument, ValidateTemplateDocument, type ProblemFragment, type ValidateTemplateQuery } from '../sdk';
import { useSession } from '../session';
import { InputSummary } from '../components/input-summary';
import { NotFound } from '../components/not-found';

const YamlEditor = lazy(() => import('../components/yaml-editor'));

/** The server's limit on template text (src/template/parse.ts MAX_TEMPLATE_BYTES): 1 MiB of UTF-8. */
const MAX_TEMPLATE_BYTES = 1024 * 1024;
/** Quiet time after the last keystroke before the text is checked. */
const LINT_DELAY_MS = 350;
/** A check that takes longer is given up (the next keystroke asks again). */
const LINT_TIMEOUT_MS = 10_000;

const OWN: Messages = {
  en: {
    'new.titleTemplate': 'New template',
    'new.titleVersion': 'New version of {name}',
    'new.name': 'Name',
    'new.description': 'Description',
    'new.version': 'Version',
    'new.file': 'Read from a file (YAML or JSON, at most 1 MiB)',
    'new.fileTooLarge': 'The file {file} has {size} bytes; a template is at most 1 MiB (1048576 bytes).',
    'new.fileUnreadable': 'Could not read {file}: {message}',
    'new.text': 'Template text (YAML or JSON)',
    'new.textHelp': 'Paste or type the template; it is checked as you write. Indent with spaces: YAML refuses tabs.',
    'new.checking': 'Checking…',
    'new.empty': 'Write or paste a template to check it.',
    'new.valid': 'Valid: {elements} elements, {inputs} inputs, {outputs} outputs.',
    'new.invalid': '{count} problems: fix them to save.',
    'new.invalidOne': '1 problem: fix it to save.',
    'new.checkFailed': 'The check did not answer: {message}',
    'new.problems': 'Problems',
    'new.at': 'Line {line}, column {column}',
    'new.atNowhere': 'Whole template',
    'new.inputs': 'Declared inputs',
    'new.save': 'Save',
    'new.saving': 'Saving…',
    'new.saveWhy': 'Save is offered once the text is valid and a name and version are given.',
    'new.prefilled': 'Started from version {version}: change it and save under a new version.',
    'new.notPrefilled': 'Version {version} holds masked secrets (******); start from your own copy of the text.',
    'new.cancel': 'Cancel',
    'new.readOnly': 'Your role cannot add templates.',
  },
  'zh-CN': {
    'new.titleTemplate': '新建模板',
    'new.titleVersion': '{name} 的新版本',
    'new.name': '名称',
    'new.description': '描述',
    'new.version': '版本',
    'new.file': '从文件读取（YAML 或 JSON，最大 1 MiB）',
    'new.fileTooLarge': '文件 {file} 有 {size} 字节；模板最大 1 MiB（1048576 字节）。',
    'new.fileUnreadable': '无法读取 {file}：{message}',
    'new.text': '模板内容（YAML 或 JSON）',
    'new.textHelp': '粘贴或输入模板，输入时即检查。请用空格缩进：YAML 不接受制表符。',
    'new.checking': '检查中…',
    'new.empty': '输入或粘贴模板以检查。',
    'new.valid': '有效：{elements} 个元素，{inputs} 个输入，{outputs} 个输出。',
    'new.invalid': '{count} 个问题：修正后才能保存。',
    'new.invalidOne': '1 个问题：修正后才能保存。',
    'new.checkFailed': '检查没有应答：{message}',
    'new.problems': '问题',
    'new.at': '第 {line} 行，第 {column} 列',
    'new.atNowhere': '整个模板',
    'new.inputs': '声明的输入',
    'new.save': '保存',
    'new.saving': '保存中…',
    'new.saveWhy': '内容有效且填写了名称和版本后才能保存。',
    'new.prefilled': '以版本 {version} 为起点：修改后保存为新版本。',
    'new.notPrefilled': '版本 {version} 含有被遮盖的机密（******）；请从您自己的副本开始。',
    'new.cancel': '取消',
    'new.readOnly': '您的角色不能添加模板。',
  },
};
const MESSAGES = withMessages(INPUT_MESSAGES, OWN);

type Validation = ValidateTemplateQuery['validateTemplate'];

interface Checked {
  text: string;
  result: Validation | null;
  error: string | null;
}

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/**
 * The server's verdict on `text`, asked after a quiet moment; an answer for older text (the user
 * typed on) is dropped, and a check that takes too long is given up.
 */
function useTemplateCheck(text: string): { checked: Checked | null; pending: boolean } {
  const { client } = useSession();
  const [checked, setChecked] = useState<Checked | null>(null);
  const latest = useRef(0);
  useEffect(() => {
    const mine = ++latest.current;
    if (text.trim() === '') {
      setChecked(null);
      return;
    }
    if (utf8Length(text) > MAX_TEMPLATE_BYTES) {
      // Not sent: the server would refuse it unread (TOO_LARGE), after a megabyte upload per keystroke.
      const problem: ProblemFragment = { code: 'TOO_LARGE', path: '', line: null, column: null, message: `the template is over 1 MiB (${utf8Length(text)} bytes)`, hint: 'split it, or move data out of the template' };
      setChecked({ text, result: { valid: false, problems: [problem], inputs: [], elements: [], outputs: [] }, error: null });
      return;
    }
    let timeout: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      const givenUp = new Promise<never>((_resolve, reject) => {
        timeout = setTimeout(() => reject(new Error(`no answer in ${LINT_TIMEOUT_MS / 1000} s`)), LINT_TIMEOUT_MS);
      });
      Promise.race([client.request(ValidateTemplateDocument, { body: text }), givenUp]).then(
        (data) => {
          if (latest.current === mine) setChecked({ text, result: data.validateTemplate, error: null });
        },
        (error: unknown) => {
          if (latest.current === mine) setChecked({ text, result: null, error: error instanceof Error ? error.message : String(error) });
        },
      ).finally(() => clearTimeout(timeout));
    }, LINT_DELAY_MS);
    return () => {
      clearTimeout(timer);
      clearTimeout(timeout);
    };
  }, [client, text]);
  return { checked, pending: text.trim() !== '' && checked?.text !== text };
}

/** The next version's name after `latest` ("3" after "2"; empty when it is not a number). */
function nextVersion(latest: string | undefined): string {
  if (latest === undefined) return '1';
  return /^\d+$/.test(latest) ? String(Number(latest) + 1) : '';
}

/** A template name from a file name: `nginx-quickstart.yaml` → `nginx-quickstart`. */
function nameFromFile(file: string): string {
  return file
    .replace(/\.(ya?ml|json)$/i, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
}

const NO_PROBLEMS: readonly ProblemFragment[] = [];

function TemplateForm({ template }: { template?: { id: string; name: string; latest?: { version: string; body: string } } }) {
  const t = useT(MESSAGES);
  const { client, viewer } = useSession();
  const ids = useId();
  const startsFrom = template?.latest && !template.latest.body.includes(SECRET_MASK) ? template.latest : undefined;
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [version, setVersion] = useState(() => nextVersion(template?.latest?.version));
  const [text, setText] = useState(startsFrom?.body ?? '');
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [nameError, setNameError] = useState<string | null>(null);
  const [serverProblems, setServerProblems] = useState<{ text: string; problems: readonly ProblemFragment[] } | null>(null);
  const [focusAt, setFocusAt] = useState<{ line: number; column: number; seq: number } | null>(null);
  const { checked, pending } = useTemplateCheck(text);

  const result = checked?.result ?? null;
  // The save's own problems win while the text is the one saved; then the live check's.
  const problems = serverProblems && serverProblems.text === text ? serverProblems.problems : result?.problems ?? NO_PROBLEMS;
  const valid = !pending && checked?.text === text && result?.valid === true;
  const canSave = canChange(viewer) && valid && version.trim() !== '' && (template !== undefined || name.trim() !== '') && !saving;

  const readFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    setFileProblem(null);
    if (file.size > MAX_TEMPLATE_BYTES) {
      setFileProblem(t('new.fileTooLarge', { file: file.name, size: file.size }));
      return;
    }
    try {
      setText(await file.text());
      if (!template && name.trim() === '') setName(nameFromFile(file.name));
    } catch (error) {
      setFileProblem(t('new.fileUnreadable', { file: file.name, message: error instanceof Error ? error.message : String(error) }));
    }
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSave) return;
    setSaving(true);
    setSaveError(null);
    setNameError(null);
    try {
      const outcome = template
        ? (await client.request(CreateTemplateVersionDocument, { input: { templateId: template.id, version: version.trim(), body: text } })).createTemplateVersion
        : (await client.request(CreateTemplateDocument, { input: { name: name.trim(), version: version.trim(), body: text, ...(description.trim() ? { description: description.trim() } : {}) } })).createTemplate;
      if (outcome.__typename === 'CreateTemplateSuccess' || outcome.__typename === 'CreateTemplateVersionSuccess') {
        navigate(`/templates/${outcome.template.id}/versions/${encodeURIComponent(version.trim())}`);
        return;
      }
      if (outcome.__typename === 'ValidationError') setServerProblems({ text, problems: outcome.problems });
      if (outcome.__typename === 'NameTaken' && !template) setNameError(outcome.message);
      else setSaveError(outcome.message);
    } catch (error) {
      setSaveError(error instanceof Error ? error.message : String(error));
    } finally {
      setSaving(false);
    }
  };

  let verdict: string;
  if (text.trim() === '') verdict = t('new.empty');
  else if (pending) verdict = t('new.checking');
  else if (checked?.error) verdict = t('new.checkFailed', { message: checked.error });
  else if (result?.valid) verdict = t('new.valid', { elements: result.elements.length, inputs: result.inputs.length, outputs: result.outputs.length });
  else verdict = problems.length === 1 ? t('new.invalidOne') : t('new.invalid', { count: problems.length });

  const title = template ? t('new.titleVersion', { name: template.name }) : t('new.titleTemplate');
  return (
    <section className="template-new">
      <h1>{title}</h1>
      {!canChange(viewer) ? <p role="alert">{t('new.readOnly')}</p> : null}
      <form onSubmit={(event) => void save(event)} className="stacked-form" aria-label={title}>
        {template ? null : (
          <>
            <label>
              {t('new.name')}
              <input id={`${ids}-name`} value={name} onChange={(event) => setName(event.target.value)} required maxLength={100} aria-invalid={nameError ? true : undefined} aria-describedby={nameError ? `${ids}-name-error` : undefined} />
            </label>
            {nameError ? (
              <p id={`${ids}-name-error`} className="field-error" role="alert">
                {nameError}
              </p>
            ) : null}
            <label>
              {t('new.description')}
              <input value={description} onChange={(event) => setDescription(event.target.value)} maxLength={1024} />
            </label>
          </>
        )}
        <label>
          {t('new.version')}
          <input value={version} onChange={(event) => setVersion(event.target.value)} required maxLength={64} />
        </label>
        <label>
          {t('new.file')}
          <input type="file" accept=".yaml,.yml,.json,application/json,application/yaml,text/yaml,text/plain" onChange={(event) => void readFile(event)} data-testid="template-file" />
        </label>
        {fileProblem ? (
          <p className="field-error" role="alert">
            {fileProblem}
          </p>
        ) : null}
        {template?.latest ? <p className="help">{startsFrom ? t('new.prefilled', { version: template.latest.version }) : t('new.notPrefilled', { version: template.latest.version })}</p> : null}
        <div className="editor-field">
          <span className="field-label" id={`${ids}-text`}>
            {t('new.text')}
          </span>
          <p className="help" id={`${ids}-text-help`}>
            {t('new.textHelp')}
          </p>
          <Suspense fallback={<p role="status">{t('common.loading')}</p>}>
            <YamlEditor value={text} onChange={setText} label={t('new.text')} problems={problems} focusAt={focusAt} />
          </Suspense>
        </div>
        <p role="status" aria-live="polite" data-testid="template-verdict" data-valid={valid ? 'true' : 'false'} className={valid ? 'verdict ok' : 'verdict'}>
          {verdict}
        </p>
        {problems.length > 0 ? (
          <>
            <h2>{t('new.problems')}</h2>
            <ol className="problems" data-testid="template-problems">
              {problems.map((problem, index) => (
                <li key={index} data-code={problem.code} data-line={problem.line ?? ''}>
                  {problem.line ? (
                    <button type="button" className="link" onClick={() => setFocusAt({ line: problem.line ?? 1, column: problem.column ?? 1, seq: Date.now() })}>
                      {t('new.at', { line: problem.line, column: problem.column ?? 1 })}
                    </button>
                  ) : (
                    <span>{t('new.atNowhere')}</span>
                  )}{' '}
                  <code>{problem.code}</code> {problem.message}
                  {problem.hint ? <span className="hint"> — {problem.hint}</span> : null}
                </li>
              ))}
            </ol>
          </>
        ) : null}
        {result && result.inputs.length > 0 ? (
          <>
            <h2>{t('new.inputs')}</h2>
            <InputSummary inputs={result.inputs} caption={t('new.inputs')} />
          </>
        ) : null}
        {saveError ? (
          <p role="alert" className="error">
            {saveError}
          </p>
        ) : null}
        <div className="button-row">
          <button type="submit" disabled={!canSave} aria-describedby={canSave ? undefined : `${ids}-why`}>
            {saving ? t('new.saving') : t('new.save')}
          </button>
          <Link to={template ? `/templates/${template.id}` : '/templates'} className="button secondary">
            {t('new.cancel')}
          </Link>
          {canSave ? null : (
            <span id={`${ids}-why`} className="help">
              {t('new.saveWhy')}
            </span>
          )}
        </div>
      </form>
    </section>
  );
}

function NewVersion({ templateId }: { templateId: string }) {
  const t = useT(MESSAGES);
  const detail = useRequest(TemplateVersionsDocument, { id: templateId });
  if (detail.error) return <p role="alert" className="error">{t('common.error', { message: detail.error.message })}</p>;
  if (!detail.data) return <p role="status">{t('common.loading')}</p>;
  const template = detail.data.template;
  if (!template) return <NotFound />;
  const latest = template.versions[template.versions.length - 1];
  return <TemplateForm template={{ id: template.id, name: template.name, latest: latest ? { version: latest.version, body: latest.body } : undefined }} />;
}

export default function TemplateNewPage({ templateId }: { templateId?: string }) {
  return templateId === undefined ? <TemplateForm /> : <NewVersion templateId={templateId} />;
}
