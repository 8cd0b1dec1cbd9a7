import { strict as assert } from 'node:assert';
import { Limiter } from '../../src/transport/limiter';

describe('Limiter: at most N at once (channels of a connection, SSH handshakes of a run)', () => {
  const tick = () => new Promise<void>((r) => setImmediate(r));

  it('never more than the limit in flight; all finish; first come, first served', async () => {
    const gate = new Limiter(3);
    let inFlight = 0;
    let most = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gate.run(async () => {
          started.push(i);
          most = Math.max(most, ++inFlight);
          for (let t = 0; t < (i % 4) + 1; t++) await tick();
          inFlight--;
          return i * 2;
        }),
      ),
    );
    assert.equal(most, 3);
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, i) => i * 2),
    );
    assert.deepEqual(
      started,
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it('a failing piece gives its place back, and its error to its caller only', async () => {
    const gate = new Limiter(1);
    const failing = gate.run(() => Promise.reject(new Error('refused')));
    const next = gate.run(() => Promise.resolve('ok'));
    await assert.rejects(failing, /refused/);
    assert.equal(await next, 'ok');
    assert.equal(await gate.run(() => Promise.resolve(1)), 1);
  });

  it('refuses a limit that is not a whole number >= 1', () => {
    for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new Limiter(bad), RangeError);
  });
});
