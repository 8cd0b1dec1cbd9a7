import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabInfo } from '../../src/lab';
import { ansibleSetup } from '../bench/ansible-bench';
import { ROOT } from '../support/cli';

/**
 * `npm run bench -- --vs-ansible` gives Ansible the engine's own variables,
 * defaults included, read from the lab's inventory with no lab running.
 */
describe("the Ansible bench's inventory", () => {
  it("carries each host's private_address, lb_port and web_port, defaults included", () => {
    const lab = {
      inventoryPath: path.join(ROOT, 'inventories', 'lab.yml'),
      hosts: [
        { name: 'lb-01', role: 'lb', address: '10.231.0.11' },
        { name: 'web-01', role: 'web', address: '10.231.0.12' },
      ],
    } as unknown as LabInfo;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foobar-ansible-setup-'));
    try {
      ansibleSetup(lab, dir);
      const inventory = fs.readFileSync(path.join(dir, 'hosts.yml'), 'utf8');
      assert.match(
        inventory,
        /lb-01: \{"ansible_host":"10\.231\.0\.11","private_address":"10\.231\.0\.11","lb_port":80,"web_port":80\}/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
