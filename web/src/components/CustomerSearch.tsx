import { FormEvent, useState } from "react";
import { api, Customer, Interaction } from "../api";
import type { Lang, T } from "../i18n";
import type { Namer } from "../names";
import { InteractionLine } from "./InteractionLine";

interface CustomerPage {
  customer: Customer;
  interactions: Interaction[];
}

/** Find a customer by phone or name, and open their page with the history. */
export function CustomerSearch(props: { t: T; lang: Lang; name: Namer }) {
  const { t } = props;
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Customer[] | null>(null);
  const [page, setPage] = useState<CustomerPage | null>(null);
  const search = async (e: FormEvent) => {
    e.preventDefault();
    setPage(null);
    setFound(await api<Customer[]>("GET", `/customers?q=${encodeURIComponent(q.trim())}&limit=10`));
  };
  const open = async (id: string) => setPage(await api<CustomerPage>("GET", `/customers/${id}`));
  return (
    <section className="customer-search">
      <form onSubmit={search}>
        <input aria-label={t("search")} placeholder={t("searchPlaceholder")} value={q} onChange={(e) => setQ(e.target.value)} />
        <button type="submit">{t("search")}</button>
      </form>
      {found && found.length === 0 && <p className="muted">{t("noResults")}</p>}
      {found && found.length > 0 && !page && (
        <ul>
          {found.map((c) => (
            <li key={c.id}>
              <button type="button" className="link" onClick={() => void open(c.id)}>{c.name}</button>{" "}
              {c.tier >= 3 && <span className="badge vip">{t("vip")}</span>} <span className="muted">{c.phones.join(" · ")}</span>
            </li>
          ))}
        </ul>
      )}
      {page && (
        <div className="customer-page" data-testid="customer-page">
          <h3>
            {page.customer.name} {page.customer.tier >= 3 && <span className="badge vip">{t("vip")}</span>}
          </h3>
          <p className="muted">{page.customer.phones.join(" · ")}</p>
          <p>{page.customer.tags.map((tag) => <span key={tag} className="badge">{tag}</span>)}</p>
          <h4>{t("recentInteractions")}</h4>
          {page.interactions.length === 0 ? (
            <p className="muted">{t("noInteractions")}</p>
          ) : (
            <ul className="history">
              {page.interactions.map((i) => (
                <li key={i.id}>
                  <InteractionLine lang={props.lang} name={props.name} i={i} channel />
                  {i.notes && <div className="muted">{i.notes}</div>}
                </li>
              ))}
            </ul>
          )}
          <button type="button" className="link" onClick={() => setPage(null)}>←</button>
        </div>
      )}
    </section>
  );
}
