// The bundled examples (examples/*.lua) with their sample messages (*.messages.json), imported
// as text at build time so the playground needs no server besides static files.
const sources = import.meta.glob("../../examples/*.lua", { query: "?raw", import: "default", eager: true });
const messages = import.meta.glob("../../examples/*.messages.json", { import: "default", eager: true });

const LABELS = {
  ping: "Ping counter",
  token: "Token (balances, transfers, mint)",
  guide_versioned: "Versioned snapshots & rollback",
  guide_event_sourcing: "Event sourcing & replay",
  guide_schema_validation: "Schema validation",
  guide_integrity: "Integrity checks & checksums",
  guide_migrations: "Schema migrations",
  guide_cache_ttl: "Caching with TTL",
  guide_indexing: "Secondary indexes",
  guide_analytics: "State analytics",
};

function stem(path) {
  return path.split("/").pop().replace(/\.messages\.json$|\.lua$/, "");
}

/** [{id, label, group, source, messages}] in menu order: ping, token, then the guide. */
export const EXAMPLES = Object.entries(sources)
  .map(([path, source]) => {
    const id = stem(path);
    const sample = Object.entries(messages).find(([p]) => stem(p) === id)?.[1] ?? [];
    return { id, label: LABELS[id] ?? id, group: id.startsWith("guide_") ? "State-management guide" : "Processes", source, messages: sample };
  })
  .sort((a, b) => order(a.id) - order(b.id) || a.id.localeCompare(b.id));

function order(id) {
  const known = Object.keys(LABELS).indexOf(id);
  return known === -1 ? 100 : known;
}
