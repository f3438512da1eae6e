/**
 * The SAML service provider on Node (@node-saml/node-saml). The identity provider comes from its metadata
 * (a file, or an https URL fetched on first use): its single sign-on address and signing certificate.
 * Request IDs are kept in Keyfob's database (their own expiring rows), so the response to a request is
 * accepted once, in whichever process receives it.
 */
import { readFile } from 'node:fs/promises';
import { DOMParser } from '@xmldom/xmldom';
import { SAML, ValidateInResponseTo, type CacheProvider } from '@node-saml/node-saml';
import type { SamlConfigSettings } from '../config';
import type { Store } from '../domain/ports';
import { SamlRejected, type SamlServiceProvider } from '../domain/saml';

interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  certificates: string[];
}

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export function parseIdpMetadata(xml: string): IdpMetadata {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const entity = doc.getElementsByTagNameNS(MD, 'EntityDescriptor')[0];
  const sso = Array.from(doc.getElementsByTagNameNS(MD, 'SingleSignOnService')).find((el) => el.getAttribute('Binding') === REDIRECT_BINDING);
  const certificates = Array.from(doc.getElementsByTagNameNS(DS, 'X509Certificate')).map((el) => (el.textContent ?? '').replace(/\s+/g, ''));
  if (!entity?.getAttribute('entityID') || !sso?.getAttribute('Location') || certificates.length === 0) {
    throw new Error('the identity provider metadata lacks an entityID, an HTTP-Redirect SingleSignOnService or a signing certificate');
  }
  return { entityId: entity.getAttribute('entityID') as string, ssoUrl: sso.getAttribute('Location') as string, certificates };
}

/** How long a request waits for its response: node-saml's own limit, and when housekeeping deletes its row. */
const REQUEST_ID_TTL_MS = 10 * 60_000;

/**
 * Request IDs in their own table: one use each, whichever process answers. The times are node-saml's
 * (the system clock, against which it checks the IssueInstant it saved), not Keyfob's clock.
 */
function storeCache(store: Store): CacheProvider {
  return {
    async saveAsync(id, value) {
      const createdAt = Date.now();
      await store.insertSamlRequest(id, value, createdAt + REQUEST_ID_TTL_MS);
      return { value, createdAt };
    },
    async getAsync(id) {
      return store.findSamlRequest(id, Date.now());
    },
    async removeAsync(id) {
      return id === null ? null : store.deleteSamlRequest(id);
    },
  };
}

const SAMLP = 'urn:oasis:names:tc:SAML:2.0:protocol';
const SAML_ASSERTION = 'urn:oasis:names:tc:SAML:2.0:assertion';

/** The response's Destination (when given) and every bearer confirmation's Recipient must be our ACS. */
function checkRecipient(responseXml: string, acs: string) {
  const doc = new DOMParser().parseFromString(responseXml, 'text/xml');
  const response = doc.getElementsByTagNameNS(SAMLP, 'Response')[0];
  const destination = response?.getAttribute('Destination');
  const recipients = Array.from(doc.getElementsByTagNameNS(SAML_ASSERTION, 'SubjectConfirmationData')).map((el) => el.getAttribute('Recipient'));
  if (!response || (destination && destination !== acs) || recipients.length === 0 || recipients.some((r) => r !== acs)) {
    throw new SamlRejected("The identity provider's response was refused: it is addressed to another service provider (Destination or Recipient)");
  }
}

export function createSamlServiceProvider(settings: SamlConfigSettings, store: Store, publicUrl: () => string | null): SamlServiceProvider {
  let metadata: Promise<IdpMetadata> | null = null;
  const idp = () => {
    metadata ??= (/^https?:\/\//.test(settings.idpMetadata) ? fetch(settings.idpMetadata).then((r) => r.text()) : readFile(settings.idpMetadata, 'utf8'))
      .then(parseIdpMetadata)
      .catch((err) => {
        metadata = null;
        throw err;
      });
    return metadata;
  };
  const base = () => {
    const url = publicUrl();
    if (!url) throw new Error('SAML needs KEYFOB_PUBLIC_URL');
    return url.replace(/\/+$/, '');
  };
  const entityId = () => settings.spEntityId ?? `${base()}/api/v1/saml/metadata`;
  const cache = storeCache(store);
  const saml = async () => {
    const provider = await idp();
    return new SAML({
      entryPoint: provider.ssoUrl,
      issuer: entityId(),
      callbackUrl: `${base()}/api/v1/saml/acs`,
      audience: entityId(),
      idpIssuer: provider.entityId,
      idpCert: provider.certificates,
      wantAssertionsSigned: true,
      wantAuthnResponseSigned: false,
      validateInResponseTo: ValidateInResponseTo.always,
      requestIdExpirationPeriodMs: REQUEST_ID_TTL_MS,
      acceptedClockSkewMs: 60_000,
      cacheProvider: cache,
      identifierFormat: null,
    });
  };
  return {
    name: settings.name,
    createUsers: settings.createUsers,
    async loginUrl(relayState) {
      return (await saml()).getAuthorizeUrlAsync(relayState, undefined, {});
    },
    async validate(samlResponse) {
      let profile: Awaited<ReturnType<SAML['validatePostResponseAsync']>>['profile'];
      try {
        ({ profile } = await (await saml()).validatePostResponseAsync({ SAMLResponse: samlResponse }));
      } catch (err) {
        // node-saml's messages name the failed check (signature, audience, expiry, InResponseTo): no secrets.
        throw new SamlRejected(`The identity provider's response was refused: ${((err as Error).message ?? 'invalid').slice(0, 160)}`);
      }
      if (!profile?.nameID) throw new SamlRejected('The identity provider sent no user name');
      // node-saml checks signature, audience, time and InResponseTo, but not where the response was sent:
      // a response meant for another service provider must not sign anyone in here.
      checkRecipient(profile.getSamlResponseXml?.() ?? '', `${base()}/api/v1/saml/acs`);
      const email = (profile.email ?? profile.mail ?? profile['urn:oid:0.9.2342.19200300.100.1.3']) as string | undefined;
      return { nameId: profile.nameID, email: typeof email === 'string' ? email : null };
    },
    metadata() {
      return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="${MD}" entityID="${entityId()}">
  <md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" WantAssertionsSigned="true">
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${base()}/api/v1/saml/acs" index="1"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>`;
    },
  };
}
