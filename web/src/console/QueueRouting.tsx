import { Button, Card, Checkbox, Form, Input, InputNumber, Select, Space, Typography } from "antd";
import type { T } from "../i18n";

/** The queue editor's routing steps: per step, the skills (with minimum
 * levels) an agent needs, how much to relax the caller's own requirements,
 * and how long the step lasts before the next one widens the search. */
export function RoutingSteps(props: { t: T; skills: { value: string; label: string }[] }) {
  const { t } = props;
  return (
    <>
      <Typography.Paragraph type="secondary">{t("stepsHelp")}</Typography.Paragraph>
      <Form.List name="steps">
        {(steps, { add, remove }) => (
          <>
            {steps.map((step, i) => (
              <Card key={step.key} size="small" style={{ marginBottom: 12 }} data-testid={`step-${i}`}
                title={`${t("step")} ${i + 1}`} extra={<Button type="link" danger onClick={() => remove(step.name)}>×</Button>}>
                <Typography.Text>{t("stepSkills")}</Typography.Text>
                <Form.List name={[step.name, "skills"]}>
                  {(reqs, { add: addReq, remove: removeReq }) => (
                    <>
                      {reqs.map((r) => (
                        <Space key={r.key} align="baseline">
                          <Form.Item name={[r.name, "skill"]} rules={[{ required: true }]}><Select style={{ width: 160 }} options={props.skills} /></Form.Item>
                          <Form.Item name={[r.name, "min_level"]} rules={[{ required: true }]}><InputNumber min={1} max={10} placeholder={t("minLevel")} /></Form.Item>
                          <Button type="link" danger onClick={() => removeReq(r.name)}>×</Button>
                        </Space>
                      ))}
                      <div><Button size="small" onClick={() => addReq({ skill: props.skills[0]?.value, min_level: 1 })}>{t("addRequirement")}</Button></div>
                    </>
                  )}
                </Form.List>
                <Space wrap style={{ marginTop: 8 }}>
                  <Form.Item name={[step.name, "relax_contact_levels"]} label={t("relaxLevels")}><InputNumber min={0} max={9} /></Form.Item>
                  <Form.Item name={[step.name, "timeout_secs"]} label={t("stepTimeout")}><InputNumber min={1} max={86400} /></Form.Item>
                  <Form.Item name={[step.name, "drop_contact_skills"]} valuePropName="checked"><Checkbox>{t("dropContactSkills")}</Checkbox></Form.Item>
                </Space>
              </Card>
            ))}
            <Button onClick={() => add({ skills: [], relax_contact_levels: 0, drop_contact_skills: false, timeout_secs: null })}>{t("addStep")}</Button>
          </>
        )}
      </Form.List>
    </>
  );
}

/** What callers hear and may do while they wait, and after the call. */
export function CallerExperience(props: { t: T; prompts: string[]; flows: string[] }) {
  const { t } = props;
  const ce = (f: string) => ["caller_experience", f];
  return (
    <>
      <Form.Item name={ce("music_on_hold")} label={t("musicOnHold")}>
        <Select showSearch options={[...new Set(["moh", ...props.prompts])].map((p) => ({ value: p, label: p }))} />
      </Form.Item>
      <Space wrap>
        <Form.Item name={ce("announce_every_secs")} label={t("announceEvery")}><InputNumber min={10} max={600} /></Form.Item>
        <Form.Item name={ce("callback_after_secs")} label={t("callbackAfter")}><InputNumber min={10} max={3600} /></Form.Item>
        <Form.Item name={ce("callback_key")} label={t("callbackKey")} rules={[{ pattern: /^[0-9*#]$/ }]}><Input style={{ width: 60 }} /></Form.Item>
      </Space>
      <Form.Item name={ce("comfort_prompt")} label={t("comfortPrompt")}><Input name="comfort_prompt" /></Form.Item>
      <Form.Item name={ce("survey_flow")} label={t("surveyFlow")}>
        <Select allowClear options={props.flows.map((f) => ({ value: f, label: f }))} />
      </Form.Item>
    </>
  );
}
