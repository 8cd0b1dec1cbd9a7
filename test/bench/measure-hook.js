'use strict';
// Preloaded into a measured child process: on exit, reports its CPU time and
// peak RSS to the file named by FOOBAR_BENCH_OUT.
const fs = require('node:fs');
const out = process.env.FOOBAR_BENCH_OUT;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    fs.writeFileSync(
      out,
      JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKb: u.maxRSS }),
    );
  });
}
