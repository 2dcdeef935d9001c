import type { ReactNode } from "react";
import { Alert, Button, Card, Layout, Space, Typography } from "antd";
import type { Me } from "../api";
import type { T } from "../i18n";

/** A page beside the desktop and the console (one's own security): the top
 * bar with the way back and the language switch, the title, and the page's
 * last error and notice. */
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
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Header className="console-header">
        <Typography.Text strong>{t("appName")}</Typography.Text>
        <Space>
          <span>{props.me.display_name}</span>
          <Button type="link" href="/">{t("backToDesk")}</Button>
          <Button type="link" onClick={props.onToggleLang}>{t("language")}</Button>
        </Space>
      </Layout.Header>
      <Layout.Content className="console-content">
        <Card className="security" data-testid={props.testId}>
          <Typography.Title level={2}>{props.title}</Typography.Title>
          {props.error && <Alert type="error" showIcon title={props.error} style={{ marginBottom: 12 }} />}
          {props.message && <Alert type="success" showIcon role="status" title={props.message} style={{ marginBottom: 12 }} />}
          {props.children}
        </Card>
      </Layout.Content>
    </Layout>
  );
}
