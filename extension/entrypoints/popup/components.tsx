/**
 * The popup's building blocks, each spelled once: field, alert, busy form, header, confirm dialog, secret,
 * tabs. Views and tabs compose these; none of them talks to the server itself.
 */
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren, InputHTMLAttributes, JSX } from 'preact';
import { describeError } from '../../lib/api';
import { sha256Hex } from '../../lib/clipboard';
import { sendMessage } from '../../lib/messaging';
import { isPlainHttpRemote } from '../../lib/popup';
import { CopyIcon, EyeIcon, EyeOffIcon } from './icons';

export function Loading() {
  return (
    <p class="muted" aria-busy="true">
      Loading…
    </p>
  );
}

// No type=url: the browser's own "Please enter a URL" would refuse `keyfob.corp:8787`, which Keyfob accepts.
export function Field(props: {
  label: string;
  name: string;
  type?: 'text' | 'password';
  inputMode?: 'url';
  value?: string;
  autoComplete?: string;
  autoFocus?: boolean;
}) {
  const input = useRef<HTMLInputElement>(null);
  // The autofocus attribute only works on a page's first render; views that come later focus themselves,
  // in a layout effect so focus is there as soon as the field is (a plain effect runs a frame later).
  useLayoutEffect(() => {
    if (props.autoFocus) input.current?.focus();
  }, []);
  return (
    <label class="field">
      <span>{props.label}</span>
      <input
        ref={input}
        {...({
          name: props.name,
          type: props.type ?? 'text',
          inputMode: props.inputMode,
          value: props.value,
          autoComplete: props.autoComplete,
        } as InputHTMLAttributes)}
        required
        spellcheck={false}
      />
    </label>
  );
}

/** An error (announced at once) or a notice (announced politely); nothing when there is neither. */
export function Alert(props: { error?: string; notice?: string }) {
  if (props.error)
    return (
      <p class="alert error" role="alert">
        {props.error}
      </p>
    );
  if (props.notice)
    return (
      <p class="alert notice" role="status">
        {props.notice}
      </p>
    );
  return null;
}

/** The fields of a submitted form, its default submit prevented. */
export function readForm(event: Event): Record<string, string> {
  event.preventDefault();
  return Object.fromEntries(new FormData(event.currentTarget as HTMLFormElement)) as Record<string, string>;
}

/** A form whose submit runs `action` with its fields, disabling itself meanwhile. */
export function ActionForm(props: { label: string; action: (fields: Record<string, string>) => Promise<void>; children: JSX.Element | JSX.Element[] }) {
  const [busy, setBusy] = useState(false);
  const onSubmit = async (event: Event) => {
    const fields = readForm(event);
    setBusy(true);
    try {
      await props.action(fields);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={onSubmit} aria-busy={busy}>
      {props.children}
      <button type="submit" class="primary" disabled={busy}>
        {busy ? `${props.label}…` : props.label}
      </button>
    </form>
  );
}

/**
 * Runs a tab's action, showing a failure the user can fix beside the form and passing the others on. It
 * never rejects (every failure lands in the form or the popup's recovery), so callers start it and move on.
 */
export function useAction(onError: (error: unknown) => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  const settle = async (action: () => Promise<void>) => {
    setBusy(true);
    setProblem('');
    try {
      await action();
    } catch (error) {
      const { next, message } = describeError(error);
      // Mistakes in what was typed stay in the form; anything else goes to the popup's recovery.
      if (next === 'none' || next === 'retry' || next === 'ask-admin' || next === 'wait') setProblem(message);
      else onError(error);
    } finally {
      setBusy(false);
    }
  };
  const run = (action: () => Promise<void>): void => void settle(action);
  return { busy, problem, setProblem, run };
}

export function Header(props: { title: string; subtitle?: string; children?: JSX.Element | JSX.Element[] | false }) {
  return (
    <header>
      <div>
        <h1>{props.title}</h1>
        {props.subtitle && <p class="muted">{props.subtitle}</p>}
      </div>
      <div class="actions">{props.children}</div>
    </header>
  );
}

/** Shown on every view of a plain http:// server on another machine, for as long as Keyfob is connected to it. */
export function PlainHttpWarning(props: { serverUrl: string }) {
  if (!isPlainHttpRemote(props.serverUrl)) return null;
  return <p class="alert notice plain-http">Not encrypted: {props.serverUrl} is plain http://.</p>;
}

/**
 * Asks before a destructive action; focus starts on Cancel, Escape cancels, and when the dialog goes focus
 * returns to whatever opened it (if that is still on the page).
 */
export function Confirm(props: { text: string; confirm: string; onConfirm: () => void; onCancel: () => void; children?: ComponentChildren }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useLayoutEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    cancel.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    props.onCancel();
  };
  return (
    <div class="confirm" role="alertdialog" aria-label={props.confirm} aria-describedby="confirm-text" onKeyDown={onKeyDown}>
      <p id="confirm-text">{props.text}</p>
      {props.children}
      <div class="row">
        <button type="button" ref={cancel} onClick={props.onCancel}>
          Cancel
        </button>
        <button type="button" class="danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </div>
  );
}

