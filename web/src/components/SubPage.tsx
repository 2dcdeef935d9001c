import type { ReactNode } from "react";
import type { Me } from "../api";
import type { T } from "../i18n";

/** A page beside the desktop (one's security, an admin's users): the top
 * bar with the way back and the language switch, the title, and the
 * page's last error and notice. */
export function SubPage(props: {
  t: T;
  me: Me;
  onToggleLang: () => void;
  title: string;
  testId: string;
  error: string | null;
  message: string | null;
  children: ReactNode;
}) {
  const { t } = props;
  return (
    <div className="desk">
      <header className="top">
        <span className="brand">{t("appName")}</span>
        <span className="who">{props.me.display_name}</span>
        <a className="link" href="/">{t("backToDesk")}</a>
        <button type="button" className="link" onClick={props.onToggleLang}>{t("language")}</button>
      </header>
      <main className="security" data-testid={props.testId}>
        <h2>{props.title}</h2>
        {props.error && <p className="error" role="alert">{props.error}</p>}
        {props.message && <p className="notice" role="status">{props.message}</p>}
        {props.children}
      </main>
    </div>
  );
}
