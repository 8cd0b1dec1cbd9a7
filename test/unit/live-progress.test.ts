import { strict as assert } from 'node:assert';
import type { EngineEvent } from '../../src/engine/events';
import {
  cellWidth,
  elapsed,
  EMPTY_LIVE_STATE,
  liveFrame,
  liveStep,
  type FrameOptions,
  type LiveState,
} from '../../src/report/live-progress';
import {
  CURSOR_HIDE,
  CURSOR_SHOW,
  eraseSequence,
  redrawSequence,
  Terminal,
  type LiveArea,
  type TerminalStream,
} from '../../src/cli/terminal';
import { startLiveView } from '../../src/cli/live-view';

const play = 'Site';
const hostStart = (host: string): EngineEvent => ({ type: 'host-start', host, play });
const taskStart = (host: string, task: string, long = false, handler = false): EngineEvent => ({
  type: 'task-start',
  host,
  play,
  task,
  handler,
  long,
});
const hostDone = (host: string): EngineEvent => ({ type: 'host-done', host, play });

/** Events applied in order, each at its own time (ms). */
function replay(events: [number, EngineEvent][]): LiveState {
  return events.reduce((s, [at, e]) => liveStep(s, e, at), EMPTY_LIVE_STATE);
}

const plain: FrameOptions = { columns: 80, rows: 24, color: false, unicode: true };
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;
const visible = (line: string) => line.replace(SGR, '');

describe('live progress: events → the state of each host', () => {
  it('a host gathers facts, then shows its current task or handler; done hosts leave; order kept', () => {
    const s = replay([
      [0, hostStart('web-01')],
      [5, hostStart('web-02')],
      [10, taskStart('web-01', 'Nginx is installed', true)],
      [20, taskStart('web-02', 'nginx.conf')],
      [30, taskStart('web-02', 'reload nginx', false, true)],
    ]);
    assert.deepEqual(s.hosts, [
      { host: 'web-01', doing: 'Nginx is installed', long: true, since: 10 },
      { host: 'web-02', doing: 'handler reload nginx', long: false, since: 30 },
    ]);
    const after = liveStep(s, hostDone('web-01'), 40);
    assert.deepEqual(
      after.hosts.map((h) => h.host),
      ['web-02'],
    );
    assert.deepEqual(
      liveStep(after, { type: 'unreachable', host: 'web-02', error: 'timed out' }, 50).hosts,
      [],
    );
  });

  it('the recap empties it; events it does not use leave it as it was', () => {
    const s = replay([[0, hostStart('lb-01')]]);
    assert.equal(liveStep(s, { type: 'note', message: 'x' }, 1), s);
    assert.equal(
      liveStep(
        s,
        { type: 'trace', host: 'lb-01', what: 'gather', exitCode: 0, ms: 3, stdout: 'x' },
        1,
      ),
      s,
    );
    assert.deepEqual(liveStep(s, { type: 'recap', hosts: {} }, 2).hosts, []);
  });
});

