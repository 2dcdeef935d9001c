import { Card, Col, Descriptions, List, Row, Space, Tag, Typography } from "antd";
import { ScreenPop as Pop } from "../api";
import { clock, translateId, type Lang, type T } from "../i18n";
import type { Namer } from "../names";
import { InteractionLine } from "./InteractionLine";

/** IVR variables an agent has no use for: the customer record (shown
 * beside), the numbers (in the header), internal ids. */
function internal(key: string, value: string): boolean {
  return key.startsWith("customer.") || key === "caller" || key === "dialled" || /^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(value);
}

/** Who is calling: the caller (masked per role), the number dialled, queue,
 * wait, profile, what the caller told the IVR, history. It stays through
 * wrap-up, marked as ended, so the agent sees whose call they close. */
export function ScreenPop(props: { t: T; lang: Lang; name: Namer; pop: Pop; ringing: boolean; ended: boolean; now: number }) {
  const { t, pop, lang } = props;
  const i = pop.interaction;
  const c = pop.customer;
  const ivr = Object.entries(i.ivr ?? {}).filter(([k, v]) => !internal(k, v));
  const dialled = i.ivr?.dialled ?? i.to;
  const ivrLabel = (k: string) => translateId(lang, `ivr_${k}`) ?? k;
  const ivrValue = (k: string, v: string) => (k === "lang" ? (translateId(lang, `lang_${v}`) ?? v) : v);
  return (
    <Card
      size="small"
      className={`screen-pop ${props.ringing ? "ringing" : ""} ${props.ended ? "ended" : ""}`}
      data-testid="screen-pop"
      title={
        <Space wrap size="middle">
          <Tag color={props.ended ? "default" : props.ringing ? "orange" : "blue"} className="pop-kind">{props.ended ? t("callEndedPop") : props.ringing ? t("incoming") : t("busy")}</Tag>
          <span className="pop-number" data-testid="pop-number">{i.from ?? "—"}</span>
          {dialled && <Typography.Text type="secondary" className="pop-dialled">{t("dialled")}: {dialled}</Typography.Text>}
          <Typography.Text type="secondary" className="pop-queue">{t("queue")}: {i.queue_id ? props.name("queue", i.queue_id) : "—"}</Typography.Text>
          <Typography.Text type="secondary" className="pop-waited">{t("waited")}: {clock((i.answered_at ?? props.now) - i.arrived_at)}</Typography.Text>
        </Space>
      }
    >
      <Row gutter={16}>
        <Col span={8} className="pop-customer">
          <Typography.Text strong>{t("customer")}</Typography.Text>
          {c ? (
            <div>
              <Typography.Title level={5} style={{ margin: "4px 0" }}>{c.name}</Typography.Title>
              <div>
                {c.tier >= 3 && <Tag color="gold" className="badge vip">{t("vip")}</Tag>}
                {c.tags.map((tag) => <Tag key={tag} className="badge">{tag}</Tag>)}
              </div>
              <Typography.Text type="secondary">{c.phones.join(" · ")}</Typography.Text>
            </div>
          ) : (
            <Typography.Paragraph type="secondary">{t("unknownCustomer")}</Typography.Paragraph>
          )}
        </Col>
        <Col span={8} className="pop-ivr">
          <Typography.Text strong>{t("ivrInputs")}</Typography.Text>
          {ivr.length === 0 ? (
            <Typography.Paragraph type="secondary">—</Typography.Paragraph>
          ) : (
            <Descriptions size="small" column={1} items={ivr.map(([k, v]) => ({ key: k, label: ivrLabel(k), children: ivrValue(k, v) }))} />
          )}
        </Col>
        <Col span={8} className="pop-history">
          <Typography.Text strong>{t("recentInteractions")}</Typography.Text>
          {pop.recent.length === 0 ? (
            <Typography.Paragraph type="secondary">{t("noInteractions")}</Typography.Paragraph>
          ) : (
            <List size="small" dataSource={pop.recent} renderItem={(r) => <List.Item><InteractionLine lang={lang} name={props.name} i={r} /></List.Item>} />
          )}
        </Col>
      </Row>
    </Card>
  );
}
