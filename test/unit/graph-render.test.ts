import { strict as assert } from 'node:assert';
import { renderDot } from '../../src/site/graph/dot';
import { mermaidText, renderMermaid } from '../../src/site/graph/mermaid';
import { renderSvg, xmlEscape } from '../../src/site/graph/svg';
import { layoutTopology, textWidth, type Rect } from '../../src/site/graph/svg-layout';
import {
  buildTopology,
  firewallItems,
  hostAddressLines,
  hostCaption,
  type Topology,
} from '../../src/site/graph/topology';
import { GRAPH_FIXTURES, loadGraphInventory } from '../support/graph-fixtures';

const topologyOf = (file: string) => buildTopology(loadGraphInventory(file));
const edgeLines = (e: Topology['edges'][number]) => [
  ...e.label,
  ...(e.firewall ? [e.firewall] : []),
];
const sorted = (list: string[]) => [...list].sort();

// ---------------------------------------------------------------------------
// Mermaid

interface MermaidGraph {
  nodes: { id: string; label: string; host?: string }[];
  subgraphs: { id: string; title: string }[];
  edges: { from: string; arrow: string; label: string; to: string }[];
}

/** Reads the flowchart back; every line must be one the renderer is meant to write. */
function parseMermaid(text: string): MermaidGraph {
  const graph: MermaidGraph = { nodes: [], subgraphs: [], edges: [] };
  let host: string | undefined;
  const lines = text.trimEnd().split('\n');
  assert.match(lines[0]!, /^%% /);
  assert.equal(lines[1], 'flowchart LR');
  for (const line of lines.slice(2)) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2,4}(n_\w+)(\(\[|\{\{|\[\(|\[)"([^"]*)"(\]\)|\}\}|\)\]|\])$/.exec(line))) {
      const pairs: Record<string, string> = { '([': '])', '{{': '}}', '[(': ')]', '[': ']' };
      assert.equal(pairs[m[2]!], m[4], line);
      graph.nodes.push({ id: m[1]!, label: m[3]!, host });
    } else if ((m = /^ {2}subgraph (n_\w+) \["([^"]*)"\]$/.exec(line))) {
      assert.equal(host, undefined, 'nested subgraph');
      graph.subgraphs.push({ id: m[1]!, title: m[2]! });
      host = m[2]!.split('<br/>')[0];
    } else if (line === '  end') {
      assert.notEqual(host, undefined, 'end without subgraph');
      host = undefined;
    } else if ((m = /^ {2}(n_\w+) (-->|-\.->)\|"([^"]*)"\| (n_\w+)$/.exec(line))) {
      graph.edges.push({ from: m[1]!, arrow: m[2]!, label: m[3]!, to: m[4]! });
    } else if (!/^ {2}(classDef \w+ [\w:#,]+|class n_\w+ \w+)$/.test(line)) {
      assert.fail(`not a line the renderer writes: ${line}`);
    }
  }
  assert.equal(host, undefined, 'unclosed subgraph');
  return graph;
}

describe('graph --format mermaid', () => {
  for (const f of GRAPH_FIXTURES) {
    it(`${f.name}: every host, service and connection, with its label`, () => {
      const t = topologyOf(f.file);
      const graph = parseMermaid(renderMermaid(t));
      const br = (parts: string[]) => parts.map(mermaidText).join('<br/>');
      // Each service in its host's subgraph, found by host and label.
      const idOf = new Map<string, string>();
      for (const n of t.nodes) {
        const found = graph.nodes.filter(
          (g) => g.host === n.host && g.label === br([n.title, ...n.details]),
        );
        assert.equal(found.length, 1, `${n.id} once in ${n.host ?? 'no subgraph'}`);
        idOf.set(n.id, found[0]!.id);
      }
      assert.deepEqual(
        graph.subgraphs.map((s) => s.title),
        t.hosts.map((h) => br(hostCaption(h))),
      );
      assert.deepEqual(
        sorted(graph.edges.map((e) => `${e.from} ${e.arrow} ${e.label} ${e.to}`)),
        sorted(
          t.edges.map(
            (e) =>
              `${idOf.get(e.from)} ${e.kind === 'replication' ? '-.->' : '-->'} ${br(edgeLines(e))} ${idOf.get(e.to)}`,
          ),
        ),
      );
    });
  }
});

// ---------------------------------------------------------------------------
// DOT

const dotUnquote = (s: string) => s.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
const Q = '"((?:[^"\\\\]|\\\\.)*)"';

function parseDot(text: string) {
  const nodes: { id: string; label: string; cluster?: string }[] = [];
  const edges: { from: string; to: string; label: string }[] = [];
  const clusters: string[] = [];
  let cluster: string | undefined;
  let depth = 0;
  for (const line of text.trimEnd().split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^ +${Q} -> ${Q} \\[label=${Q}, [^\\]]*\\];$`).exec(line)))
      edges.push({ from: dotUnquote(m[1]!), to: dotUnquote(m[2]!), label: dotUnquote(m[3]!) });
    else if ((m = new RegExp(`^ +${Q} \\[label=${Q}(, [^\\]]*)?\\];$`).exec(line)))
      nodes.push({ id: dotUnquote(m[1]!), label: dotUnquote(m[2]!), cluster });
    else if ((m = new RegExp(`^ {4}label=${Q};$`).exec(line))) {
      cluster = dotUnquote(m[1]!);
      clusters.push(cluster);
    } else if (/^ {2}subgraph cluster_\d+ \{$/.test(line) || line === 'digraph topology {') depth++;
    else if (line === '  }' || line === '}') {
      depth--;
      cluster = undefined;
    } else if (!/^(\/\/ .*| {2}(graph|node|edge) \[.*\];| {4}style=.*;)$/.test(line))
      assert.fail(`not a line the renderer writes: ${line}`);
  }
  assert.equal(depth, 0, 'braces balance');
  return { nodes, edges, clusters };
}

describe('graph --format dot', () => {
  for (const f of GRAPH_FIXTURES) {
    it(`${f.name}: every host, service and connection, with its label`, () => {
      const t = topologyOf(f.file);
      const dot = parseDot(renderDot(t));
      assert.deepEqual(
        dot.clusters,
        t.hosts.map((h) => hostCaption(h).join('\n')),
      );
      const real = dot.nodes.filter((n) => !n.id.endsWith('/(none)'));
      assert.deepEqual(
        sorted(real.map((n) => `${n.id} in ${n.cluster?.split('\n')[0]}: ${n.label}`)),
        sorted(t.nodes.map((n) => `${n.id} in ${n.host}: ${[n.title, ...n.details].join('\n')}`)),
      );
      assert.deepEqual(
        dot.edges,
        t.edges.map((e) => ({ from: e.from, to: e.to, label: edgeLines(e).join('\n') })),
      );
    });
  }
});

// ---------------------------------------------------------------------------
// SVG

/** A strict little XML reader: balanced tags, quoted unique attributes, known entities only. */
function checkXml(text: string): {
  root: string;
  elements: { name: string; attrs: Map<string, string> }[];
} {
  const entity = /&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  let rest = text.replace(/^<\?xml [^?]*\?>\n/, '');
  const stack: string[] = [];
  const elements: { name: string; attrs: Map<string, string> }[] = [];
  let root = '';
  while (rest.length > 0) {
    const lt = rest.indexOf('<');
    const chunk = lt === -1 ? rest : rest.slice(0, lt);
    assert.ok(!entity.test(chunk), `bad entity in text: ${chunk.slice(0, 60)}`);
    assert.ok(!chunk.includes('>'), `stray > in text: ${chunk.slice(0, 60)}`);
    if (stack.length === 0) assert.equal(chunk.trim(), '', 'text outside the root element');
    if (lt === -1) break;
    rest = rest.slice(lt);
    if (rest.startsWith('<!--')) {
      const end = rest.indexOf('-->');
      assert.ok(end > 0, 'unclosed comment');
      rest = rest.slice(end + 3);
      continue;
    }
    const gt = rest.indexOf('>');
    assert.ok(gt > 0, 'unclosed tag');
    const tag = rest.slice(0, gt + 1);
    rest = rest.slice(gt + 1);
    const close = /^<\/([\w:-]+)\s*>$/.exec(tag);
    if (close) {
      assert.equal(stack.pop(), close[1], `closing ${close[1]}`);
      continue;
    }
    const open = /^<([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>$/.exec(tag);
    assert.ok(open, `malformed tag: ${tag.slice(0, 80)}`);
    const attrs = new Map<string, string>();
    for (const a of open[2]!.matchAll(/([\w:-]+)="([^"<]*)"/g)) {
      assert.ok(!attrs.has(a[1]!), `duplicate attribute ${a[1]} in ${tag.slice(0, 80)}`);
      assert.ok(!entity.test(a[2]!), `bad entity in attribute: ${a[2]}`);
      attrs.set(a[1]!, a[2]!);
    }
    if (stack.length === 0) {
      assert.equal(root, '', 'a second root element');
      root = open[1]!;
    }
    elements.push({ name: open[1]!, attrs });
    if (!open[3]) stack.push(open[1]!);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  return { root, elements };
}

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

/** Every text of the picture, in document order, joined by spaces (wrapped lines join back). */
const svgText = (svg: string) =>
  [...svg.matchAll(/<text [^>]*>([^<]*)<\/text>/g)].map((m) => unescapeXml(m[1]!)).join(' ');

describe('graph --format svg', () => {
  it('checkXml, the test’s reader, refuses what is not well-formed', () => {
    for (const bad of [
      '<svg><g></svg>',
      '<svg><text>a & b</text></svg>',
      '<svg a="1" a="2"/>',
      '<svg></svg><svg></svg>',
      '<svg><text x=1>t</text></svg>',
    ])
      assert.throws(() => checkXml(bad), bad);
    assert.equal(checkXml('<svg><text x="1">a &amp; b</text><g/></svg>').root, 'svg');
  });

  for (const f of GRAPH_FIXTURES) {
    it(`${f.name}: well-formed, self-contained, every host, service, label and arrow`, () => {
      const t = topologyOf(f.file);
      const svg = renderSvg(t);
      const { root, elements } = checkXml(svg);
      assert.equal(root, 'svg');
      for (const banned of [
        '<script',
        'foreignObject',
        'href',
        '<image',
        '@import',
        '@font-face',
        'http:',
        'https:/',
      ])
        assert.ok(!svg.replace('http://www.w3.org/2000/svg', '').includes(banned), banned);
      const text = svgText(svg);
      for (const h of t.hosts) {
        for (const line of [h.name, ...hostAddressLines(h), ...firewallItems(h), ...h.notes])
          assert.ok(text.includes(line), `${h.name}: ${line}`);
      }
      for (const n of t.nodes) {
        const g = elements.filter((e) => e.name === 'g' && e.attrs.get('data-id') === n.id);
        assert.equal(g.length, 1, n.id);
        for (const line of [n.title, ...n.details])
          assert.ok(text.includes(line), `${n.id}: ${line}`);
      }
      const markers = new Set(
        elements.filter((e) => e.name === 'marker').map((e) => `url(#${e.attrs.get('id')})`),
      );
      const arrows = elements.filter((e) => e.name === 'path' && e.attrs.get('class') === 'arrow');
      assert.equal(arrows.length, t.edges.length);
      for (const a of arrows) assert.ok(markers.has(a.attrs.get('marker-end')!), 'arrowhead');
      const groups = elements.filter((e) => e.name === 'g' && e.attrs.get('class') === 'edge');
      assert.deepEqual(
        sorted(
          groups.map(
            (g) =>
              `${g.attrs.get('data-from')} -> ${g.attrs.get('data-to')} ${g.attrs.get('data-kind')}`,
          ),
        ),
        sorted(t.edges.map((e) => `${xmlEscape(e.from)} -> ${xmlEscape(e.to)} ${e.kind}`)),
      );
      for (const e of t.edges) {
        for (const line of e.label) assert.ok(text.includes(line), `${e.from} -> ${e.to}: ${line}`);
        // A firewall that drops the traffic is said on the edge itself.
        if (e.firewall?.startsWith('firewall DROPS'))
          assert.ok(text.includes(e.firewall), `${e.from} -> ${e.to}: ${e.firewall}`);
      }
    });

    it(`${f.name}: laid out without overlaps, inside the picture`, () => {
      const t = topologyOf(f.file);
      const layout = layoutTopology(t);
      const overlap = (a: Rect, b: Rect) =>
        a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      const inside = (a: Rect, b: Rect) =>
        a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;
      const canvas = { x: 0, y: 0, w: layout.width, h: layout.height };
      layout.hosts.forEach((a, i) =>
        layout.hosts
          .slice(i + 1)
          .forEach((b) => assert.ok(!overlap(a, b), `${a.host.name} / ${b.host.name}`)),
      );
      layout.nodes.forEach((a, i) =>
        layout.nodes
          .slice(i + 1)
          .forEach((b) => assert.ok(!overlap(a, b), `${a.node.id} / ${b.node.id}`)),
      );
      for (const n of layout.nodes) {
        const box = layout.hosts.find((h) => h.host.name === n.node.host);
        assert.ok(inside(n, box ?? canvas), `${n.node.id} inside ${n.node.host ?? 'the picture'}`);
      }
      const runs = [
        ...layout.texts,
        ...layout.hosts.flatMap((h) => h.texts),
        ...layout.nodes.flatMap((n) => n.texts),
        ...layout.edges.flatMap((e) => e.texts),
      ];
      for (const r of runs) {
        const w = textWidth(r.text, r.style);
        const left = r.anchor === 'middle' ? r.x - w / 2 : r.x;
        assert.ok(left >= 0 && left + w <= layout.width && r.y > 0 && r.y <= layout.height, r.text);
      }
      // Host texts stay in their box; node texts in their node.
      for (const h of layout.hosts)
        for (const r of h.texts)
          assert.ok(
            r.x + textWidth(r.text, r.style) <= h.x + h.w && r.y < h.y + h.h,
            `${h.host.name}: ${r.text}`,
          );
      for (const n of layout.nodes)
        for (const r of n.texts)
          assert.ok(
            textWidth(r.text, r.style) <= n.w && r.y < n.y + n.h,
            `${n.node.id}: ${r.text}`,
          );
      // Each path starts on its source's border and ends on its target's.
      const rect = (id: string) => layout.nodes.find((n) => n.node.id === id)!;
      const onBorder = ([x, y]: [number, number], r: Rect) =>
        (x === r.x || x === r.x + r.w) && y >= r.y && y <= r.y + r.h;
      for (const e of layout.edges) {
        assert.ok(
          onBorder(e.points[0]!, rect(e.edge.from)),
          `${e.edge.from} -> ${e.edge.to} start`,
        );
        assert.ok(
          onBorder(e.points.at(-1)!, rect(e.edge.to)),
          `${e.edge.from} -> ${e.edge.to} end`,
        );
      }
    });
  }

  it('the same inventory gives the same bytes', () => {
    const file = GRAPH_FIXTURES[1]!.file;
    assert.equal(renderSvg(topologyOf(file)), renderSvg(topologyOf(file)));
  });
});

