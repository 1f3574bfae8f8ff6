import { canonicalJson, sha256Hex } from './canonical-json';

describe(canonicalJson.name, () => {
  it('writes the same text whatever the key order', () => {
    const first = { type: 'balance.add', amount: '25.50', currency: 'AED' };
    const second = { currency: 'AED', type: 'balance.add', amount: '25.50' };
    expect(canonicalJson(first)).toBe(canonicalJson(second));
    expect(canonicalJson(first)).toBe('{"amount":"25.50","currency":"AED","type":"balance.add"}');
  });

  it('sorts the keys of nested objects too', () => {
    const first = { actor: { kind: 'staff', id: 's-1' }, reference: { type: 'manual', id: 'r-1' } };
    const second = { reference: { id: 'r-1', type: 'manual' }, actor: { id: 's-1', kind: 'staff' } };
    expect(canonicalJson(first)).toBe(canonicalJson(second));
    expect(canonicalJson(first)).toBe('{"actor":{"id":"s-1","kind":"staff"},"reference":{"id":"r-1","type":"manual"}}');
  });

  it('sorts the keys of objects inside arrays', () => {
    expect(canonicalJson([{ b: 1, a: 2 }, { d: 3, c: 4 }])).toBe('[{"a":2,"b":1},{"c":4,"d":3}]');
  });

  it('keeps the order of array items, which is meaningful', () => {
    expect(canonicalJson({ items: [3, 1, 2] })).toBe('{"items":[3,1,2]}');
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('drops fields that are undefined', () => {
    expect(canonicalJson({ amount: '1.00', note: undefined })).toBe(canonicalJson({ amount: '1.00' }));
    expect(canonicalJson({ actor: { id: 's-1', role: undefined } })).toBe('{"actor":{"id":"s-1"}}');
  });

  it('keeps fields that are null, which differ from missing ones', () => {
    expect(canonicalJson({ note: null })).toBe('{"note":null}');
    expect(canonicalJson({ note: null })).not.toBe(canonicalJson({}));
  });

  it('distinguishes a number from a string of the same digits', () => {
    expect(canonicalJson({ amount: 25 })).not.toBe(canonicalJson({ amount: '25' }));
  });

  it('escapes keys and strings as JSON does', () => {
    const value = { 'a"b': 'line\nbreak', 'ü': '€' };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it('writes JSON that parses back to the same value', () => {
    const value = { z: [1, { y: true, x: null }], a: { c: 'c', b: -1.5 }, m: [] as unknown[], n: {} };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });

  it.each([
    ['a string', 'x', '"x"'],
    ['a number', 1.5, '1.5'],
    ['a boolean', false, 'false'],
    ['null', null, 'null'],
    ['an empty object', {}, '{}'],
    ['an empty array', [], '[]'],
  ])('writes %s as JSON does', (_, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
  });
});

describe(sha256Hex.name, () => {
  it('hashes payloads equal up to key order equally', () => {
    const first = { commandId: 'c-1', amount: '25.50', actor: { kind: 'staff', id: 's-1' } };
    const second = { actor: { id: 's-1', kind: 'staff' }, amount: '25.50', commandId: 'c-1' };
    expect(sha256Hex(canonicalJson(first))).toBe(sha256Hex(canonicalJson(second)));
  });

  it('hashes payloads that differ in any value differently', () => {
    const first = { commandId: 'c-1', amount: '25.50' };
    expect(sha256Hex(canonicalJson(first))).not.toBe(sha256Hex(canonicalJson({ ...first, amount: '25.51' })));
    expect(sha256Hex(canonicalJson(first))).not.toBe(sha256Hex(canonicalJson({ ...first, note: 'x' })));
  });

  it('is the SHA-256 of the text in hex', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
