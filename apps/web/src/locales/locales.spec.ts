import { errorCodes } from '@storecredit/contracts';
import { ar } from './ar';
import { en } from './en';

type Tree = { readonly [key: string]: string | Tree };

const arabicPlurals = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
/** Arabic may name one, two or none in words ("ثانيتان"), so those forms may leave `{{count}}` out; the rest keep it. */
const formsInWords = new Set(['zero', 'one', 'two']);

/** Every leaf as path → text. */
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [p, v] of leaves(value, path)) out.set(p, v);
  }
  return out;
}

/** What a translation must carry over: `{{values}}` and `<tags>` (for <Trans>), as sorted lists. */
function placeholders(text: string): { values: string[]; tags: string[] } {
  return {
    values: [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]).sort(),
    tags: [...text.matchAll(/<\/?(\w+)>/g)].map((m) => m[0]).sort(),
  };
}

/** The keys Arabic must have for English's: a plural `x_one` / `x_other` becomes Arabic's six forms of `x`. */
function expectedArabicKeys(english: Map<string, string>): Map<string, { englishKey: string; form: string | null }> {
  const out = new Map<string, { englishKey: string; form: string | null }>();
  for (const key of english.keys()) {
    if (key.endsWith('_one') && english.has(`${key.slice(0, -'_one'.length)}_other`)) continue;
    const plural = /^(.*)_other$/.exec(key);
    if (plural) for (const form of arabicPlurals) out.set(`${plural[1]}_${form}`, { englishKey: key, form });
    else out.set(key, { englishKey: key, form: null });
  }
  return out;
}

describe('locales', () => {
  const english = leaves(en);
  const arabic = leaves(ar);
  const expected = expectedArabicKeys(english);

  it('has in Arabic exactly the keys English has (plurals in Arabic’s six forms), none missing and none left over', () => {
    expect([...arabic.keys()].filter((key) => !expected.has(key))).toEqual([]);
    expect([...expected.keys()].filter((key) => !arabic.has(key))).toEqual([]);
  });

  it('keeps every {{value}} and <tag> of the English text in the Arabic one', () => {
    const problems: string[] = [];
    for (const [key, { englishKey, form }] of expected) {
      const want = placeholders(english.get(englishKey) ?? '');
      const got = placeholders(arabic.get(key) ?? '');
      const values = form && formsInWords.has(form) ? want.values.filter((value) => value !== 'count') : want.values;
      const missing = values.filter((value) => !got.values.includes(value));
      const extra = got.values.filter((value) => !want.values.includes(value));
      if (missing.length || extra.length) problems.push(`${key}: missing ${missing.join(',')} extra ${extra.join(',')}`);
      if (got.tags.join() !== want.tags.join()) problems.push(`${key}: tags ${got.tags.join()} ≠ ${want.tags.join()}`);
    }
    expect(problems).toEqual([]);
  });

  it('translates: no Arabic text but proper names, codes and numbers is left in English', () => {
    const untranslated = [...arabic].filter(([key, text]) => text !== '' && /[A-Za-z]{3,}/.test(text.replace(/\{\{[^}]*\}\}|<\/?\w+>|\b[a-z]+\.[a-z_]+\b|CSV|API|English|name@example\.com/g, '')) && !key.startsWith('preferences.languageName'));
    expect(untranslated).toEqual([]);
  });

  it('words every error code of the contract in both languages', () => {
    const missing = errorCodes.filter((code) => !english.has(`errors.${code}`) || !arabic.has(`errors.${code}`));
    expect(missing).toEqual([]);
  });

  it('points the back arrows the way back is in each direction', () => {
    expect(en.client.back.startsWith('←')).toBe(true);
    expect(ar.client.back.startsWith('→')).toBe(true);
    expect(ar.clientForm.backToClient.startsWith('→')).toBe(true);
  });
});
