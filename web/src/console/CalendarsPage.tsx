import { useCallback, useEffect, useState } from "react";
import { Alert, Button, Card, DatePicker, Form, Input, InputNumber, Select, Space, Tag, TimePicker, Upload, message } from "antd";
import dayjs from "dayjs";
import { ApiError, api, changedFields, getTagged, Me, send, sendTagged } from "../api";
import type { T } from "../i18n";

interface Schedule {
  utc_offset_minutes: number;
  open: { days: number[]; from: string; to: string }[];
  holidays: string[];
  extra_workdays: string[];
  workday_hours_from: number;
}

interface Calendar {
  id: string;
  name: string;
  schedule: Schedule;
}

/** A list of dates (holidays, make-up workdays): tags, a picker to add. */
function Dates(props: { label: string; testId: string; value: string[]; disabled: boolean; onChange: (v: string[]) => void }) {
  return (
    <Form.Item label={props.label}>
      <div data-testid={props.testId}>
        {props.value.map((d) => (
          <Tag key={d} closable={!props.disabled} onClose={() => props.onChange(props.value.filter((x) => x !== d))}>{d}</Tag>
        ))}
        {!props.disabled && (
          <DatePicker size="small" value={null} format="YYYY-MM-DD" onChange={(_, text) => typeof text === "string" && text && props.onChange([...new Set([...props.value, text])].sort())} />
        )}
      </div>
    </Form.Item>
  );
}

/** Business hours and holidays: each calendar's weekly hours, holidays and
 * make-up workdays (Chinese public holidays move working days to weekends),
 * holidays imported from an iCal file; IVR schedule nodes name them. */
