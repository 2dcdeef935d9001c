import { FormEvent, useState } from "react";
import { api, Code, Interaction } from "../api";
import type { T } from "../i18n";
import type { Namer } from "../names";

/** After a call: a wrap-up code and notes saved on the interaction. */
export function WrapUp(props: { t: T; name: Namer; interaction: Interaction; codes: Code[]; onSaved: (i: Interaction) => void }) {
  const { t } = props;
  const [code, setCode] = useState(props.interaction.wrap_up_code ?? "");
  const [notes, setNotes] = useState(props.interaction.notes ?? "");
  // Saved, or the server's error (translated when shown, not when set).
  const [status, setStatus] = useState<{ saved: true } | { error: string } | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const saved = await api<Interaction>("PATCH", `/interactions/${props.interaction.id}`, { wrap_up_code: code || null, notes });
      setStatus({ saved: true });
      props.onSaved(saved);
    } catch (err) {
      setStatus({ error: err instanceof Error ? err.message : String(err) });
    }
  };

  return (
    <form className="wrap-up" onSubmit={save} data-testid="wrap-up">
      <h3>{t("wrapUp")}</h3>
      <label>
        {t("wrapUpCode")}
        <select name="wrap_up_code" value={code} onChange={(e) => setCode(e.target.value)}>
          <option value="">—</option>
          {props.codes.map((c) => (
            <option key={c.id} value={c.id}>{props.name("wrap_up", c.id)}</option>
          ))}
        </select>
      </label>
      <label>
        {t("notes")}
        <textarea name="notes" rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} maxLength={2000} />
      </label>
      <button type="submit" disabled={!code}>{t("save")}</button>
      {status && <span className="status" role="status">{"saved" in status ? t("saved") : status.error}</span>}
    </form>
  );
}
