import { strict as assert } from 'node:assert';
import { releaseDirs } from '../../src/engine/release-dirs';
import type { ReleasesFact } from '../../src/facts/types';
import { releaseRows, releasesText } from '../../src/report/releases-text';
import { loadSiteProject } from '../../src/cli/site-project';
import { fixture, ROOT } from '../support/cli';
import * as path from 'node:path';

const fact = (over: Partial<ReleasesFact>): ReleasesFact => ({
  dir: '/opt/app',
  current: { type: 'link', target: 'releases/bbbbbbbbbbbb' },
  hasReleasesDir: true,
  releases: [
    { name: 'aaaaaaaaaaaa', completedAt: 1_700_000_000 },
    { name: 'bbbbbbbbbbbb', completedAt: 1_700_000_100 },
    { name: 'cccccccccccc', completedAt: 1_700_000_200 },
    { name: 'dddddddddddd' },
  ],
  ...over,
});

describe('releases: the listing', () => {
  it('newest first; the current one marked, and the one before it in time as previous (where a rollback goes)', () => {
    const rows = releaseRows(fact({}));
    assert.deepEqual(
      rows.map((r) => [r.name, r.current, r.previous, r.completedAt ?? null]),
      [
        ['dddddddddddd', false, false, null],
        ['cccccccccccc', false, false, '2023-11-14T22:16:40.000Z'],
        ['bbbbbbbbbbbb', true, false, '2023-11-14T22:15:00.000Z'],
        ['aaaaaaaaaaaa', false, true, '2023-11-14T22:13:20.000Z'],
      ],
    );
  });

  it('the link in any form (absolute, trailing slash) names the current release', () => {
    const rows = releaseRows(
      fact({ current: { type: 'link', target: '/opt/app/releases/cccccccccccc/' } }),
    );
    assert.equal(rows.find((r) => r.current)?.name, 'cccccccccccc');
    assert.equal(rows.find((r) => r.previous)?.name, 'bbbbbbbbbbbb');
  });

  it('the text says what is unusual: a cut-off release, current a folder, a host that did not answer', () => {
    const text = releasesText([
      { host: 'web-01', dir: '/opt/app', ok: true, fact: fact({}) },
      {
        host: 'web-02',
        dir: '/opt/app',
        ok: true,
        fact: fact({ current: { type: 'directory' }, releases: [] }),
      },
      { host: 'web-03', dir: '/opt/app', ok: false, error: 'connection refused' },
    ]).join('\n');
    assert.match(text, /^ {2}\* bbbbbbbbbbbb {2}2023-11-14T22:15:00.000Z {2}current$/m);
    assert.match(text, /^ {4}aaaaaaaaaaaa {2}\S+ {2}previous$/m);
    assert.match(text, /dddddddddddd {2}unfinished/);
    assert.match(text, /web-02 {2}\/opt\/app\n {2}no releases\n {2}current is a folder/);
    assert.match(text, /web-03 {2}\/opt\/app\n {2}cannot read: connection refused/);
  });
});

describe('releases: the folders a playbook deploys to', () => {
  it("the site: each web host's app_dir, no other host", () => {
    const { project, diagnostics } = loadSiteProject(
      fixture('inventories/good/three-web.yml'),
      path.join(ROOT, 'playbooks', 'site.yml'),
    );
    assert.ok(project, JSON.stringify(diagnostics));
    const dirs = releaseDirs(project, () => 'secret');
    assert.deepEqual(
      dirs.map((d) => [d.host, d.dir]),
      [
        ['web-01', '/opt/foobar'],
        ['web-02', '/opt/foobar'],
        ['web-03', '/opt/foobar'],
      ],
    );
    assert.deepEqual(
      releaseDirs(project, () => 'secret', 'web-02').map((d) => d.host),
      ['web-02'],
    );
  });
});