describe('live progress: the frame (state + time → lines)', () => {
  const state = replay([
    [0, hostStart('lb-01')],
    [0, hostStart('web-01')],
    [1_000, taskStart('lb-01', 'haproxy.cfg')],
    [2_000, taskStart('web-01', 'The database server is installed', true)],
  ]);

  it('one line per host: host, time on its current task, the task; a spinner only for long work', () => {
    const frame = liveFrame(state, 65_500, plain);
    assert.deepEqual(frame, [
      '  lb-01   1m04s  haproxy.cfg',
      '⠴ web-01  1m03s  The database server is installed',
    ]);
  });

  it('the spinner turns as time passes; the line of short work does not change', () => {
    const a = liveFrame(state, 65_500, plain);
    const b = liveFrame(state, 65_600, plain);
    assert.equal(a[0], b[0]);
    assert.notEqual(a[1], b[1]);
    assert.equal(b[1]!.slice(1), a[1]!.slice(1));
    // One frame per 100 ms: 65.5 s is the 655th, the 6th of 10 braille dots, the 4th of `|/-\`.
    assert.equal(liveFrame(state, 65_500, { ...plain, unicode: false })[1]![0], '\\');
  });

  it('no line is as wide as the terminal: the task is cut, with an ellipsis', () => {
    for (const columns of [60, 30, 20, 12, 5, 2, 1]) {
      for (const line of liveFrame(state, 3_000, { ...plain, columns })) {
        assert.ok(cellWidth(line) <= Math.max(1, columns - 1), `${columns}: ${line}`);
      }
    }
    assert.deepEqual(liveFrame(state, 3_000, { ...plain, columns: 30 }), [
      '  lb-01      2s  haproxy.cfg',
      '⠋ web-01     1s  The databas…',
    ]);
    assert.equal(
      liveFrame(state, 3_000, { ...plain, columns: 30, unicode: false })[1],
      '- web-01     1s  The datab...',
    );
  });

  it('colour codes do not count in the width, and are absent when colour is off', () => {
    const coloured = liveFrame(state, 3_000, { ...plain, color: true, columns: 30 });
    assert.match(coloured.join('\n'), SGR);
    assert.deepEqual(coloured.map(visible), liveFrame(state, 3_000, { ...plain, columns: 30 }));
    assert.ok(!liveFrame(state, 3_000, plain).join('\n').includes('\x1b'));
  });

  it('wide characters take two cells; control characters in a name are shown as spaces', () => {
    const s = replay([
      [0, hostStart('web-01')],
      [0, taskStart('web-01', '設定ファイル\x1b[2J\nnext')],
    ]);
    const [line] = liveFrame(s, 0, { ...plain, columns: 24 });
    assert.equal(line, '  web-01     0s  設定…');
    assert.ok(cellWidth(line!) <= 23);
    assert.ok(![...liveFrame(s, 0, plain)[0]!].some((c) => c < ' '));
  });

  it('more hosts than half the screen: the first ones, then how many more', () => {
    const many = replay(
      Array.from({ length: 9 }, (_, i): [number, EngineEvent] => [0, hostStart(`web-0${i + 1}`)]),
    );
    const frame = liveFrame(many, 0, { ...plain, rows: 10 });
    assert.equal(frame.length, 5);
    assert.deepEqual(
      frame.slice(0, 4).map((l) => l.split(/\s+/)[1]),
      ['web-01', 'web-02', 'web-03', 'web-04'],
    );
    assert.equal(frame[4], '  and 5 more hosts at work');
  });

  it('nothing at work: no lines', () => {
    assert.deepEqual(liveFrame(EMPTY_LIVE_STATE, 0, plain), []);
  });

  it('elapsed time reads as seconds, then minutes, then hours', () => {
    assert.deepEqual(
      [0, 999, 59_999, 60_000, 65_000, 3_599_000, 3_600_000, 7_380_000].map(elapsed),
      ['0s', '0s', '59s', '1m00s', '1m05s', '59m59s', '1h00m', '2h03m'],
    );
  });
});

