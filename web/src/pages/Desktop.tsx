import { useCallback, useEffect, useRef, useState } from "react";
import { AgentState, api, Code, Interaction, logout, Me, ScreenPop as Pop, token } from "../api";
import { EventStream, HotlineEvent } from "../events";
import { translateId, type Lang, type T } from "../i18n";
import { EMPTY_BOOK, loadNames, NameBook, nameOf, Namer } from "../names";
import { StateBar } from "../components/StateBar";
import { ScreenPop } from "../components/ScreenPop";
import { CallControls } from "../components/CallControls";
import { WrapUp } from "../components/WrapUp";
import { CustomerSearch } from "../components/CustomerSearch";
import { Softphone, SoftphoneHandle } from "../components/Softphone";

/** The agent desktop: state, the call in front of them, wrap-up, search. */
export function DesktopPage(props: { t: T; lang: Lang; brand: string; me: Me; onToggleLang: () => void; onLoggedOut: () => void }) {
  const { t, me, lang } = props;
  const agentId = me.agent_id;
  const [state, setState] = useState<AgentState | null>(null);
  const [since, setSince] = useState(Date.now());
  const [reasons, setReasons] = useState<Code[]>([]);
  const [codes, setCodes] = useState<Code[]>([]);
  const [book, setBook] = useState<NameBook>(EMPTY_BOOK);
  const [pop, setPop] = useState<Pop | null>(null);
  const [wrapUp, setWrapUp] = useState<Interaction | null>(null);
  const [connected, setConnected] = useState(false);
  const [now, setNow] = useState(Date.now());
  const [finishedContact, setFinishedContact] = useState<string | null>(null);
  // The contact on hold, and the one a supervisor monitors (when shown).
  const [held, setHeld] = useState<string | null>(null);
  const [monitored, setMonitored] = useState<string | null>(null);
  const phone = useRef<SoftphoneHandle>(null);
  const label = useRef("");
  // Contacts that ended: a screen pop that arrives after the end is dropped.
  const finished = useRef(new Set<string>());

  const loadState = useCallback(async () => {
    if (!agentId) return;
    const s = await api<AgentState>("GET", `/agents/${agentId}/state`);
    const l = `${s.status}/${s.state}/${s.reason ?? ""}`;
    if (l !== label.current) {
      label.current = l;
      setSince(Date.now());
    }
    setState(s);
  }, [agentId]);

  const showPop = useCallback(async (contactId: string) => {
    try {
      const p = await api<Pop>("GET", `/interactions/${contactId}/screen-pop`);
      if (!finished.current.has(contactId)) setPop(p);
    } catch {
      // the contact may be gone already
    }
  }, []);

  useEffect(() => {
    void loadState();
    void api<Code[]>("GET", "/reason-codes").then(setReasons).catch(() => {});
    void api<Code[]>("GET", "/wrap-up-codes").then(setCodes).catch(() => {});
    void loadNames().then(setBook);
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [loadState]);

  useEffect(() => {
    const tk = token();
    if (!tk) return;
    const onEvent = (e: HotlineEvent) => {
      if (e.agent_id !== agentId) return;
      switch (e.type) {
        case "agent_state":
          void loadState();
          break;
        case "contact_offered":
          setWrapUp(null);
          setPop(null);
          void showPop(String(e.contact_id));
          void loadState();
          break;
        case "offer_ended":
          if (e.end !== "accepted") setPop((p) => (p && p.interaction.id === e.contact_id ? null : p));
          void loadState();
          break;
        case "contact_answered":
          void showPop(String(e.contact_id));
          void loadState();
          break;
        case "call_held":
          setHeld(e.held === true ? String(e.contact_id) : null);
          break;
        case "call_monitored":
          setMonitored(typeof e.mode === "string" ? String(e.contact_id) : null);
          break;
        case "contact_finished":
          finished.current.add(String(e.contact_id));
          setFinishedContact(String(e.contact_id));
          // The caller stays in view (marked ended) until wrap-up ends.
          void api<Interaction>("GET", `/interactions/${String(e.contact_id)}`).then(setWrapUp).catch(() => {});
          void loadState();
          break;
      }
    };
    const stream = new EventStream(tk, onEvent, setConnected);
    stream.start();
    return () => stream.stop();
  }, [agentId, loadState, showPop]);

  // A reload in the middle of a call or an offer shows it again.
  useEffect(() => {
    if (!state || (state.state !== "reserved" && state.state !== "busy")) return;
    const contact = state.offer?.contact_id ?? state.active[0];
    if (contact && (!pop || pop.interaction.id !== contact)) void showPop(contact);
  }, [state, pop, showPop]);

  // A voice contact ringing this agent: the softphone offers to answer it.
  const offered = state?.state === "reserved" ? state.offer?.contact_id ?? null : null;
  const voiceOffer = offered && pop && pop.interaction.id === offered && pop.interaction.channel === "voice" ? offered : null;

  const signOut = async () => {
    await phone.current?.signOut();
    await logout();
    props.onLoggedOut();
  };

  // Configured names in the user's language; system reasons from the dictionary.
  const name: Namer = (kind, id) => (kind === "reason" ? translateId(lang, `reason_${id}`) : undefined) ?? nameOf(book, kind, id, lang);
  const popEnded = pop !== null && finished.current.has(pop.interaction.id);
  const talking = pop !== null && !popEnded && state?.state === "busy" && pop.interaction.channel === "voice" && pop.interaction.answered_at != null;

  const setStatus = async (body: { state: string; reason?: string }) => {
    if (!agentId) return;
    setState(await api<AgentState>("PUT", `/agents/${agentId}/state`, body));
    void loadState();
  };

  return (
    <div className="desk">
      <header className="top">
        <span className="brand">{props.brand}</span>
        <span className="who">
          {me.display_name} {state && <span className="muted">· {state.extension}</span>}
        </span>
        <span className={`conn ${connected ? "up" : "down"}`} title={t("connection")}>
          {connected ? t("connected") : t("reconnecting")}
        </span>
        {me.roles.includes("admin") && <a className="link" href="/users">{t("users")}</a>}
        <a className="link" href="/security">{t("security")}</a>
        <button type="button" className="link" onClick={props.onToggleLang}>{t("language")}</button>
        <button type="button" className="link" onClick={() => void signOut()}>{t("logout")}</button>
      </header>
      {state && (
        <StateBar
          t={t}
          state={state}
          since={since}
          reasons={reasons}
          name={name}
          onAvailable={() => void setStatus({ state: "available" })}
          onNotReady={(reason) => void setStatus({ state: "not_ready", reason })}
          onEndWrapUp={() => void api("POST", `/agents/${agentId}/wrap-up/end`).then(loadState)}
        />
      )}
      <main className="work">
        <div className="work-main">
          {pop ? (
            <>
              <ScreenPop t={t} lang={lang} name={name} pop={pop} ringing={state?.state === "reserved"} ended={popEnded} now={popEnded ? (pop.interaction.answered_at ?? now) : now} />
              {talking && (
                <CallControls t={t} contact={pop.interaction.id} held={held === pop.interaction.id} monitored={monitored === pop.interaction.id ? monitored : null}
                  queueName={(id) => name("queue", id)}
                  onChanged={(h) => setHeld(h ? pop.interaction.id : null)} />
              )}
            </>
          ) : (
            <p className="idle-note muted">{t("noCall")}</p>
          )}
          {wrapUp && (
            <WrapUp
              t={t}
              name={name}
              interaction={wrapUp}
              codes={codes}
              onSaved={(i) => {
                setWrapUp(i);
                if (popEnded) setPop(null);
              }}
            />
          )}
        </div>
        <aside className="work-side">
          {agentId && <Softphone ref={phone} t={t} offer={voiceOffer} finished={finishedContact} />}
          <CustomerSearch t={t} lang={lang} name={name} />
        </aside>
      </main>
    </div>
  );
}
