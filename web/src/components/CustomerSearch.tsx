import { FormEvent, useState } from "react";
import { api, Customer } from "../api";
import type { T } from "../i18n";

/** Find a customer by phone or name. */
export function CustomerSearch(props: { t: T }) {
  const { t } = props;
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Customer[] | null>(null);
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setFound(await api<Customer[]>("GET", `/customers?q=${encodeURIComponent(q.trim())}&limit=10`));
  };
  return (
    <section className="customer-search">
      <form onSubmit={search}>
        <input aria-label={t("search")} placeholder={t("searchPlaceholder")} value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">{t("search")}</button>
      </form>
      {found && found.length === 0 && <p className="muted">{t("noResults")}</p>}
      {found && found.length > 0 && (
        <ul>
          {found.map((c) => (
            <li key={c.id}>
              <b>{c.name}</b> {c.tier >= 3 && <span className="badge vip">{t("vip")}</span>} <span className="muted">{c.phones.join(" · ")}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
