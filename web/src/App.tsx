import { useCallback, useEffect, useState } from "react";
import { api, Me, token, setToken } from "./api";
import { currentLang, Key, Lang, setLang, T, translate } from "./i18n";
import { LoginPage } from "./pages/Login";
import { DesktopPage } from "./pages/Desktop";
import { CallUsPage } from "./pages/CallUs";
import { SecurityPage } from "./pages/Security";
import { UsersPage } from "./pages/Users";

/** Signs in or shows the desktop; the session survives a reload. */
export function App() {
  const [lang, setLangState] = useState<Lang>(currentLang());
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(true);
  const t: T = useCallback((key: Key) => translate(lang, key), [lang]);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const loadMe = useCallback(async () => {
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

  const toggleLang = () => {
    const next: Lang = lang === "zh-CN" ? "en" : "zh-CN";
    setLang(next);
    setLangState(next);
  };

  // The public click-to-call page needs no account.
  if (window.location.pathname === "/call") return <CallUsPage t={t} onToggleLang={toggleLang} />;
  if (checking) return null;
  if (!me) return <LoginPage t={t} onToggleLang={toggleLang} onLoggedIn={loadMe} />;
  if (window.location.pathname === "/users" && me.roles.includes("admin")) return <UsersPage t={t} me={me} onToggleLang={toggleLang} />;
  if (window.location.pathname === "/security") return <SecurityPage t={t} me={me} onToggleLang={toggleLang} />;
  return <DesktopPage t={t} me={me} onToggleLang={toggleLang} onLoggedOut={() => setMe(null)} />;
}
