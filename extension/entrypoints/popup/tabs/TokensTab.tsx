import { useEffect, useState } from 'preact/hooks';
import type { KeyfobClient } from '../../../lib/api';
import {
  askRevoke,
  cancelRevoke,
  DEFAULT_TOKEN_EXPIRY,
  generateToken,
  INITIAL_TOKENS,
  loadTokens,
  maskToken,
  revokeConfirmed,
  tokenRow,
  TOKEN_EXPIRIES,
  type TokensState,
} from '../../../lib/tokens';
import { Alert, Confirm, readForm, useAction } from '../components';
import type { TabProps } from './props';

/**
 * Identity tokens: generate one (its value shown this once, from memory), the list, and Revoke after asking.
 * The steps are lib/tokens.ts's; what the server refuses is said beside the form, or goes to the popup's
 * recovery (a lapsed unlock brings the unlock prompt).
 */
export function TokensTab(props: TabProps) {
  const [state, setState] = useState<TokensState>(INITIAL_TOKENS);
  // Generating, and the list (loading, revoking): each says what went wrong beside itself.
  const make = useAction(props.onError);
  const list = useAction(props.onError);
  const username = props.profile.name;
  // One step at a time: each starts from the state the last one left (a late answer must not drop a fresh token).
  const busy = make.busy || list.busy;
  const step = (action: typeof make, next: (client: KeyfobClient) => Promise<TokensState>) =>
    !busy &&
    action.run(async () => {
      const after = await next(await props.client());
      setState(after);
      if (after.status) props.onStatus(after.status);
    });
  useEffect(() => void step(list, (c) => loadTokens(c, username, state)), []);
  const { fresh, tokens, confirming } = state;
  return (
    <>
      <section aria-labelledby="token-new-heading">
        <h2 id="token-new-heading">Generate an identity token</h2>
        <p class="muted small">Scripts and JFrog's tools use it as you: as a Bearer token, or as the password with your user name.</p>
        {fresh && (
          <div key={fresh.id}>
            {props.renderSecret({ label: 'Identity token', id: 'identity-token', masked: maskToken(fresh.value), reveal: async () => fresh.value })}
            <p class="alert notice">Copy it now: it is not shown again.</p>
          </div>
        )}
        <form
          aria-label="Generate an identity token"
          onSubmit={(event) => {
            const form = event.currentTarget as HTMLFormElement;
            const fields = readForm(event);
            step(make, async (c) => {
              const after = await generateToken(c, username, state, fields);
              // Ready for another; the expiry stays as chosen.
              if (after.fresh !== state.fresh) (form.elements.namedItem('description') as HTMLInputElement).value = '';
              return after;
            });
          }}
        >
          <label class="field">
            <span>Description</span>
            <input name="description" required maxLength={1024} autoComplete="off" spellcheck={false} placeholder="What uses it, like “CI deploys”" />
          </label>
          <label class="field">
            <span>Expires in</span>
            <select name="expiresIn">
              {TOKEN_EXPIRIES.map((choice) => (
                <option key={choice.seconds} value={String(choice.seconds)} selected={choice.seconds === DEFAULT_TOKEN_EXPIRY}>
                  {choice.label}
                </option>
              ))}
            </select>
          </label>
          <Alert error={make.problem || state.problem} />
          <button type="submit" class="primary" disabled={busy}>
            Generate token
          </button>
        </form>
      </section>
      <section aria-labelledby="token-list-heading">
        <h2 id="token-list-heading">Your tokens</h2>
        {tokens === null ? (
          !list.problem && <p class="muted small">Loading…</p>
        ) : tokens.length === 0 ? (
          <p class="muted small">None yet.</p>
        ) : (
          <ul class="keys">
            {tokens.map((token) => {
              const row = tokenRow(token);
              return (
                <li key={row.id}>
                  <div>
                    <strong>{row.title}</strong>
                    <span class="muted small">{row.scope}</span>
                    <span class="muted small">
                      Created {row.created} · expires {row.expires} · last used {row.lastUsed}
                    </span>
                    {row.unused && <span class="alert notice small">Not used in 90 days: safe to revoke?</span>}
                  </div>
                  <button
                    type="button"
                    class="danger-outline"
                    aria-label={`Revoke token ${row.title}`}
                    disabled={busy}
                    onClick={() => setState(askRevoke(state, token))}
                  >
                    Revoke
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        {confirming && (
          <Confirm
            text={`Revoke “${tokenRow(confirming).title}”? Scripts using it stop working at once.`}
            confirm="Revoke"
            onCancel={() => setState(cancelRevoke(state))}
            onConfirm={() => step(list, (c) => revokeConfirmed(c, state))}
          />
        )}
        <Alert error={list.problem} />
      </section>
    </>
  );
}
