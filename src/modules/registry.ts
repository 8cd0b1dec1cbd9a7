import type { ModuleCatalog } from '../playbook/model';
import { authorizedKeysModule } from './authorized-keys';
import { commandModule } from './command';
import { copyModule } from './copy';
import { fileModule } from './file';
import { firewallModule } from './firewall';
import type { ModuleDefinition } from './module';
import { knownHostsModule } from './known-hosts';
import { mysqlDatabaseModule } from './mysql-database';
import { mysqlDatadirModule } from './mysql-datadir';
import { mysqlReadOnlyModule } from './mysql-read-only';
import { mysqlReplicationModule } from './mysql-replication';
import { mysqlUserModule } from './mysql-user';
import { packageModule } from './package';
import { releaseModule } from './release';
import { serviceModule } from './service';
import { sshKeyLoginModule } from './ssh-key-login';
import { templateModule } from './template';
import { userModule } from './user';

/** Every task type, by the name a playbook uses. */
export const MODULES: Record<string, ModuleDefinition<never>> = Object.fromEntries(
  [
    packageModule,
    templateModule,
    copyModule,
    releaseModule,
    fileModule,
    firewallModule,
    serviceModule,
    sshKeyLoginModule,
    authorizedKeysModule,
    knownHostsModule,
    commandModule,
    userModule,
    mysqlDatadirModule,
    mysqlDatabaseModule,
    mysqlReadOnlyModule,
    mysqlUserModule,
    mysqlReplicationModule,
  ].map((m) => [m.name, m as unknown as ModuleDefinition<never>]),
);

export const MODULE_CATALOG: ModuleCatalog = Object.fromEntries(
  Object.entries(MODULES).map(([name, m]) => [name, { args: m.args }]),
);
