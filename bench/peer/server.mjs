// The thin Node.js peer of issue 6 and shared/PERFORMANCE.md: Fastify and postgres.js over the benchmark's own
// database, answering the two reads bench/reads.py drives with the same statements the API runs (the list's page
// query as api/stakeholders/service.py builds it, the row by id), the rows written as JSON by JSON.stringify or, with
// PEER_JSON=postgres, by PostgreSQL.
// No token, no account, no row-level security, no masking, no validation beyond parsing numbers: the ceiling a bare
// server on this machine reaches, to compare the API with in the same run. Never part of the product.
//
//   PEER_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/involve_bench_reads PEER_TENANT_ID=<uuid> \
//   PEER_PORT=8100 PEER_WORKERS=2 PEER_POOL=16 [PEER_JSON=postgres] node bench/peer/server.mjs
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
  const columns = `kind, name, categories, organisation_id, job_title, email, phone, address, postcode,
    preferred_channels, communication_needs, interpreter_language, contact_consent, consent_basis,
    consent_recorded_at, is_champion, is_public_representative, tags, owner_id, notes, archived_at, erased_at,
    restricted_at, restriction_reason, objection_date, objection_scope, objection_grounds, objection_outcome, id,
    tenant_id, created_at, updated_at, created_by, updated_by, version, external_id`;
  const byId = `SELECT ${columns} FROM stakeholder WHERE id = $1::uuid AND tenant_id = $2::uuid`;
  // The API's page statement for these filters, word for word (without the caller's account): the page's keys
  // first, from the sort index, then their rows.
  const page = `SELECT ${columns.replace(/(\w+)/g, "stakeholder.$1")} FROM stakeholder JOIN (
      SELECT stakeholder.updated_at AS updated_at, stakeholder.id AS id FROM stakeholder JOIN (
        SELECT assessment.stakeholder_id AS stakeholder_id, assessment.interest AS interest,
          assessment.influence AS influence, assessment.attitude AS attitude, assessment.assessed_at AS assessed_at
        FROM assessment
        WHERE assessment.tenant_id = $1::UUID AND assessment.is_latest IS true AND assessment.plan_id IS NULL
      ) AS latest_scores ON latest_scores.stakeholder_id = stakeholder.id
      WHERE stakeholder.tenant_id = $1::UUID AND stakeholder.archived_at IS NULL AND stakeholder.restricted_at IS NULL
        AND stakeholder.categories @> $2::JSONB AND latest_scores.influence >= $3::INTEGER
      ORDER BY stakeholder.updated_at DESC, stakeholder.id DESC LIMIT $4::INTEGER) AS page ON page.id = stakeholder.id
    ORDER BY page.updated_at DESC, page.id DESC`;
  // PEER_JSON=postgres: PostgreSQL writes the JSON (PostgREST's way; shared/PERFORMANCE.md's peer), the server
  // passes the text on. Otherwise postgres.js parses the rows and JSON.stringify writes them.
  const inPostgres = process.env.PEER_JSON === "postgres";
  const byIdJson = `SELECT row_to_json(r)::text AS body FROM (${byId}) r`;
  const pageJson = `SELECT coalesce(json_agg(r), '[]')::text AS items, count(*) AS n FROM (${page}) r`;

  const app = Fastify({ logger: false });
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/api/v1/stakeholders/:id", async (request, reply) => {
    const params = [request.params.id, tenant];
    if (inPostgres) {
      const [row] = await sql.unsafe(byIdJson, params, { prepare: true });
      if (!row) return reply.code(404).send({ title: "Not found" });
      return reply.type("application/json").send(row.body);
    }
    const [row] = await sql.unsafe(byId, params, { prepare: true });
    if (!row) return reply.code(404).send({ title: "Not found" });
    return row;
  });
  app.get("/api/v1/stakeholders", async (request, reply) => {
    const q = request.query;
    const limit = Number(q.limit ?? 50);
    const params = [tenant, [q.category], Number(q.min_influence ?? 1), limit];
    if (inPostgres) {  // a page of `limit` rows; whether more follow is not asked
      const [{ items }] = await sql.unsafe(pageJson, params, { prepare: true });
      return reply.type("application/json").send(`{"items":${items},"next_cursor":null}`);
    }
    params[3] = limit + 1;
    const rows = await sql.unsafe(page, params, { prepare: true });
    const more = rows.length > limit;
    return { items: more ? rows.slice(0, limit) : rows, next_cursor: more ? rows[limit - 1].id : null };
  });
  await app.listen({ host: "127.0.0.1", port: Number(process.env.PEER_PORT ?? 8100) });
}