describe('graph: text from the inventory is escaped for each format', () => {
  const hostile = `a&b<c>"d'|#e`;
  const t = topologyOf(GRAPH_FIXTURES[0]!.file);
  const odd: Topology = {
    ...t,
    domains: [hostile],
    nodes: t.nodes.map((n) => (n.id === 'users' ? { ...n, details: [hostile] } : n)),
  };

  it('svg: XML entities, still well-formed', () => {
    const svg = renderSvg(odd);
    checkXml(svg);
    assert.ok(svg.includes('a&amp;b&lt;c&gt;&quot;d&apos;|#e'));
    assert.ok(svgText(svg).includes(hostile));
  });

  it("mermaid: Mermaid's entity codes, the lines still parse", () => {
    const mermaid = renderMermaid(odd);
    assert.ok(mermaid.includes("a&b#lt;c#gt;#quot;d'#124;#35;e"));
    assert.ok(parseMermaid(mermaid).nodes.some((n) => n.label.includes('#quot;')));
  });

  it('dot: quotes and backslashes escaped, the lines still parse', () => {
    const dot = renderDot({
      ...odd,
      nodes: odd.nodes.map((n) => (n.id === 'users' ? { ...n, details: [`${hostile}\\`] } : n)),
    });
    const users = parseDot(dot).nodes.find((n) => n.id === 'users')!;
    assert.equal(users.label, `Users\n${hostile}\\`);
  });
});
