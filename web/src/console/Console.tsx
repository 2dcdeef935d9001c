import type { ReactNode } from "react";
import { Button, Layout, Menu, Space, Typography } from "antd";
import type { Me } from "../api";
import type { Lang, T } from "../i18n";
import { navFor } from "./nav";

/** The console's frame for every role's pages but the agent desktop: the
 * navigation the role may open, who is signed in, the language switch, and
 * the page. */
export function Console(props: {
  t: T;
  lang: Lang;
  me: Me;
  /** The center's name. */
  brand: string;
  title: string;
  testId: string;
  onToggleLang: () => void;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const { t, me } = props;
  const here = window.location.pathname;
  const items = navFor(me).map((n) => ({ key: n.path, label: <a href={n.path}>{t(n.label)}</a> }));
  return (
        <Layout style={{ minHeight: "100vh" }}>
          <Layout.Sider width={200} theme="light" breakpoint="md" collapsedWidth={0}>
            <div className="console-brand">{props.brand}</div>
            <Menu mode="inline" selectedKeys={[here]} items={items} />
          </Layout.Sider>
          <Layout>
            <Layout.Header className="console-header">
              <Typography.Text type="secondary">{t("console")}</Typography.Text>
              <Space>
                <span data-testid="who">{me.display_name}</span>
                <Button type="link" onClick={props.onToggleLang}>{t("language")}</Button>
                <Button type="link" onClick={props.onSignOut}>{t("logout")}</Button>
              </Space>
            </Layout.Header>
            <Layout.Content className="console-content" data-testid={props.testId}>
              <Typography.Title level={3}>{props.title}</Typography.Title>
              {props.children}
            </Layout.Content>
          </Layout>
        </Layout>
  );
}