export interface SecretProps {
  label: string;
  id: string;
  masked: string;
  reveal: () => Promise<string>;
  clearSeconds: number;
  onError: (error: unknown) => void;
  onStatus: (text: string) => void;
}

/** A secret shown masked, with View (toggle) and Copy. The clear value lives only in this component. */
export function Secret(props: SecretProps) {
  const [value, setValue] = useState<string | null>(null);
  const [shown, setShown] = useState(false);
  const get = async (): Promise<string> => {
    if (value !== null) return value;
    const revealed = await props.reveal();
    setValue(revealed);
    return revealed;
  };
  const toggle = async () => {
    try {
      if (!shown) await get();
      setShown(!shown);
    } catch (error) {
      props.onError(error);
    }
  };
  const copy = async () => {
    try {
      const secret = await get();
      await navigator.clipboard.writeText(secret);
      await sendMessage('clipboard:schedule-clear', { sha256: await sha256Hex(secret), delayMs: props.clearSeconds * 1000 });
      props.onStatus(`Copied, clears in ${props.clearSeconds} s`);
    } catch (error) {
      props.onError(error);
    }
  };
  return (
    <div class="secret">
      <span class="label">{props.label}</span>
      <div class="row">
        <code id={props.id} class={shown ? 'clear' : ''}>
          {shown && value ? value : props.masked}
        </code>
        <button
          type="button"
          class="icon"
          onClick={toggle}
          aria-pressed={shown}
          aria-label={`${shown ? 'Hide' : 'View'} ${props.label}`}
          title={shown ? 'Hide' : 'View'}
        >
          {shown ? <EyeOffIcon /> : <EyeIcon />}
        </button>
        <button type="button" class="icon" onClick={copy} aria-label={`Copy ${props.label}`} title="Copy">
          <CopyIcon />
        </button>
      </div>
    </div>
  );
}

/** Tabs as the ARIA tabs pattern has them: one in the tab order, arrow keys move between them. */
export function Tabs<T extends string>(props: { tabs: readonly (readonly [T, string])[]; tab: T; setTab: (tab: T) => void; label: string }) {
  const { tabs } = props;
  const onKeyDown = (event: KeyboardEvent) => {
    const at = tabs.findIndex(([id]) => id === props.tab);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = tabs[(at + step + tabs.length) % tabs.length]![0];
    props.setTab(next);
    (document.getElementById(`tab-${next}`) as HTMLElement | null)?.focus();
  };
  return (
    <div class="tabs" role="tablist" aria-label={props.label} onKeyDown={onKeyDown}>
      {tabs.map(([id, label]) => (
        <button
          type="button"
          role="tab"
          id={`tab-${id}`}
          key={id}
          aria-selected={props.tab === id}
          aria-controls="tab-panel"
          tabIndex={props.tab === id ? 0 : -1}
          onClick={() => props.setTab(id)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
