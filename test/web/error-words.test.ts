import { httpErrorMessages } from '../../apps/gateway/src/http/api-error';
import { ar } from '../../apps/web/src/locales/ar';
import { en } from '../../apps/web/src/locales/en';

/**
 * Every code the gateway can answer with (the ledger's codes and the HTTP edge's) has the web app's words in every
 * language, so an error is shown in the staff member's language by its code. A code added to the gateway without
 * them fails here. (Composition lives under test/: the web app does not import the gateway.)
 */
describe('error words of the web app', () => {
  const codes = Object.keys(httpErrorMessages);

  it.each([
    ['en', en.errors],
    ['ar', ar.errors],
  ] as const)('has %s words for every code the gateway answers with', (_, words) => {
    expect(codes.filter((code) => !Object.hasOwn(words, code))).toEqual([]);
  });

  it('names no code the gateway does not have (besides the general sentence for an unknown one)', () => {
    expect(Object.keys(en.errors).filter((code) => code !== 'unknown' && !codes.includes(code))).toEqual([]);
  });
});
