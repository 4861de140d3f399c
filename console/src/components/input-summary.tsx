// A template's declared inputs as a table: type, required, default (secret ones arrive masked),
// constraints in words, description. Used by the template pages and the create-stack page.
import { useT } from '../i18n';
import { constraintsOf, describeConstraint, INPUT_MESSAGES, shown, type InputSpec } from '../inputs';

export function InputSummary({ inputs, caption }: { inputs: readonly InputSpec[]; caption: string }) {
  const t = useT(INPUT_MESSAGES);
  if (inputs.length === 0) return <p data-testid="input-summary">{t('inputs.none')}</p>;
  return (
    <table className="input-summary" data-testid="input-summary">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('inputs.name')}</th>
          <th scope="col">{t('inputs.type')}</th>
          <th scope="col">{t('inputs.required')}</th>
          <th scope="col">{t('inputs.default')}</th>
          <th scope="col">{t('inputs.constraints')}</th>
          <th scope="col">{t('inputs.description')}</th>
        </tr>
      </thead>
      <tbody>
        {inputs.map((input) => (
          <tr key={input.name} data-input={input.name}>
            <th scope="row">
              <code>{input.name}</code>
              {input.label ? <span className="muted"> ({input.label})</span> : null}
            </th>
            <td>
              {input.type}
              {input.immutable ? <span className="muted"> · {t('inputs.immutable')}</span> : null}
            </td>
            <td>{input.required ? t('inputs.yes') : t('inputs.no')}</td>
            <td>{input.default === null || input.default === undefined ? '—' : <code>{shown(input.default)}</code>}</td>
            <td>{constraintsOf(input).map((c) => describeConstraint(t, c)).join('; ') || '—'}</td>
            <td>{input.description ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
