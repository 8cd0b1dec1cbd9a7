/**
 * Mocha root hooks (loaded by .mocharc.js): after every test has run, pass or
 * fail, take down the e2e labs this process started.
 */
import { teardownE2eLabs } from './lab';

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(5 * 60_000);
    await teardownE2eLabs();
  },
};
