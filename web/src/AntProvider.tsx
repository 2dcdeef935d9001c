import type { ReactNode } from "react";
import { App as AntApp, ConfigProvider } from "antd";
import enUS from "antd/locale/en_US";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import type { Lang } from "./i18n";

/** antd for every page, in the user's language (dates, paging, empty
 * states), buttons labelled exactly as written (no space forced between two
 * Chinese characters). */
export function AntProvider(props: { lang: Lang; children: ReactNode }) {
  dayjs.locale(props.lang === "en" ? "en" : "zh-cn");
  return (
    <ConfigProvider locale={props.lang === "en" ? enUS : zhCN} button={{ autoInsertSpace: false }} theme={{ token: { colorPrimary: "#1f6feb", borderRadius: 6 } }}>
      <AntApp>{props.children}</AntApp>
    </ConfigProvider>
  );
}
