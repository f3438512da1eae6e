/**
 * A SAML identity provider for tests, built with xml-crypto (the library node-saml itself verifies with):
 * a signing key and certificate made by openssl, its metadata, and signed responses to the AuthnRequests
 * Keyfob sends, each check breakable on purpose (key, audience, time).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';

export const IDP_ENTITY_ID = 'http://idp.corp.test/saml';

export interface TestSamlIdp {
  metadataFile: string;
  /** Reads the AuthnRequest inside Keyfob's redirect to the provider. */
  readRequest(authorizationUrl: string): { id: string; acs: string; issuer: string; relayState: string };
  respond(options: {
    requestId: string;
    acs: string;
    audience: string;
    nameId: string;
    email?: string;
    expiresInMs?: number;
    signWith?: 'idp' | 'stranger';
  }): string;
  remove(): void;
}

function keyPair(dir: string, name: string) {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '2'], {
    stdio: 'ignore',
  });
  return { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') };
}

export function createTestSamlIdp(): TestSamlIdp {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-saml-'));
  const idp = keyPair(dir, 'idp');
  const stranger = keyPair(dir, 'stranger');
  const certBody = idp.cert.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const metadataFile = join(dir, 'idp-metadata.xml');
  writeFileSync(
    metadataFile,
    `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${IDP_ENTITY_ID}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certBody}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://idp.corp.test/saml/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`,
  );
  let counter = 0;
  return {
    metadataFile,
    readRequest(authorizationUrl) {
      const url = new URL(authorizationUrl);
      const xml = inflateRawSync(Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
      const attr = (name: string) => new RegExp(`${name}="([^"]+)"`).exec(xml)?.[1] ?? '';
      return {
        id: attr('ID'),
        acs: attr('AssertionConsumerServiceURL'),
        issuer: /<saml:Issuer[^>]*>([^<]+)</.exec(xml)?.[1] ?? '',
        relayState: url.searchParams.get('RelayState') ?? '',
      };
    },
    respond({ requestId, acs, audience, nameId, email, expiresInMs = 5 * 60_000, signWith = 'idp' }) {
      const now = new Date();
      const iso = (offset: number) => new Date(now.getTime() + offset).toISOString();
      const n = ++counter;
      const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_response${n}" Version="2.0" IssueInstant="${iso(0)}" Destination="${acs}" InResponseTo="${requestId}"><saml:Issuer>${IDP_ENTITY_ID}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_assertion${n}" Version="2.0" IssueInstant="${iso(0)}"><saml:Issuer>${IDP_ENTITY_ID}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified">${nameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(expiresInMs)}" Recipient="${acs}" InResponseTo="${requestId}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(-60_000)}" NotOnOrAfter="${iso(expiresInMs)}"><saml:AudienceRestriction><saml:Audience>${audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="_session${n}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${email ? `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue>${email}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>` : ''}</saml:Assertion></samlp:Response>`;
      const signer = signWith === 'idp' ? idp : stranger;
      const signature = new SignedXml({
        privateKey: signer.key,
        publicCert: signer.cert,
        signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
        canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
      });
      signature.addReference({
        xpath: "//*[local-name(.)='Assertion']",
        digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
        transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
      });
      signature.computeSignature(xml, { location: { reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' } });
      return Buffer.from(signature.getSignedXml(), 'utf8').toString('base64');
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
