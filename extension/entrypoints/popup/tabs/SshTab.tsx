/** SSH keys for Git LFS: the list with fingerprints and last use, Add, and Remove after asking. */
import { useState } from 'preact/hooks';
import type { SshKeyReply } from '../../../../shared/schemas';
import { addSshKey, removeSshKey } from '../../../lib/account';
import { Alert, Confirm, readForm, useAction } from '../components';
import type { TabProps } from './props';

export function SshTab(props: TabProps) {
  const [keys, setKeys] = useState<SshKeyReply[]>(props.profile.sshKeys);
  const [adding, setAdding] = useState(keys.length === 0);
  const [removing, setRemoving] = useState<SshKeyReply | null>(null);
  const add = useAction(props.onError);
  const remove = useAction(props.onError);
  return (
    <section aria-labelledby="ssh-heading">
      <h2 id="ssh-heading">SSH keys</h2>
      <p class="muted small">Git LFS authenticates over SSH with these keys.</p>
      {keys.length > 0 && (
        <ul class="keys">
          {keys.map((key) => (
            <li key={key.id}>
              <div>
                <strong>{key.name}</strong>{' '}
                <span class="muted small">
                  {key.type.replace('ecdsa-sha2-', 'ECDSA ').replace('ssh-', '').toUpperCase()} · {key.bits} bits
                </span>
                <code class="fingerprint">{key.fingerprint}</code>
                <span class="muted small">
                  Added {new Date(key.createdAt).toLocaleDateString()} · last used {key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : 'never'}
                </span>
              </div>
              <button type="button" class="danger-outline" aria-label={`Remove SSH key ${key.name}`} onClick={() => setRemoving(key)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      {removing && (
        <Confirm
          text={`Remove “${removing.name}”? Git LFS using it loses access at once.`}
          confirm="Remove"
          onCancel={() => setRemoving(null)}
          onConfirm={() =>
            remove.run(async () => {
              const step = await removeSshKey(await props.client(), removing);
              setKeys(step.value);
              setRemoving(null);
              props.onStatus(step.status);
            })
          }
        />
      )}
      <Alert error={remove.problem} />
      {adding ? (
        <form
          aria-label="Add SSH key"
          onSubmit={(event) => {
            const form = event.currentTarget as HTMLFormElement;
            const fields = readForm(event);
            add.run(async () => {
              const step = await addSshKey(await props.client(), keys, fields);
              setKeys(step.value);
              form.reset();
              setAdding(false);
              props.onStatus(step.status);
            });
          }}
        >
          <label class="field">
            <span>Name</span>
            <input name="name" placeholder="From the key's comment if empty" maxLength={100} />
          </label>
          <label class="field">
            <span>Public key</span>
            <textarea name="publicKey" rows={4} required spellcheck={false} placeholder="ssh-ed25519 AAAA… you@laptop (the .pub file)" />
          </label>
          <Alert error={add.problem} />
          <div class="row">
            <button type="submit" class="primary" disabled={add.busy}>
              Add key
            </button>
            {keys.length > 0 && (
              <button type="button" onClick={() => setAdding(false)}>
                Cancel
              </button>
            )}
          </div>
        </form>
      ) : (
        <button type="button" onClick={() => setAdding(true)}>
          Add SSH key
        </button>
      )}
    </section>
  );
}
