import { depthOf, MAX_JSON_DEPTH } from './json-body';

describe('depthOf', () => {
  it('counts the nesting of objects and arrays; scalars are depth 0', () => {
    expect(depthOf('x')).toBe(0);
    expect(depthOf(null)).toBe(0);
    expect(depthOf({})).toBe(1);
    expect(depthOf({ a: [1, { b: [] }] })).toBe(4);
  });

  it('is the deepest branch, wherever it is among its siblings', () => {
    expect(depthOf({ a: { b: {} }, c: [[[[]]]], d: 1 })).toBe(5);
    expect(depthOf([[[[]]], { a: {} }, 'x'])).toBe(4);
    expect(depthOf([{ a: 1 }, [], { b: { c: { d: [1] } } }])).toBe(5);
  });

  it('stops early and never recurses, however deep the value', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthOf(deep)).toBe(MAX_JSON_DEPTH + 1);
  });
});
