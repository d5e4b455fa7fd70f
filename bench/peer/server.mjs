// The thin Node.js peer of issue 6 and shared/PERFORMANCE.md: Fastify and postgres.js over the benchmark's own
// database, answering the two reads bench/reads.py drives with the statements the API runs, which reads.py compiles
// from api/stakeholders/service.py and passes in (PEER_BY_ID_SQL and PEER_PAGE_SQL, with their parameters' names in
// order); the rows written as JSON by JSON.stringify or, with PEER_JSON=postgres, by PostgreSQL.
// No token, no account, no row-level security, no masking, no validation beyond parsing numbers: the ceiling a bare
// server on this machine reaches, to compare the API with in the same run. Never part of the product; reads.py --peer
// starts it.
import cluster from "node:cluster";
import Fastify from "fastify";
import postgres from "postgres";

const workers = Number(process.env.PEER_WORKERS ?? 2);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on("SIGTERM", () => {
    for (const worker of Object.values(cluster.workers)) worker.kill("SIGTERM");
    process.exit(0);
  });
} else {
  const sql = postgres(process.env.PEER_DATABASE_URL, { max: Number(process.env.PEER_POOL ?? 16) });
  const tenant = process.env.PEER_TENANT_ID;
  // A statement and a function of the request's values giving its parameters in order.
  const statement = (name, known) => {
    const sql = process.env[`PEER_${name}_SQL`];
    const names = JSON.parse(process.env[`PEER_${name}_PARAMS`]);
    const unknown = names.filter((n) => !known.includes(n));
    if (!sql || unknown.length) {
      throw new Error(`PEER_${name}: no SQL, or parameters this peer cannot fill: ${unknown}`);
    }
    return { sql, bind: (values) => names.map((n) => values[n]) };
  };
  const byId = statement("BY_ID", ["id", "tenant_id"]);
  const page = statement("PAGE", ["tenant_id", "category", "min_influence", "page_limit"]);
  // PEER_JSON=postgres: PostgreSQL writes the JSON (PostgREST's way; shared/PERFORMANCE.md's peer), the server
  // passes the text on. Otherwise postgres.js parses the rows and JSON.stringify writes them.
  const inPostgres = process.env.PEER_JSON === "postgres";
  const byIdJson = `SELECT row_to_json(r)::text AS body FROM (${byId.sql}) r`;
  const pageJson = `SELECT coalesce(json_agg(r), '[]')::text AS items FROM (${page.sql}) r`;

  const app = Fastify({ logger: false });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/api/v1/stakeholders/:id", async (request, reply) => {
    const params = byId.bind({ id: request.params.id, tenant_id: tenant });
    if (inPostgres) {
      const [row] = await sql.unsafe(byIdJson, params, { prepare: true });
      if (!row) return reply.code(404).send({ title: "Not found" });
      return reply.type("application/json").send(row.body);
    }
    const [row] = await sql.unsafe(byId.sql, params, { prepare: true });
    if (!row) return reply.code(404).send({ title: "Not found" });
    return row;
  });
  app.get("/api/v1/stakeholders", async (request, reply) => {
    const q = request.query;
    const limit = Number(q.limit ?? 50);
    const values = { tenant_id: tenant, category: [q.category], min_influence: Number(q.min_influence ?? 1) };
    if (inPostgres) {  // a page of `limit` rows; whether more follow is not asked
      const params = page.bind({ ...values, page_limit: limit });
      const [{ items }] = await sql.unsafe(pageJson, params, { prepare: true });
      return reply.type("application/json").send(`{"items":${items},"next_cursor":null}`);
    }
    const rows = await sql.unsafe(page.sql, page.bind({ ...values, page_limit: limit + 1 }), { prepare: true });
    const more = rows.length > limit;
    return { items: more ? rows.slice(0, limit) : rows, next_cursor: more ? rows[limit - 1].id : null };
  });
  await app.listen({ host: "127.0.0.1", port: Number(process.env.PEER_PORT ?? 8100) });
}
