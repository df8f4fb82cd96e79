import { describe, expect, it } from 'vitest';
import { Protocol, RequestKind } from '../../nodes/messages.js';
import { WorkClassTable, type WorkClassAction } from '../../nodes/router/work-classes.js';
import { request } from '../helpers/requests.js';

describe('work classes', () => {
  it('a request no class matches gets the default class: permitted to its protocol cluster', () => {
    const table = new WorkClassTable([{ name: 'admin', uri: '/admin/*', action: 'reject' }]);
    expect(table.match(request({ uri: '/shop' }))).toEqual({ name: '', action: 'permit', cluster: undefined, redirectTo: '', sticky: false, maintenanceOnly: false });
    expect(new WorkClassTable([]).match(request())).toEqual({ name: '', action: 'permit', cluster: undefined, redirectTo: '', sticky: false, maintenanceOnly: false });
  });

  it('derives sticky and maintenance-only from each action', () => {
    const actions: WorkClassAction[] = ['permit', 'permitsticky', 'permitMM', 'permitstickyMM', 'reject', 'redirect'];
    const table = new WorkClassTable(actions.map((action) => ({ name: action, uri: `/${action}`, action })));
    const derived = actions.map((action) => {
      const workClass = table.match(request({ uri: `/${action}` }));
      return [workClass.name, workClass.action, workClass.sticky, workClass.maintenanceOnly];
    });
    expect(derived).toEqual([
      ['permit', 'permit', false, false],
      ['permitsticky', 'permitsticky', true, false],
      ['permitMM', 'permitMM', false, true],
      ['permitstickyMM', 'permitstickyMM', true, true],
      ['reject', 'reject', false, false],
      ['redirect', 'redirect', false, false],
    ]);
  });

  it('keeps the cluster and the redirect address of a class; no address is the empty one', () => {
    const table = new WorkClassTable([
      { name: 'moved', uri: '/old/*', action: 'redirect', redirectTo: 'https://new.example/' },
      { name: 'batch', uri: '/batch', action: 'permit', cluster: 'batch-cluster' },
    ]);
    expect(table.match(request({ uri: '/old/page' }))).toMatchObject({ name: 'moved', redirectTo: 'https://new.example/', cluster: undefined });
    expect(table.match(request({ uri: '/batch' }))).toMatchObject({ name: 'batch', redirectTo: '', cluster: 'batch-cluster' });
  });

  it('the first class that matches wins, in the configured order', () => {
    const table = new WorkClassTable([
      { name: 'admin-login', uri: '/admin/login', action: 'permit' },
      { name: 'admin', uri: '/admin/*', action: 'permitMM' },
      { name: 'everything', action: 'permitsticky' },
    ]);
    expect(table.match(request({ uri: '/admin/login' })).name).toBe('admin-login');
    expect(table.match(request({ uri: '/admin/users' })).name).toBe('admin');
    expect(table.match(request({ uri: '/shop' })).name).toBe('everything');
  });

  it('matches the protocol of a class only', () => {
    const table = new WorkClassTable([
      { name: 'sip', protocol: Protocol.SIP, action: 'permitsticky' },
      { name: 'other', action: 'permit' },
    ]);
    expect(table.match(request({ protocol: Protocol.SIP, kind: RequestKind.OPEN })).name).toBe('sip');
    expect(table.match(request({ protocol: Protocol.HTTP })).name).toBe('other');
  });

  it('matches the method of a class only, whatever its case', () => {
    const table = new WorkClassTable([
      { name: 'writes', method: 'post', action: 'reject' },
      { name: 'reads', method: 'GET', action: 'permit' },
    ]);
    expect(table.match(request({ method: 'POST', uri: '/a' })).name).toBe('writes');
    expect(table.match(request({ method: 'post', uri: '/b' })).name).toBe('writes');
    expect(table.match(request({ method: 'get', uri: '/c' })).name).toBe('reads');
    expect(table.match(request({ method: 'PUT', uri: '/d' })).name).toBe('');
  });

  it('a URI pattern matches the whole URI; * is any run of characters; other characters are literal', () => {
    const table = new WorkClassTable([
      { name: 'page', uri: '/shop.html', action: 'permit' },
      { name: 'images', uri: '/img/*.png', action: 'permit' },
      { name: 'query', uri: '/q?(x)+', action: 'permit' },
    ]);
    expect(table.match(request({ uri: '/shop.html' })).name).toBe('page');
    expect(table.match(request({ uri: '/shopXhtml' })).name).toBe('');
    expect(table.match(request({ uri: '/shop.html/more' })).name).toBe('');
    expect(table.match(request({ uri: '/x/shop.html' })).name).toBe('');
    expect(table.match(request({ uri: '/img/a/b.png' })).name).toBe('images');
    expect(table.match(request({ uri: '/img/a.gif' })).name).toBe('');
    expect(table.match(request({ uri: '/q?(x)+' })).name).toBe('query');
    expect(table.match(request({ uri: '/qxx' })).name).toBe('');
  });

  it('answers the same class again for the same request, and another for another protocol, method or URI', () => {
    const table = new WorkClassTable([
      { name: 'sip', protocol: Protocol.SIP, action: 'permitsticky' },
      { name: 'post', method: 'POST', action: 'permit' },
      { name: 'a', uri: '/a', action: 'permit' },
    ]);
    const probes = [
      request({ protocol: Protocol.SIP, uri: '/z' }),
      request({ method: 'POST', uri: '/z' }),
      request({ uri: '/a' }),
      request({ uri: '/z' }),
    ];
    const first = probes.map((probe) => table.match(probe).name);
    const second = probes.map((probe) => table.match(probe).name);
    expect(first).toEqual(['sip', 'post', 'a', '']);
    expect(second).toEqual(first);
  });
});
