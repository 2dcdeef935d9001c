import { useEffect, useState } from "react";
import { Typography } from "antd";
import type { Lang, T } from "../i18n";
import { WallboardPage } from "./WallboardPage";

/** The wallboard on a screen on the wall: full screen, larger type, no
 * menu and nothing to click (its read-only token could not act anyway). */
export function TvPage(props: { t: T; lang: Lang; brand: string }) {
  const [now, setNow] = useState(new Date());
  useEffect(() => {
    const tick = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(tick);
  }, []);
  return (
    <div className="tv" data-testid="tv-page">
      <header className="tv-head">
        <Typography.Title level={2} style={{ margin: 0, color: "#fff" }}>{props.brand}</Typography.Title>
        <span className="tv-clock">{now.toLocaleTimeString(props.lang)}</span>
      </header>
      <WallboardPage t={props.t} lang={props.lang} tv />
    </div>
  );
}
