import { useCallback, useEffect, useState } from "react";
import { Button, Card, Input, List, Popconfirm, Space, Tag, Typography } from "antd";
import { api } from "../api";
import type { T } from "../i18n";

interface Display {
  id: string;
  name: string;
  enabled: boolean;
  created_at: number;
}

/** Wall displays: a read-only link for a screen on the wall (shown once),
 * and revoking one. */
export function DisplaysCard(props: { t: T }) {
  const { t } = props;
  const [displays, setDisplays] = useState<Display[]>([]);
  const [name, setName] = useState("");
  const [link, setLink] = useState<string | null>(null);
  const load = useCallback(() => void api<Display[]>("GET", "/displays").then(setDisplays).catch(() => {}), []);
  useEffect(load, [load]);
  const create = async () => {
    const r = await api<{ path: string }>("POST", "/displays", { name: name.trim() });
    setLink(window.location.origin + r.path);
    setName("");
    load();
  };
  return (
    <Card size="small" title={t("tvDisplays")} data-testid="displays">
      <Space.Compact style={{ width: 420 }}>
        <Input placeholder={t("tvName")} value={name} onChange={(e) => setName(e.target.value)} data-testid="display-name" />
        <Button type="primary" disabled={!name.trim()} onClick={() => void create()} data-testid="display-create">{t("tvCreate")}</Button>
      </Space.Compact>
      {link && (
        <Typography.Paragraph copyable={{ text: link }} style={{ marginTop: 8 }} data-testid="display-link">
          {t("tvLinkOnce")} <Typography.Text code>{link}</Typography.Text>
        </Typography.Paragraph>
      )}
      <List size="small" dataSource={displays}
        renderItem={(d) => (
          <List.Item actions={d.enabled ? [
            <Popconfirm key="revoke" title={t("tvRevoke")} onConfirm={() => void api("DELETE", `/displays/${d.id}`).then(load)}>
              <Button size="small" danger>{t("tvRevoke")}</Button>
            </Popconfirm>,
          ] : [<Tag key="off">{t("tvRevoked")}</Tag>]}>
            {d.name} <Typography.Text type="secondary">· {new Date(d.created_at).toLocaleString()}</Typography.Text>
          </List.Item>
        )}
      />
    </Card>
  );
}
