/**
 * A real LDAP server for tests: Debian's slapd with a throwaway configuration and database in a
 * temporary folder, loaded with a few people, listening on 127.0.0.1.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './process';

export const SLAPD_PATH = '/usr/sbin/slapd';
export const hasSlapd = existsSync(SLAPD_PATH) && existsSync('/usr/sbin/slapadd');

export const LDAP_SUFFIX = 'dc=keyfob,dc=test';
export const LDAP_READER = { dn: `cn=reader,${LDAP_SUFFIX}`, password: 'reader-secret-1' };
export const LDAP_PEOPLE = [
  { uid: 'lena', password: 'lena-ldap-Pass-1', mail: 'lena@corp.test', cn: 'Lena Berg' },
  { uid: 'otto', password: 'otto-ldap-Pass-1', mail: 'otto@corp.test', cn: 'Otto Kahn' },
];

export interface RunningSlapd {
  url: string;
  /** ldaps:// on another port, with a certificate for 127.0.0.1 from a test CA. */
  tlsUrl: string;
  /** The test CA's certificate (PEM file) that signed the server's. */
  caFile: string;
  port: number;
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  remove(): Promise<void>;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`slapd exited: ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.end();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`slapd did not listen: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A CA and a server certificate for 127.0.0.1 signed by it, made by openssl. */
function makeCertificates(dir: string) {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Keyfob test CA', '-days', '2');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
}

export async function startSlapd(): Promise<RunningSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'keyfob-slapd-'));
  mkdirSync(join(dir, 'db'));
  makeCertificates(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    `include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile ${dir}/slapd.pid
TLSCACertificateFile ${dir}/ca.crt
TLSCertificateFile ${dir}/server.crt
TLSCertificateKeyFile ${dir}/server.key
database mdb
maxsize 10485760
suffix "${LDAP_SUFFIX}"
rootdn "cn=admin,${LDAP_SUFFIX}"
rootpw admin-secret
directory ${dir}/db
access to attrs=userPassword by self read by anonymous auth by * none
access to * by users read by * none
`,
  );
  const ldif = [
    `dn: ${LDAP_SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: keyfob\no: Keyfob test`,
    `dn: ou=people,${LDAP_SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
    `dn: ${LDAP_READER.dn}\nobjectClass: simpleSecurityObject\nobjectClass: organizationalRole\ncn: reader\nuserPassword: ${LDAP_READER.password}`,
    ...LDAP_PEOPLE.map(
      (p) =>
        `dn: uid=${p.uid},ou=people,${LDAP_SUFFIX}\nobjectClass: inetOrgPerson\nuid: ${p.uid}\ncn: ${p.cn}\nsn: ${p.cn.split(' ')[1]}\nmail: ${p.mail}\nuserPassword: ${p.password}`,
    ),
  ].join('\n\n');
  writeFileSync(join(dir, 'data.ldif'), `${ldif}\n`);
  execFileSync('/usr/sbin/slapadd', ['-f', conf, '-l', join(dir, 'data.ldif')], { stdio: 'pipe' });
  const port = await freePort();
  const tlsPort = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    let output = '';
    child = spawn(SLAPD_PATH, ['-f', conf, '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (c) => (output += c));
    child.stderr?.on('data', (c) => (output += c));
    await waitForPort(port, child, () => output);
    await waitForPort(tlsPort, child, () => output);
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `ldap://127.0.0.1:${port}`,
    tlsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    caFile: join(dir, 'ca.crt'),
    port,
    start,
    stop,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
