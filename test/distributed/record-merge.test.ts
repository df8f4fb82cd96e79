import { describe, expect, it } from 'vitest';
import type { SimRecord } from '../../sim/metrics/records.js';
import { RecordMerger } from '../../sim/distributed/record-merge.js';

const record = (label: number): SimRecord => ({ type: 'queue-wait', server: label, waitUs: 0 });
/** A stamped record: time, actor, origin, sequence, index in event, record (labelled by its server field). */
const stamped = (timeUs: number, origin: number, sequence: number, index: number, label: number) => [timeUs, 0, origin, sequence, index, record(label)];

describe('merging the records of several hosts', () => {
  it('feeds records in canonical order (time, origin, sequence, index), across chunks, up to the bound', () => {
    const fed: number[] = [];
    const merger = new RecordMerger(2, { record: (_timeUs, _actor, fedRecord) => fedRecord.type === 'queue-wait' && fed.push(fedRecord.server) });
    merger.add(0, [...stamped(10, 1, 0, 0, 1), ...stamped(10, 3, 0, 0, 4), ...stamped(20, 0, 5, 0, 6)]);
    merger.add(1, [...stamped(10, 2, 7, 0, 2), ...stamped(10, 2, 7, 1, 3)]);
    merger.add(1, [...stamped(15, 9, 0, 0, 5)]);
    merger.add(1, []);
    merger.release(20);
    expect(fed).toEqual([1, 2, 3, 4, 5]);
    // A record at the bound waits: a host may still make an earlier one.
    merger.add(1, [...stamped(20, 0, 4, 0, 7)]);
    merger.release(Infinity);
    expect(fed).toEqual([1, 2, 3, 4, 5, 7, 6]);
  });
});
