// What things configured by admins are called in the user's language:
// queues, skills, reason codes and wrap-up codes keep their own names (the
// center's default language, Chinese in the demo) and may have a label per
// language (`/api/v1/labels`). System words the server sends as ids
// (outcomes, system reasons) are in the dictionary.

import { api, Code } from "./api";
import type { Lang } from "./i18n";

export type Kind = "queue" | "skill" | "reason" | "wrap_up" | "team";

export interface NameBook {
  /** kind → id → the configured name. */
  names: Record<Kind, Record<string, string>>;
  /** `kind:id:lang` → label. */
  labels: Record<string, string>;
}

export const EMPTY_BOOK: NameBook = { names: { queue: {}, skill: {}, reason: {}, wrap_up: {}, team: {} }, labels: {} };

/** Loads every name the desktop shows (what the user may not read is left out). */
export async function loadNames(): Promise<NameBook> {
  const get = <T,>(path: string) => api<T>("GET", path).catch(() => [] as unknown as T);
  const [queues, reasons, codes, labels, teams] = await Promise.all([
    get<{ id: string; name: string }[]>("/queues"),
    get<Code[]>("/reason-codes"),
    get<Code[]>("/wrap-up-codes"),
    get<{ kind: string; id: string; lang: string; label: string }[]>("/labels"),
    get<{ id: string; name: string }[]>("/teams"),
  ]);
  const byId = (list: { id: string }[], name: (x: never) => string) => Object.fromEntries(list.map((x) => [x.id, name(x as never)]));
  return {
    names: {
      queue: byId(queues, (q: { name: string }) => q.name),
      skill: {},
      reason: byId(reasons, (r: Code) => r.label),
      wrap_up: byId(codes, (c: Code) => c.label),
      team: byId(teams, (x: { name: string }) => x.name),
    },
    labels: Object.fromEntries(labels.map((l) => [`${l.kind}:${l.id}:${l.lang}`, l.label])),
  };
}

/** `id`'s name in `lang`: its label there, else its configured name, else the id. */
export function nameOf(book: NameBook, kind: Kind, id: string, lang: Lang): string {
  return book.labels[`${kind}:${id}:${lang}`] ?? book.names[kind][id] ?? id;
}

/** A function naming things in one language, as components receive it. */
export type Namer = (kind: Kind, id: string) => string;
