import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commonPasswordModule, listFromPackage } from '../scripts/commonPasswords';
import { commonPasswordList, isCommonPassword } from './commonPasswords';

describe('the list of common passwords', () => {
  it('is what the generator makes from the installed package (regenerate it after an upgrade)', () => {
    expect(readFileSync(new URL('./commonPasswordList.ts', import.meta.url), 'utf8')).toBe(commonPasswordModule(listFromPackage()));
  });

  it('decodes to exactly the passwords the generator kept', () => {
    expect([...commonPasswordList()].sort()).toEqual([...listFromPackage()].sort());
  });

  it('holds well over the top 3,000 that a policy of 7 or 8 characters would otherwise accept (ASVS 6.2.4)', () => {
    const words = [...commonPasswordList()];
    for (const top of ['123456', 'password', '12345678', 'qwerty', '123456789', 'trustno1']) expect(words).toContain(top);
    expect(words.filter((w) => [...w].length >= 8).length).toBeGreaterThan(7_000);
    expect(words.filter((w) => [...w].length >= 7).length).toBeGreaterThan(3_000);
  });

  it('is compared without regard to case or Unicode form', () => {
    for (const password of ['password1', 'PASSWORD1', 'PassWord1', 'P@ssw0rd', 'qwertyuiop']) expect(isCommonPassword(password), password).toBe(true);
    for (const password of ['admin-Password-1', 'correct horse battery staple 9', '']) expect(isCommonPassword(password), password).toBe(false);
  });
});
