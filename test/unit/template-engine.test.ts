import { strict as assert } from 'node:assert';
import { TemplateError } from '../../src/core/errors';
import { TemplateEngine } from '../../src/render/template-engine';
import { fixture } from '../support/cli';

describe('strict Handlebars templates', () => {
  const engine = new TemplateEngine(fixture('templates'));

  it('renders variables without HTML escaping', () => {
    assert.equal(engine.renderString('a {{x}} b', { x: '<&>' }, 'inline'), 'a <&> b');
  });

  it('a missing variable is an error naming the template and line, never ""', () => {
    assert.throws(
      () => engine.renderFile('missing-var.hbs', { present: 'yes' }, 'web-01'),
      (e: unknown) =>
        e instanceof TemplateError &&
        e.template === 'missing-var.hbs' &&
        e.line === 3 &&
        /variable "absent" is not defined/.test(e.message) &&
        /web-01/.test(e.message),
    );
  });

  it('a syntax error names the line', () => {
    assert.throws(
      () => engine.renderFile('syntax-error.hbs', {}),
      (e: unknown) => e instanceof TemplateError && e.line === 2 && /syntax error/.test(e.detail),
    );
  });

  it('partials come from templates/partials by name only', () => {
    assert.equal(engine.renderFile('uses-partial.hbs', { who: 'lb-01' }).trim(), 'hello lb-01');
    assert.throws(() => engine.renderFile('escaping-partial.hbs', {}), /no partial named/);
  });

  it('refuses template paths outside the templates folder', () => {
    for (const p of ['../package.json', '/etc/passwd', 'partials/../../templates/../x']) {
      assert.throws(() => engine.renderFile(p, {}), /must stay inside/);
    }
  });

  it('where: the host views for which a when expression holds, each read with its own variables (inventory_hostname its name); a secret it does not read is not looked up', () => {
    let looked = 0;
    const secretView = { name: 'web-03', mysql_role: 'none', backups: false };
    Object.defineProperty(secretView, 'password', {
      enumerable: true,
      get: () => {
        looked++;
        return 's3cret';
      },
    });
    const hosts = [
      { name: 'web-01', mysql_role: 'primary', backups: true },
      { name: 'web-02', mysql_role: 'replica', backups: true },
      { name: 'web-04', mysql_role: 'replica', backups: false },
      secretView,
    ];
    const render = (expression: string) =>
      engine.renderString(
        `{{join (pluck (where hosts "${expression}") "name") ","}}`,
        { hosts },
        'inline',
      );
    assert.equal(render("backups and mysql_role == 'replica'"), 'web-02');
    assert.equal(render("inventory_hostname == 'web-01' or mysql_role == 'none'"), 'web-01,web-03');
    assert.equal(looked, 0);
    assert.throws(() => render('backups and'), /where|expression|unexpected/i);
  });
});