export function CalendarsPage(props: { t: T; me: Me }) {
  const { t, me } = props;
  const mayEdit = me.roles.includes("admin");
  const [ids, setIds] = useState<string[]>([]);
  const [id, setId] = useState<string | null>(null);
  const [cal, setCal] = useState<{ data: Calendar; etag: string | null } | null>(null);
  const [stale, setStale] = useState<string | null>(null);
  const [newId, setNewId] = useState("");
  const [toast, holder] = message.useMessage();
  const dayNames = t("dayNames").split(",");

  const loadList = useCallback(async () => {
    const list = await api<Calendar[]>("GET", "/calendars");
    setIds(list.map((c) => c.id));
    setId((cur) => cur ?? list[0]?.id ?? null);
  }, []);
  const load = useCallback(async (which: string) => {
    setStale(null);
    setCal(await getTagged<Calendar>(`/calendars/${which}`));
  }, []);
  useEffect(() => {
    void loadList();
  }, [loadList]);
  useEffect(() => {
    if (id && ids.includes(id)) void load(id);
  }, [id, ids, load]);

  const edit = (f: (s: Schedule) => Schedule) => cal && setCal({ ...cal, data: { ...cal.data, schedule: f(cal.data.schedule) } });
  const save = async () => {
    if (!cal) return;
    try {
      const r = await sendTagged<Calendar>("PUT", `/calendars/${cal.data.id}`, { name: cal.data.name, schedule: cal.data.schedule }, cal.etag);
      setCal(r);
      toast.success(`${t("calendarSaved")}${r.data.name}`);
      await loadList();
    } catch (e) {
      if (e instanceof ApiError && e.code === "precondition_failed") setStale(changedFields(e).map((c) => c.field).join(", ") || t("staleTitle"));
      else toast.error((e as Error).message);
    }
  };
  const create = async () => {
    const blank: Schedule = { utc_offset_minutes: 480, open: [{ days: [1, 2, 3, 4, 5], from: "09:00", to: "18:00" }], holidays: [], extra_workdays: [], workday_hours_from: 1 };
    try {
      await api("PUT", `/calendars/${newId}`, { name: newId, schedule: blank });
      setNewId("");
      await loadList();
      setId(newId);
    } catch (e) {
      toast.error((e as Error).message);
    }
  };
  const importIcs = async (file: File) => {
    if (!cal) return;
    const r = await send("POST", `/calendars/${cal.data.id}/import`, { body: await file.text(), type: "text/calendar" }).catch((e: Error) => {
      toast.error(e.message);
      return null;
    });
    if (!r) return;
    const report = (await r.json()) as { holidays_added: number; workdays_added: number };
    toast.success(t("imported").replace("{h}", String(report.holidays_added)).replace("{w}", String(report.workdays_added)));
    await load(cal.data.id);
  };

  const s = cal?.data.schedule;
  return (
    <Space orientation="vertical" style={{ width: "100%" }}>
      {holder}
      <Space wrap>
        <Select data-testid="calendar-select" value={id ?? undefined} style={{ minWidth: 160 }} onChange={setId} options={ids.map((x) => ({ value: x, label: x }))} />
        {mayEdit && (
          <>
            <Input name="new-calendar" placeholder={t("calendarId")} value={newId} onChange={(e) => setNewId(e.target.value)} style={{ width: 140 }} />
            <Button disabled={!/^[a-z0-9_-]{1,32}$/.test(newId)} onClick={() => void create()}>{t("newCalendar")}</Button>
          </>
        )}
      </Space>
      <Alert type="info" showIcon title={t("usedInFlows")} />
      {stale && <Alert type="warning" showIcon role="alert" title={t("staleTitle")} description={stale} action={<Button size="small" onClick={() => cal && void load(cal.data.id)}>{t("reload")}</Button>} />}
      {cal && s && (
        <Card size="small" data-testid="calendar">
          <Form layout="vertical" disabled={!mayEdit}>
            <Form.Item label={t("calendarName")}>
              <Input name="calendar-name" value={cal.data.name} onChange={(e) => setCal({ ...cal, data: { ...cal.data, name: e.target.value } })} />
            </Form.Item>
            <Form.Item label={t("weeklyHours")}>
              {s.open.map((h, i) => (
                <Space key={i} style={{ display: "flex", marginBottom: 8 }} data-testid={`hours-${i}`}>
                  <Select mode="multiple" style={{ minWidth: 260 }} value={h.days} options={dayNames.map((n, d) => ({ value: d + 1, label: n }))}
                    onChange={(days) => edit((x) => ({ ...x, open: x.open.map((o, j) => (j === i ? { ...o, days } : o)) }))} />
                  <TimePicker format="HH:mm" value={dayjs(h.from, "HH:mm")} allowClear={false}
                    onChange={(v) => v && edit((x) => ({ ...x, open: x.open.map((o, j) => (j === i ? { ...o, from: v.format("HH:mm") } : o)) }))} />
                  <TimePicker format="HH:mm" value={dayjs(h.to, "HH:mm")} allowClear={false}
                    onChange={(v) => v && edit((x) => ({ ...x, open: x.open.map((o, j) => (j === i ? { ...o, to: v.format("HH:mm") } : o)) }))} />
                  <Button type="link" danger onClick={() => edit((x) => ({ ...x, open: x.open.filter((_, j) => j !== i) }))}>×</Button>
                </Space>
              ))}
              <Button onClick={() => edit((x) => ({ ...x, open: [...x.open, { days: [6, 7], from: "09:00", to: "17:00" }] }))}>{t("addHours")}</Button>
            </Form.Item>
            <Dates label={t("holidays")} testId="holidays" value={s.holidays} disabled={!mayEdit} onChange={(holidays) => edit((x) => ({ ...x, holidays }))} />
            <Dates label={t("workdays")} testId="workdays" value={s.extra_workdays} disabled={!mayEdit} onChange={(extra_workdays) => edit((x) => ({ ...x, extra_workdays }))} />
            <Space>
              <Form.Item label={t("workdayHoursFrom")}>
                <Select style={{ width: 100 }} value={s.workday_hours_from} options={dayNames.map((n, d) => ({ value: d + 1, label: n }))} onChange={(v) => edit((x) => ({ ...x, workday_hours_from: v }))} />
              </Form.Item>
              <Form.Item label={t("utcOffset")}>
                <InputNumber min={-720} max={840} value={s.utc_offset_minutes} onChange={(v) => edit((x) => ({ ...x, utc_offset_minutes: v ?? 480 }))} />
              </Form.Item>
            </Space>
          </Form>
          {mayEdit && (
            <Space>
              <Button type="primary" onClick={() => void save()}>{t("save")}</Button>
              <Upload accept=".ics,text/calendar" showUploadList={false} beforeUpload={(f) => { void importIcs(f); return false; }}>
                <Button>{t("importIcs")}</Button>
              </Upload>
            </Space>
          )}
        </Card>
      )}
    </Space>
  );
}
