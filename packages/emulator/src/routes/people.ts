import type { Person } from "@sparkbot/core";
import { authenticate } from "../http/auth.js";
import { HttpError } from "../http/context.js";
import { paginate } from "../http/paginate.js";
import type { Router } from "../http/router.js";
import type { EmulatorServices } from "../services.js";

/** `/v1/people`: me, by id, and list by email, ids or display name. */
export function peopleRoutes(router: Router, { store }: EmulatorServices): void {
  router.on("GET", "/v1/people/me", (ctx) => {
    ctx.json(200, authenticate(ctx, store));
  });

  router.on("GET", "/v1/people/:id", (ctx) => {
    authenticate(ctx, store);
    const person = store.personById(ctx.param("id"));
    if (!person) throw new HttpError(404, "Person not found.");
    ctx.json(200, person);
  });

  router.on("GET", "/v1/people", (ctx) => {
    authenticate(ctx, store);
    const email = ctx.query("email");
    const ids = ctx.query("id");
    const displayName = ctx.query("displayName");
    if (email === undefined && ids === undefined && displayName === undefined) {
      throw new HttpError(400, "Email, displayName, or id list should be specified.");
    }
    let items: Person[] = [...store.people.values()];
    let notFoundIds: string[] | null = null;
    if (ids !== undefined) {
      const wanted = ids.split(",").filter((id) => id !== "");
      items = wanted.flatMap((id) => store.personById(id) ?? []);
      const missing = wanted.filter((id) => !store.personById(id));
      notFoundIds = missing.length > 0 ? missing : null;
    }
    if (email !== undefined) items = items.filter((p) => p.emails.includes(email.toLowerCase()));
    if (displayName !== undefined) {
      const prefix = displayName.toLowerCase();
      items = items.filter((p) => p.displayName.toLowerCase().startsWith(prefix));
    }
    const page = paginate(ctx, items);
    ctx.json(200, { notFoundIds, items: page.items }, page.headers);
  });
}
