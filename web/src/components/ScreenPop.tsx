import { ScreenPop as Pop } from "../api";
import { clock, type T } from "../i18n";

/** Who is calling: the caller (masked per role), queue, wait, profile, IVR inputs, history. */
export function ScreenPop(props: { t: T; pop: Pop; ringing: boolean; now: number }) {
  const { t, pop } = props;
  const i = pop.interaction;
  const c = pop.customer;
  const ivr = Object.entries(i.ivr ?? {});
  return (
    <section className={`screen-pop ${props.ringing ? "ringing" : ""}`} data-testid="screen-pop">
      <header>
        <span className="pop-kind">{props.ringing ? t("incoming") : t("busy")}</span>
        <span className="pop-number" data-testid="pop-number">{i.from ?? "—"}</span>
        <span className="pop-queue">{t("queue")}: {i.queue_id ?? "—"}</span>
        <span className="pop-waited">{t("waited")}: {clock((i.answered_at ?? props.now) - i.arrived_at)}</span>
      </header>
      <div className="pop-body">
        <div className="pop-customer">
          <h3>{t("customer")}</h3>
          {c ? (
            <dl>
              <dt>{c.name}</dt>
              <dd>
                {c.tier >= 3 && <span className="badge vip">{t("vip")}</span>}
                {c.tags.map((tag) => (
                  <span key={tag} className="badge">{tag}</span>
                ))}
              </dd>
              <dd className="muted">{c.phones.join(" · ")}</dd>
            </dl>
          ) : (
            <p className="muted">{t("unknownCustomer")}</p>
          )}
        </div>
        <div className="pop-ivr">
          <h3>{t("ivrInputs")}</h3>
          {ivr.length === 0 ? (
            <p className="muted">—</p>
          ) : (
            <table>
              <tbody>
                {ivr.map(([k, v]) => (
                  <tr key={k}>
                    <th>{k}</th>
                    <td>{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
        <div className="pop-history">
          <h3>{t("recentInteractions")}</h3>
          {pop.recent.length === 0 ? (
            <p className="muted">{t("noInteractions")}</p>
          ) : (
            <ul>
              {pop.recent.map((r) => (
                <li key={r.id}>
                  <span>{new Date(r.arrived_at).toLocaleString()}</span> <span>{r.queue_id}</span> <span>{r.outcome ?? "—"}</span>{" "}
                  <span className="muted">{r.wrap_up_code ?? ""}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
