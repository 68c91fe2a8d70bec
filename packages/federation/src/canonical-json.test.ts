import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and drops whitespace', () => {
    // RFC 8785 §3.2.3's sorting example: code units, not code points or locale order.
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    // (Object.keys would put "1" first: integer-like keys; read the order off the text instead.)
    const order = ['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const text = canonicalJson(value);
    const positions = order.map((key) => text.indexOf(`${JSON.stringify(key)}:`));
    expect(positions.every((at, i) => at >= 0 && (i === 0 || at > positions[i - 1]!))).toBe(true);
  });

  it('prints numbers and literals as ECMAScript does', () => {
    expect(
      canonicalJson({
        numbers: [1 / 3, 1e30, 4.5, 0.002, 1e-27, -0],
        literals: [null, true, false],
      }),
    ).toBe('{"literals":[null,true,false],"numbers":[0.3333333333333333,1e+30,4.5,0.002,1e-27,0]}');
  });

  it('nests, escapes and leaves out undefined members', () => {
    expect(canonicalJson({ b: [{ z: 1, a: 'x"\n' }], a: undefined, c: {} })).toBe(
      '{"b":[{"a":"x\\"\\n","z":1}],"c":{}}',
    );
  });

  it('refuses what JSON cannot hold', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/finite/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/not JSON/);
  });
});
