// The supply chain in a few calls, through TypeScript types generated from
// openapi/openapi.json (openapi-typescript) and openapi-fetch. Type-checked
// with `tsc --strict`, then run by .ci/sdk-check against a live server:
// node scenario.js BASE_URL
//
// Two organisations sign up; the buyer invites the supplier, who accepts;
// the buyer publishes a requirement; the supplier lists its requests, fills
// the CSV template, imports it and submits; the buyer reads the roll-up.

import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Requirement = components["schemas"]["Requirement"];

const base = process.argv[2];
const run = Math.random().toString(36).slice(2, 12);
const password = "correct horse battery staple";

function fail(message: string): never {
  throw new Error(message);
}

/** The body of a call that must have answered `status`. */
function expect<T>(
  result: { data?: T; error?: unknown; response: Response },
  status: number,
): T {
  if (result.response.status !== status || result.data === undefined) {
    fail(
      `${result.response.url}: expected ${status}, got ${result.response.status}: ` +
        JSON.stringify(result.error),
    );
  }
  return result.data;
}

/** Signs an organisation up and returns a client logged in as its admin. */
async function organisation(name: string, email: string) {
  const anonymous = createClient<paths>({ baseUrl: base });
  expect(
    await anonymous.POST("/v1/signup", {
      params: { header: { "Idempotency-Key": `signup-${email}` } },
      body: {
        organisation: { name, country: "KR" },
        admin: { email, display_name: name, password },
      },
    }),
    201,
  );
  const tokens = expect(
    await anonymous.POST("/v1/auth/login", { body: { email, password } }),
    200,
  );
  return createClient<paths>({
    baseUrl: base,
    headers: { Authorization: `Bearer ${tokens.access_token}` },
  });
}

const buyer = await organisation(`Buyer ${run}`, `buyer-${run}@example.com`);
const supplier = await organisation(`Supplier ${run}`, `supplier-${run}@example.com`);

const invitation = expect(
  await buyer.POST("/v1/invitations", { body: { email: `supplier-${run}@example.com` } }),
  201,
);
expect(await supplier.POST("/v1/invitations/accept", { body: { code: invitation.code } }), 201);

const year = new Date().getUTCFullYear();
const due = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString().slice(0, 10);
const requirement: Requirement = expect(
  await buyer.POST("/v1/requirements", {
    params: { header: { "Idempotency-Key": `requirement-${run}` } },
    body: {
      title: "TypeScript SDK scenario",
      period: { start: `${year}-01-01`, end: `${year}-12-31` },
      due_date: due,
      items: [{ metric: "ghg.scope1" }],
      audience: { all_active_suppliers: true },
      cascade_depth: 1,
    },
  }),
  201,
);
const published = expect(
  await buyer.POST("/v1/requirements/{id}/publish", {
    params: { path: { id: requirement.id } },
  }),
  200,
);
if (published.status !== "published") fail(`published: ${published.status}`);

const page = expect(
  await supplier.GET("/v1/requests", { params: { query: { status: "open", limit: 10 } } }),
  200,
);
const request = page.items[0] ?? fail("the supplier has no request");

const template = expect(
  await supplier.GET("/v1/requests/{id}/answer/template.csv", {
    params: { path: { id: request.id } },
    parseAs: "text",
  }),
  200,
);
const [header] = template.split("\n");
if (!header?.startsWith("item_code,")) fail(`template: ${header}`);
const filled = `${header}\nghg.scope1,,,true,,,12.5,tCO2e,measured,GHG Protocol,\n`;
const imported = expect(
  await supplier.POST("/v1/requests/{id}/answer/import", {
    params: { path: { id: request.id } },
    body: filled,
    bodySerializer: (csv: string) => csv,
    headers: { "Content-Type": "text/csv" },
  }),
  200,
);
if (imported.draft.length !== 1) fail(`draft: ${JSON.stringify(imported.draft)}`);

const revision = expect(
  await supplier.POST("/v1/requests/{id}/answer/submit", {
    params: { path: { id: request.id } },
    body: { share_upstream: false },
  }),
  201,
);
if (revision.status !== "submitted") fail(`revision: ${revision.status}`);

const summary = expect(
  await buyer.GET("/v1/requirements/{id}/summary", {
    params: { path: { id: requirement.id } },
  }),
  200,
);
if (summary.requests.total !== 1) fail(`requests: ${summary.requests.total}`);
if (summary.metrics[0]?.submitted.total !== "12.5") {
  fail(`metrics: ${JSON.stringify(summary.metrics)}`);
}
console.log("typescript client: scenario passed");
