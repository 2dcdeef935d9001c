import { useState } from "react";
import { Alert, Button, Input, Space, Table, Typography, Upload } from "antd";
import { api, ApiError } from "../api";
import type { T } from "../i18n";

interface RowError {
  line: number;
  column: string;
  message: string;
}

interface Created {
  line: number;
  agent_id: string;
  extension: string;
  name: string;
  username: string;
  password: string;
  sip_password: string;
}

interface Report {
  dry_run: boolean;
  rows: number;
  errors: RowError[];
  created: Created[];
}

/** The accounts and passwords as a CSV file to hand out. */
function passwordsCsv(created: Created[]): string {
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ["extension,name,username,password,sip_password", ...created.map((c) => [c.extension, c.name, c.username, c.password, c.sip_password].map(cell).join(","))];
  return "\ufeff" + lines.join("\n") + "\n";
}

/** Many agents at once from a CSV file: check first (every bad row listed
 * by line and column, nothing created), then import; the generated
 * passwords are shown once and can be downloaded. */
export function ImportAgentsPage(props: { t: T }) {
  const { t } = props;
  const [csv, setCsv] = useState("");
  const [errors, setErrors] = useState<RowError[]>([]);
  const [checked, setChecked] = useState<number | null>(null);
  const [created, setCreated] = useState<Created[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  const send = async (dryRun: boolean) => {
    setErrors([]);
    setChecked(null);
    setFailure(null);
    try {
      const r = await api<Report>("POST", "/agents/import", { csv, dry_run: dryRun });
      if (dryRun) setChecked(r.rows);
      else setCreated(r.created);
    } catch (e) {
      if (e instanceof ApiError && e.code === "invalid_rows") setErrors((e.body?.errors as RowError[]) ?? []);
      else setFailure(e instanceof Error ? e.message : String(e));
    }
  };

  const download = () => {
    const url = URL.createObjectURL(new Blob([passwordsCsv(created)], { type: "text/csv" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "agents-passwords.csv";
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <Space orientation="vertical" size="middle" style={{ width: "100%" }}>
      <Typography.Paragraph type="secondary">{t("importHint")}</Typography.Paragraph>
      <Upload
        accept=".csv,text/csv"
        showUploadList={false}
        beforeUpload={(file) => {
          void file.text().then((text) => setCsv(text));
          return false;
        }}
      >
        <Button data-testid="choose-csv">{t("chooseFile")}</Button>
      </Upload>
      <Input.TextArea name="csv" aria-label={t("csvText")} rows={8} value={csv} onChange={(e) => setCsv(e.target.value)} style={{ fontFamily: "monospace" }} />
      <Space>
        <Button onClick={() => void send(true)} disabled={!csv.trim()}>{t("dryRun")}</Button>
        <Button type="primary" onClick={() => void send(false)} disabled={!csv.trim()}>{t("doImport")}</Button>
      </Space>
      {failure && <Alert type="error" showIcon title={failure} />}
      {checked !== null && <Alert type="success" showIcon data-testid="import-checked" title={`${t("importChecked")} ${checked}`} />}
      {errors.length > 0 && (
        <>
          <Alert type="error" showIcon title={t("importBad")} />
          <Table<RowError>
            data-testid="import-errors"
            rowKey={(e) => `${e.line}-${e.column}-${e.message}`}
            size="small"
            pagination={false}
            dataSource={errors}
            columns={[
              { title: t("line"), dataIndex: "line" },
              { title: t("column"), dataIndex: "column" },
              { title: t("problem"), dataIndex: "message" },
            ]}
          />
        </>
      )}
      {created.length > 0 && (
        <>
          <Alert type="success" showIcon data-testid="import-done" title={`${t("importDone")} ${created.length}`} action={<Button onClick={download}>{t("downloadPasswords")}</Button>} />
          <Table<Created>
            rowKey="agent_id"
            size="small"
            dataSource={created}
            pagination={{ pageSize: 50 }}
            columns={[
              { title: t("extension"), dataIndex: "extension" },
              { title: t("displayName"), dataIndex: "name" },
              { title: t("username"), dataIndex: "username" },
              { title: t("password"), dataIndex: "password" },
              { title: t("sipPassword"), dataIndex: "sip_password" },
            ]}
          />
        </>
      )}
    </Space>
  );
}