describe('live progress: the terminal edge', () => {
  it('a redraw goes up to the block, clears and rewrites each line, and clears what is left', () => {
    assert.equal(redrawSequence(0, ['a', 'b']), '\x1b[2Ka\n\x1b[2Kb\n');
    assert.equal(redrawSequence(2, ['c']), '\r\x1b[2A\x1b[2Kc\n\x1b[J');
    assert.equal(eraseSequence(3), '\r\x1b[3A\x1b[J');
    assert.equal(eraseSequence(0), '');
  });

  /** A fake stdout/stderr that records what is written. */
  const stream = (isTTY: boolean): TerminalStream & { data: string } => {
    const s = {
      isTTY,
      columns: 40,
      rows: 20,
      data: '',
      write(text: string) {
        s.data += text;
        return true;
      },
    };
    return s;
  };

  function setup(out = stream(true), err = stream(true), env: NodeJS.ProcessEnv = {}) {
    const queued: (() => void)[] = [];
    const terminal = new Terminal({ out, err }, { TERM: 'xterm', ...env }, (run) =>
      queued.push(run),
    );
    const flush = () => queued.splice(0).forEach((run) => run());
    return { out, err, terminal, flush };
  }

  it('only a TTY whose TERM is not dumb gets an area, and one area at a time', () => {
    assert.equal(setup(stream(false)).terminal.area('out'), undefined);
    assert.equal(
      setup(stream(true), stream(true), { TERM: 'dumb' }).terminal.area('out'),
      undefined,
    );
    const { terminal } = setup();
    assert.ok(terminal.area('out'));
    assert.equal(terminal.area('err'), undefined);
  });

  it('NO_COLOR (not empty) turns colour off for the area; the area still works', () => {
    assert.equal(setup(undefined, undefined, { NO_COLOR: '1' }).terminal.area('out')!.color, false);
    assert.equal(setup(undefined, undefined, { NO_COLOR: '' }).terminal.area('out')!.color, true);
    assert.equal(setup().terminal.area('out')!.color, true);
  });

  it('lines written while the block shows scroll above it: erased, written, drawn again once', () => {
    const { out, err, terminal, flush } = setup();
    const area = terminal.area('out')!;
    area.show(['one', 'two']);
    assert.equal(out.data, `${CURSOR_HIDE}\x1b[2Kone\n\x1b[2Ktwo\n`);
    out.data = '';
    terminal.write(out, 'ok: [web-01] a\n');
    terminal.write(err, 'SIGINT: stopping\n');
    terminal.write(out, 'ok: [web-01] b\n');
    assert.equal(out.data, '\r\x1b[2A\x1b[Jok: [web-01] a\nok: [web-01] b\n');
    assert.equal(err.data, 'SIGINT: stopping\n');
    flush();
    assert.equal(out.data.slice(out.data.lastIndexOf('b\n') + 2), '\x1b[2Kone\n\x1b[2Ktwo\n');
  });

  it('a write to a stream that is not a terminal leaves the block alone', () => {
    const { out, err, terminal } = setup(stream(true), stream(false));
    terminal.area('out')!.show(['one']);
    out.data = '';
    terminal.write(err, 'to a file\n');
    assert.equal(out.data, '');
  });

  it('close erases the block and shows the cursor; restore (at exit) does the same', () => {
    const { out, terminal } = setup();
    const area = terminal.area('out')!;
    area.show(['one', 'two', 'three']);
    area.close();
    assert.ok(out.data.endsWith(`\r\x1b[3A\x1b[J${CURSOR_SHOW}`));
    area.show(['late']);
    assert.ok(!out.data.includes('late'), 'a closed area draws nothing');

    const second = setup();
    second.terminal.area('out')!.show(['x']);
    second.terminal.restore();
    assert.ok(second.out.data.endsWith(`\r\x1b[1A\x1b[J${CURSOR_SHOW}`));
  });
});

describe('live progress: the view redraws on a timer, only when the frame changes', () => {
  it('draws the hosts at work, redacts task names before cutting them, and goes before the recap', async () => {
    const shown: string[][] = [];
    let closed = 0;
    const area: LiveArea = {
      columns: 40,
      rows: 20,
      color: false,
      unicode: true,
      show: (lines) => shown.push([...lines]),
      close: () => closed++,
    };
    let clock = 0;
    const view = startLiveView(
      area,
      (t) => t.replace('hunter2-secret', '********'),
      () => clock,
    );
    view.update(hostStart('web-01'));
    view.update(taskStart('web-01', 'set the password hunter2-secret now'));
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(shown, [['  web-01     0s  set the password ****…']]);
    assert.doesNotMatch(shown[0]![0]!, /hunt/);
    clock = 1_000;
    await new Promise((r) => setTimeout(r, 250));
    assert.equal(shown.length, 2, 'redrawn once when the time shown changed');
    view.update({ type: 'recap', hosts: {} });
    assert.equal(closed, 1);
    view.stop();
    assert.equal(closed, 1);
  });
});
