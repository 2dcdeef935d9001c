import { ScreenPop as Pop } from "../api";
import { clock, translateId, type Lang, type T } from "../i18n";
import type { Namer } from "../names";
import { InteractionLine } from "./InteractionLine";

/** IVR variables an agent has no use for: the customer record (shown
 * beside), the numbers (in the header), internal ids. */
function internal(key: string, value: string): boolean {
  return key.startsWith("customer.") || key === "caller" || key === "dialled" || /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value);
}

/** Who is calling: the caller (masked per role), the number dialled, queue,
 * wait, profile, what the caller told the IVR, history. It stays through
 * wrap-up, marked as ended, so the agent sees whose call they close. */
export function ScreenPop(props: { t: T; lang: Lang; name: Namer; pop: Pop; ringing: boolean; ended: boolean; now: number }) {
  const { t, pop, lang } = props;
  const i = pop.interaction;
  const c = pop.customer;
  const ivr = Object.entries(i.ivr ?? {}).filter(([k, v]) => !internal(k, v));
  const dialled = i.ivr?.dialled ?? i.to;
  const ivrLabel = (k: string) => translateId(lang, `ivr_${k}`) ?? k;
  const ivrValue = (k: string, v: string) => (k === "lang" ? (translateId(lang, `lang_${v}`) ?? v) : v);
  return (
    <section className={`screen-pop ${props.ringing ? "ringing" : ""} ${props.ended ? "ended" : ""}`} data-testid="screen-pop">
      <header>
        <span className="pop-kind">{props.ended ? t("callEndedPop") : props.ringing ? t("incoming") : t("busy")}</span>
        <span className="pop-number" data-testid="pop-number">{i.from ?? "—"}</span>
        {dialled && <span className="pop-dialled">{t("dialled")}: {dialled}</span>}
        <span className="pop-queue">{t("queue")}: {i.queue_id ? props.name("queue", i.queue_id) : "—"}</span>
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
                    <th>{ivrLabel(k)}</th>
                    <td>{ivrValue(k, v)}</td>
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
                  <InteractionLine lang={lang} name={props.name} i={r} />
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}
