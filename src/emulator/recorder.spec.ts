import { RequestRecorder } from './recorder';

const entry = (path: string) => ({ method: 'GET', path, query: {}, headers: {}, body: null, at: new Date(0).toISOString() });

describe('RequestRecorder', () => {
  it('lists entries in arrival order, and lets a body be filled in after recording', () => {
    const recorder = new RequestRecorder();
    const first = recorder.record(entry('/a'));
    recorder.record(entry('/b'));
    first.body = { late: true };
    expect(recorder.list().map(({ path, body }) => [path, body])).toEqual([
      ['/a', { late: true }],
      ['/b', null],
    ]);
  });

  it('drops the oldest entries past its limit', () => {
    const recorder = new RequestRecorder(2);
    ['/a', '/b', '/c'].forEach((path) => recorder.record(entry(path)));
    expect(recorder.list().map(({ path }) => path)).toEqual(['/b', '/c']);
  });

  it('clears', () => {
    const recorder = new RequestRecorder();
    recorder.record(entry('/a'));
    recorder.clear();
    expect(recorder.list()).toEqual([]);
  });
});
