import { useState } from "react";
import { Button, Card, Form, Input, Select, Typography } from "antd";
import { api, Code, Interaction } from "../api";
import type { T } from "../i18n";
import type { Namer } from "../names";

/** After a call: a wrap-up code and notes saved on the interaction. */
export function WrapUp(props: { t: T; name: Namer; interaction: Interaction; codes: Code[]; onSaved: (i: Interaction) => void }) {
  const { t } = props;
  const [code, setCode] = useState<string | undefined>(props.interaction.wrap_up_code ?? undefined);
  const [notes, setNotes] = useState(props.interaction.notes ?? "");
  // Saved, or the server's error (translated when shown, not when set).
  const [status, setStatus] = useState<{ saved: true } | { error: string } | null>(null);

  const save = async () => {
    try {
      const saved = await api<Interaction>("PATCH", `/interactions/${props.interaction.id}`, { wrap_up_code: code ?? null, notes });
      setStatus({ saved: true });
      props.onSaved(saved);
    } catch (err) {
      setStatus({ error: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <Card size="small" className="wrap-up" data-testid="wrap-up" title={t("wrapUp")}>
      <Form layout="vertical" onFinish={() => void save()}>
        <Form.Item label={t("wrapUpCode")} htmlFor="wrap_up_code">
          <Select id="wrap_up_code" value={code} onChange={setCode} options={props.codes.map((c) => ({ value: c.id, label: props.name("wrap_up", c.id) }))} />
        </Form.Item>
        <Form.Item label={t("notes")}>
          <Input.TextArea name="notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" disabled={!code}>{t("save")}</Button>{" "}
        {status && (
          <Typography.Text className="status" role="status" type={"saved" in status ? "success" : "danger"}>
            {"saved" in status ? t("saved") : status.error}
          </Typography.Text>
        )}
      </Form>
    </Card>
  );
}
