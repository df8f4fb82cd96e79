import { describe, expect, it } from 'vitest';
import { expandGrid, expandSpec, ParameterError, parameterOf, parseParameter } from '../../sim/experiments/parameters.js';

describe('parameter specs', () => {
  it('a range with units steps from the first value to the last, both included', () => {
    expect(expandSpec('100/s..1000/s:100/s')).toEqual(['100/s', '200/s', '300/s', '400/s', '500/s', '600/s', '700/s', '800/s', '900/s', '1000/s']);
    expect(expandSpec('250ms..1000ms:250ms')).toEqual(['250ms', '500ms', '750ms', '1000ms']);
  });

  it('a range of plain numbers stays numbers, steps by 1 without a step, and stops at the last value that fits', () => {
    expect(expandSpec('4..8')).toEqual([4, 5, 6, 7, 8]);
    expect(expandSpec('1..10:4')).toEqual([1, 5, 9]);
    expect(expandSpec('0.1..0.3:0.1')).toEqual([0.1, 0.2, 0.3]);
  });

  it('a list keeps YAML scalars: numbers, booleans, text', () => {
    expect(expandSpec('4,6,8')).toEqual([4, 6, 8]);
    expect(expandSpec('affinity, break')).toEqual(['affinity', 'break']);
    expect(expandSpec('true,false')).toEqual([true, false]);
    expect(expandSpec('400/s')).toEqual(['400/s']);
  });

  it('refuses ranges that mix units, run backwards, step by zero or plan too many values', () => {
    expect(() => expandSpec('100/s..2m:1/s')).toThrow(/mixes units/);
    expect(() => expandSpec('8..4')).toThrow(/ends before it starts/);
    expect(() => expandSpec('1..4:0')).toThrow(/must be positive/);
    expect(() => expandSpec('1ms..10ms:1s')).toThrow(/step/);
    expect(() => expandSpec('1..100000')).toThrow(/more than the 1000 allowed/);
    expect(() => expandSpec('1,,2')).toThrow(/empty value/);
  });

  it('PATH=SPEC gives a path into the document, numbers indexing lists', () => {
    expect(parseParameter('cluster.nodes.count=4,6')).toEqual({ name: 'cluster.nodes.count', path: ['cluster', 'nodes', 'count'], values: [4, 6] });
    expect(parseParameter('timeline.0.at=1m').path).toEqual(['timeline', 0, 'at']);
    expect(() => parseParameter('cluster.nodes.count')).toThrow(ParameterError);
    expect(() => parseParameter('cluster..count=4')).toThrow(/not a path/);
    expect(parameterOf('cluster.nodes.count', [4, 8]).values).toEqual([4, 8]);
    expect(parameterOf('cluster.routers', 2).values).toEqual([2]);
  });
});

describe('grid', () => {
  it('is every combination, the last parameter varying fastest', () => {
    const grid = expandGrid([parseParameter('a=1,2'), parseParameter('b=x,y,z')]);
    expect(grid.map((point) => point.values)).toEqual([
      [1, 'x'],
      [1, 'y'],
      [1, 'z'],
      [2, 'x'],
      [2, 'y'],
      [2, 'z'],
    ]);
    expect(grid.map((point) => point.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(expandGrid([])).toEqual([{ index: 0, values: [] }]);
  });
});
