import { useEffect, useState } from 'preact/hooks';
import { revokeOrigin } from '../../lib/fill/browserFill';
import { fillApprovalsItem } from '../../lib/storage';

/** The sites Fill may put a secret into, each with a way to take the approval back. */
export function ApprovedSites() {
  const [approvals, setApprovals] = useState<Record<string, number> | null>(null);
  useEffect(() => {
    void fillApprovalsItem.getValue().then(setApprovals);
    return fillApprovalsItem.watch((value) => setApprovals(value ?? {}));
  }, []);
  if (!approvals) return null;
  const origins = Object.keys(approvals).sort();
  return (
    <section class="approved-sites" aria-label="Sites Fill may use">
      <h2>Sites Fill may use</h2>
      {origins.length === 0 ? (
        <p class="muted small">None yet. The first time you fill a secret into a site, Keyfob asks.</p>
      ) : (
        <ul>
          {origins.map((origin) => (
            <li key={origin}>
              <span class="origin">{origin}</span>{' '}
              <button type="button" aria-label={`Revoke ${origin}`} onClick={() => void revokeOrigin(origin)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
