import { useState } from "react";
import { Button, Card, Input, List, Tag, Typography } from "antd";
import { api, Customer, Interaction } from "../api";
import type { Lang, T } from "../i18n";
import type { Namer } from "../names";
import { InteractionLine } from "./InteractionLine";

interface CustomerPage {
  customer: Customer;
  interactions: Interaction[];
}

/** Find a customer by phone or name, and open their page with the history. */
export function CustomerSearch(props: { t: T; lang: Lang; name: Namer }) {
  const { t } = props;
  const [q, setQ] = useState("");
  const [found, setFound] = useState<Customer[] | null>(null);
  const [page, setPage] = useState<CustomerPage | null>(null);
  const search = async () => {
    setPage(null);
    setFound(await api<Customer[]>("GET", `/customers?q=${encodeURIComponent(q.trim())}&limit=10`));
  };
  const open = async (id: string) => setPage(await api<CustomerPage>("GET", `/customers/${id}`));
  return (
    <Card size="small" className="customer-search">
      <Input.Search
        aria-label={t("search")}
        placeholder={t("searchPlaceholder")}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        enterButton={<Button aria-label={t("search")}>{t("search")}</Button>}
        onSearch={() => void search()}
      />
      {found && found.length === 0 && <Typography.Paragraph type="secondary">{t("noResults")}</Typography.Paragraph>}
      {found && found.length > 0 && !page && (
        <List
          size="small"
          dataSource={found}
          renderItem={(c) => (
            <List.Item>
              <Button type="link" onClick={() => void open(c.id)}>{c.name}</Button>
              {c.tier >= 3 && <Tag color="gold" className="badge vip">{t("vip")}</Tag>} <Typography.Text type="secondary">{c.phones.join(" · ")}</Typography.Text>
            </List.Item>
          )}
        />
      )}
      {page && (
        <div className="customer-page" data-testid="customer-page">
          <Typography.Title level={5}>
            {page.customer.name} {page.customer.tier >= 3 && <Tag color="gold" className="badge vip">{t("vip")}</Tag>}
          </Typography.Title>
          <Typography.Paragraph type="secondary">{page.customer.phones.join(" · ")}</Typography.Paragraph>
          <p>{page.customer.tags.map((tag) => <Tag key={tag} className="badge">{tag}</Tag>)}</p>
          <Typography.Text strong>{t("recentInteractions")}</Typography.Text>
          {page.interactions.length === 0 ? (
            <Typography.Paragraph type="secondary">{t("noInteractions")}</Typography.Paragraph>
          ) : (
            <List
              size="small"
              className="history"
              dataSource={page.interactions}
              renderItem={(i) => (
                <List.Item>
                  <div>
                    <InteractionLine lang={props.lang} name={props.name} i={i} channel />
                    {i.notes && <div className="muted">{i.notes}</div>}
                  </div>
                </List.Item>
              )}
            />
          )}
          <Button type="link" onClick={() => setPage(null)}>←</Button>
        </div>
      )}
    </Card>
  );
}
