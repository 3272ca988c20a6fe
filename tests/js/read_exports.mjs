// Read allygraph's exports with the JavaScript tools people use, and print what they saw as JSON.
// Usage: node read_exports.mjs JOBS.json  where JOBS is [{"kind": "cypher"|"gexf"|"graphml", "path": FILE}, ...].
// cypher: Neo4j's own parser and semantic analysis (@neo4j-cypher/language-support, lintCypherQuery);
// gexf: graphology-gexf (Gephi Lite's parser); graphml: graphology-graphml. One process for every file.
import fs from 'node:fs';
import Graph from 'graphology';
import gexf from 'graphology-gexf';
import graphml from 'graphology-graphml';

const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = [];
let lint = null;
for (const job of jobs) {
  const text = fs.readFileSync(job.path, 'utf8');
  if (job.kind === 'cypher') {
    lint ??= (await import('@neo4j-cypher/language-support')).lintCypherQuery;
    const diagnostics = lint(text, {}).diagnostics.map((d) => ({ severity: d.severity, message: d.message, line: d.range.start.line }));
    out.push({ path: job.path, diagnostics });
    continue;
  }
  const parser = job.kind === 'gexf' ? gexf : graphml;
  const g = parser.parse(Graph, text);
  out.push({
    path: job.path,
    type: g.type,
    nodes: g.mapNodes((key, attributes) => ({ key, attributes })),
    edges: g.mapEdges((key, attributes, source, target, sa, ta, undirected) => ({ key, source, target, undirected, attributes })),
  });
}
process.stdout.write(JSON.stringify(out));
