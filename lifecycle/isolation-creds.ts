// src/nxt_isolation.c, NXT_HAVE_CLONE_NEWUSER: the application's "uidmap" and "gidmap", and
// their validation against the credentials main resolved (nxt_clone.c's rules).

import { CLONE_NEWUSER } from "./kernel.ts";
import type { Json } from "./kernel.ts";
import { fail, ok } from "./credential.ts";
import type { Credential, Outcome } from "./credential.ts";
import { cloneVldtCredentialGidmap, cloneVldtCredentialUidmap, isCloneFlagSet } from "./clone.ts";
import { confGetObjectMember as member } from "./conf.ts";
import type { Capabilities, Isolation, MapEntry } from "./isolation.ts";

function mapInt(obj: Json, name: string): number {
  const v = member(obj, name);
  return typeof v === "number" && Number.isInteger(v) ? v : 0;
}

/** nxt_isolation_credential_map: each element's container/host/size integers. */
export function isolationCredentialMap(array: Json, field: string): Outcome<MapEntry[]> {
  if (!Array.isArray(array)) {
    return ok([]);
  }
  const map: MapEntry[] = [];
  for (const obj of array) {
    // nxt_conf_map_object cannot fail for integer members, so Unit never reaches its
    // "clone map entry map error" alert here; missing or non-integer members read as 0
    // in the model (uninitialised memory in Unit; the controller rejects such maps anyway).
    if (obj === undefined) {
      return fail("clone map entry map error", field);
    }
    map.push({ container: mapInt(obj, "container"), host: mapInt(obj, "host"), size: mapInt(obj, "size") });
  }
  return ok(map);
}

/** nxt_isolation_set_creds: "uidmap" then "gidmap". */
export function isolationSetCreds(isolationConf: Json, iso: Isolation): Outcome {
  const uid = member(isolationConf, "uidmap");
  if (uid !== undefined) {
    const r = isolationCredentialMap(uid, "isolation/uidmap");
    if (!r.ok) {
      return r;
    }
    iso.clone.uidmap = r.value;
  }

  const gid = member(isolationConf, "gidmap");
  if (gid !== undefined) {
    const r = isolationCredentialMap(gid, "isolation/gidmap");
    if (!r.ok) {
      return r;
    }
    iso.clone.gidmap = r.value;
  }

  return ok();
}

/** nxt_isolation_vldt_creds: only when a map is configured. */
export function isolationVldtCreds(
  iso: Isolation,
  creds: Credential | null,
  ctx: { caps: Capabilities; mainEuid: number; mainEgid: number },
): Outcome {
  const clone = iso.clone;

  if (clone.uidmap.length === 0 && clone.gidmap.length === 0) {
    return ok();
  }

  if (!isCloneFlagSet(clone.flags, CLONE_NEWUSER)) {
    if (clone.uidmap.length > 0) {
      return fail(`"uidmap" is set but "isolation.namespaces.credential" is false or unset`, "isolation/uidmap");
    }
    if (clone.gidmap.length > 0) {
      return fail(`"gidmap" is set but "isolation.namespaces.credential" is false or unset`, "isolation/gidmap");
    }
    return ok();
  }

  if (creds === null) {
    // Unreachable: NEWUSER forces cap_setid, so the credentials were resolved.
    return { ok: false, alerts: [], abort: "NULL user_cred in nxt_isolation_vldt_creds" };
  }

  const u = cloneVldtCredentialUidmap(clone.uidmap, creds, ctx);
  if (!u.ok) {
    return u;
  }
  return cloneVldtCredentialGidmap(clone.gidmap, creds, ctx);
}
