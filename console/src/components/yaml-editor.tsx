// The template text in CodeMirror 6: YAML highlighting, line numbers, and the problems the server
// found (validateTemplate) marked at their line and column, with message and hint. Loaded on
// demand (its own chunk): the list pages never pay for the editor.
import { useEffect, useRef } from 'react';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorSelection, EditorState, type Text } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { tags } from '@lezer/highlight';

/** One problem of the template text, as the API reports it (line and column from 1). */
interface EditorProblem {
  code: string;
  line?: number | null;
  column?: number | null;
  message: string;
  hint?: string | null;
}

export interface YamlEditorProps {
  value: string;
  onChange?: (text: string) => void;
  readOnly?: boolean;
  /** The accessible name of the text area. */
  label: string;
  /** Problems of the text last validated; marked until the next answer replaces them. */
  problems?: readonly EditorProblem[];
  /** Moves the cursor there (line, column from 1); `seq` makes the same place a new request. */
  focusAt?: { line: number; column: number; seq: number } | null;
}

// The default highlight style has colours under WCAG AA contrast on white (#e40, #f00): ours keep 4.5:1.
const highlight = HighlightStyle.define([
  { tag: [tags.propertyName, tags.definition(tags.propertyName)], color: '#0b4f8a' },
  { tag: [tags.string, tags.special(tags.string)], color: '#8a1c1c' },
  { tag: [tags.number, tags.bool, tags.null, tags.atom], color: '#5b2a86' },
  { tag: [tags.keyword, tags.typeName], color: '#6b2c00' },
  { tag: [tags.comment, tags.lineComment, tags.blockComment], color: '#4d5560', fontStyle: 'italic' },
  { tag: [tags.meta, tags.labelName, tags.annotation], color: '#176b2c' },
  { tag: tags.invalid, color: '#a0141e' },
]);

const theme = EditorView.theme({
  '&': { fontSize: '13px', border: '1px solid #8a949e', borderRadius: '4px', backgroundColor: '#fff' },
  '.cm-content': { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, 'Noto Sans Mono', monospace" },
  '.cm-gutters': { backgroundColor: '#f5f7fa', color: '#4d5560', borderRight: '1px solid #c9d1d9' },
  '.cm-scroller': { minHeight: '18rem', maxHeight: '60vh', overflow: 'auto' },
  '&.cm-focused': { outline: '3px solid #f0a000' },
  // A tab shows as a visible arrow-wide gap; the lint mark on it needs the width to be seen.
  '.cm-tab': { display: 'inline-block', minWidth: '1ch', backgroundColor: '#fde2e4' },
});

/** The document position of a 1-based line and column, clamped into the text. */
function positionOf(doc: Text, line: number | null | undefined, column: number | null | undefined): number {
  if (!line || line < 1) return 0;
  const at = doc.line(Math.min(line, doc.lines));
  return Math.min(at.to, at.from + Math.max(0, (column ?? 1) - 1));
}

function diagnosticsOf(doc: Text, problems: readonly EditorProblem[]): Diagnostic[] {
  return problems.map((problem) => {
    const from = positionOf(doc, problem.line, problem.column);
    const lineEnd = doc.lineAt(from).to;
    // The rest of the word (a key, a value), or at least one character: a zero-width mark is invisible.
    const rest = doc.sliceString(from, lineEnd);
    const length = /^\t/.test(rest) ? 1 : Math.max(1, /^[^\s:,\]}]*/.exec(rest)?.[0].length ?? 1);
    const to = Math.min(doc.length, Math.max(from + length, from + (from === lineEnd ? 0 : 1)));
    return {
      from,
      to,
      severity: 'error',
      source: problem.code,
      message: problem.hint ? `${problem.message} — ${problem.hint}` : problem.message,
    };
  });
}

export default function YamlEditor({ value, onChange, readOnly = false, label, problems, focusAt }: YamlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          history(),
          drawSelection(),
          highlightActiveLine(),
          bracketMatching(),
          yaml(),
          syntaxHighlighting(highlight),
          lintGutter(),
          // Tab is left to the browser (focus moves on): an editor that traps Tab traps keyboard users.
          keymap.of([...defaultKeymap, ...historyKeymap]),
          EditorState.tabSize.of(4),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          // An explicit tabindex: axe counts a contenteditable without one as no keyboard access to the scroller.
          EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0', ...(readOnly ? { role: 'textbox', 'aria-readonly': 'true', 'aria-multiline': 'true' } : {}) }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current?.(update.state.doc.toString());
          }),
          theme,
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // The editor is made once per mode; text from outside (a file) comes through the effect below.
  }, [readOnly, label]);

  useEffect(() => {
    const editor = view.current;
    if (!editor || editor.state.doc.toString() === value) return;
    editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    editor.dispatch(setDiagnostics(editor.state, diagnosticsOf(editor.state.doc, problems ?? [])));
  }, [problems]);

  useEffect(() => {
    const editor = view.current;
    if (!editor || !focusAt) return;
    const at = positionOf(editor.state.doc, focusAt.line, focusAt.column);
    editor.dispatch({ selection: EditorSelection.cursor(at), scrollIntoView: true });
    editor.focus();
  }, [focusAt]);

  return <div ref={host} className="yaml-editor" data-testid="yaml-editor" />;
}
