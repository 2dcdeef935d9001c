import { useCallback, useEffect, useState } from "react";
import { api, logout, Me, token, setToken } from "./api";
import { currentLang, Key, Lang, setLang, T, translate } from "./i18n";
import { LoginPage } from "./pages/Login";
import { DesktopPage } from "./pages/Desktop";
import { CallUsPage } from "./pages/CallUs";
import { SecurityPage } from "./pages/Security";
import { Console } from "./console/Console";
import { AntProvider } from "./AntProvider";
import { homeOf, mayOpen } from "./console/nav";
import { QueuesPage } from "./console/QueuesPage";
import { AuditPage } from "./console/AuditPage";
import { ImportAgentsPage } from "./console/ImportAgentsPage";
import { FlowDesignerPage } from "./designer/FlowDesigner";
import { AgentsPage } from "./console/AgentsPage";
import { CodesPage } from "./console/CodesPage";
import { PromptsPage } from "./console/PromptsPage";
import { NumbersPage } from "./console/NumbersPage";
import { UsersPage } from "./console/UsersPage";
import { CalendarsPage } from "./console/CalendarsPage";
import { SettingsPage } from "./console/SettingsPage";
import { WallboardPage } from "./console/WallboardPage";
import { TvPage } from "./console/TvPage";

/** Signs in, then shows the signed-in role's pages; the session survives a reload. */
export function App() {
  const [lang, setLangState] = useState<Lang>(currentLang());
  return (
    <AntProvider lang={lang}>
      <Pages lang={lang} setLangState={setLangState} />
    </AntProvider>
  );
}

function Pages(props: { lang: Lang; setLangState: (l: Lang) => void }) {
  const { lang, setLangState } = props;
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const t: T = useCallback((key: Key) => translate(lang, key), [lang]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const loadMe = useCallback(async () => {
    // A wall display opens /tv#<token>: the token is kept, and dropped from the address.
    if (window.location.pathname === "/tv" && window.location.hash.length > 1) {
      setToken(window.location.hash.slice(1));
      window.history.replaceState(null, "", "/tv");
    }
    if (!token()) {
      setChecking(false);
      return;
    }
    try {
      setMe(await api<Me>("GET", "/me"));
    } catch {
      setToken(null);
      setMe(null);
    } finally {
      setChecking(false);
    }
  }, []);

  useEffect(() => {
    void loadMe();
  }, [loadMe]);

  // The center's name, and its default language for a browser that has
  // not chosen one.
  const [centerName, setCenterName] = useState<string | null>(null);
  useEffect(() => {
    if (!me) return;
    void api<{ center_name: string; default_language: Lang }>("GET", "/settings")
      .then((s) => {
        setCenterName(s.center_name);
        if (!localStorage.getItem("hotline.lang") && s.default_language !== lang) setLangState(s.default_language);
      })
      .catch(() => {});
    // (Once per sign-in.)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [me]);

  const toggleLang = () => {
    const next: Lang = lang === "zh-CN" ? "en" : "zh-CN";
    setLang(next);
    setLangState(next);
  };

  // The public click-to-call page needs no account.
  if (window.location.pathname === "/call") return <CallUsPage t={t} onToggleLang={toggleLang} />;
  if (checking) return null;
  if (!me) return <LoginPage t={t} onToggleLang={toggleLang} onLoggedIn={loadMe} />;
  // Each role lands on its home; a page the role may not open is not shown.
  if (window.location.pathname === "/" && homeOf(me) !== "/") window.history.replaceState(null, "", homeOf(me));
  const path = window.location.pathname;
  if (!mayOpen(me, path)) window.history.replaceState(null, "", homeOf(me));
  if (path === "/security") return <SecurityPage t={t} me={me} onToggleLang={toggleLang} />;
  if (path === "/tv" && me.roles.includes("display")) return <TvPage t={t} lang={lang} brand={centerName ?? t("appName")} />;
  const consolePages: Record<string, [Key, string, () => React.ReactNode]> = {
    "/users": ["users", "users", () => <UsersPage t={t} me={me} />],
    "/supervisor": ["navWallboard", "wallboard-page", () => <WallboardPage t={t} lang={lang} />],
    "/admin/queues": ["navQueues", "queues-page", () => <QueuesPage t={t} me={me} />],
    "/admin/audit": ["navAudit", "audit-page", () => <AuditPage t={t} />],
    "/admin/agents/import": ["navImport", "import-page", () => <ImportAgentsPage t={t} />],
    "/admin/agents": ["navAgents", "agents-page", () => <AgentsPage t={t} lang={lang} me={me} />],
    "/admin/codes": ["navCodes", "codes-page", () => <CodesPage t={t} />],
    "/admin/prompts": ["navPrompts", "prompts-page", () => <PromptsPage t={t} me={me} />],
    "/admin/numbers": ["navNumbers", "numbers-page", () => <NumbersPage t={t} />],
    "/admin/calendars": ["navCalendars", "calendars-page", () => <CalendarsPage t={t} me={me} />],
    "/admin/settings": ["navSettings", "settings-page", () => <SettingsPage t={t} />],
    "/admin/ivr": ["navIvr", "designer-page", () => <FlowDesignerPage lang={lang} />],
  };
  const page = consolePages[window.location.pathname];
  if (page) {
    const signOut = async () => {
      await logout();
      setMe(null);
      window.history.replaceState(null, "", "/");
    };
    return (
      <Console t={t} lang={lang} me={me} brand={centerName ?? t("appName")} title={t(page[0])} testId={page[1]} onToggleLang={toggleLang} onSignOut={() => void signOut()}>
        {page[2]()}
      </Console>
    );
  }
  return <DesktopPage t={t} lang={lang} brand={centerName ?? t("appName")} me={me} onToggleLang={toggleLang} onLoggedOut={() => setMe(null)} />;
}
