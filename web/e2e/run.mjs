// End-to-end: the real server (built by cargo, demo data, its own folder
// and free ports) and the agent desktop in the system's headless Chromium.
//
//   HOTLINE_BIN=…/hotline node e2e/run.mjs
//
// agent1 signs in (a wrong password first), goes available; a VIP customer's
// contact is offered: the screen pop shows the profile with the number
// masked; the agent takes it, it ends, the agent saves a wrap-up code and
// the interaction carries it; a reload keeps the session; English works;
// sign-out returns to the login page. Screenshots of the desktop in both
// languages go to target/screenshots/ for a reviewer.
//
// Then, on the same server, the softphone: an IVR flow sends number 1000
// straight to `sales`; agent1 signs in again in a Chromium whose microphone
// is an 880 Hz tone, the browser comes online as their phone, a real SIP
// caller (baresip, sending 440 Hz) dials 1000, the desktop rings, agent1
// answers in the browser (WebRTC), hears the caller's 440 Hz, sends a key,
// mutes for a moment, hangs up; the caller's call closes, the wrap-up form
// appears, and the call's stereo recording carries the caller (440 Hz)
// left and the browser (880 Hz) right, the right silent while muted. Then
// a call rejected in the browser (the caller keeps waiting until they give
// up), and one the caller hangs up (the browser's call ends by itself).
// Needs baresip and sox (apt-get install baresip-core sox).
//
// E2E_SCENARIOS=desktop or =softphone runs one of them. WEB_DIST=<dir>
// serves the web app from that folder instead of the copy in the binary
// (for a binary built from another checkout).

import { spawn, spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.HOTLINE_BIN;
if (!bin) throw new Error("HOTLINE_BIN must name the hotline binary");
const shots = resolve(process.env.SCREENSHOTS ?? join(here, "../../target/screenshots"));
mkdirSync(shots, { recursive: true });
const data = mkdtempSync(join(tmpdir(), "hotline-web-"));
const scenarios = (process.env.E2E_SCENARIOS ?? "desktop,twofactor,softphone,callus,designer").split(",");
const webDist = process.env.WEB_DIST ? resolve(process.env.WEB_DIST) : null;
const chromiumArgs = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
// A page the test serves itself has no address space: let it reach the loopback server's WebSocket.
if (webDist) chromiumArgs.push("--disable-features=LocalNetworkAccessChecks");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`  ok  ${what}`);
}

/** Starts the server; resolves with its base URL and SIP port once it listens. */
function startServer() {
  const server = spawn(bin, ["serve", "--demo", "--data", data], {
    env: {
      ...process.env,
      HOTLINE_SERVER__HTTP_LISTEN: "127.0.0.1:0",
      HOTLINE_SIP__LISTEN: "127.0.0.1:0",
      HOTLINE_LOG: process.env.HOTLINE_LOG ?? "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 60_000);
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        const sip = out.match(/sip on [\d.]+:(\d+)/);
        ok({ server, base: m[1], sipPort: sip ? Number(sip[1]) : null });
      }
    });
    server.on("exit", (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
  });
}

/** Serves the web app from WEB_DIST instead of the binary's copy, when asked. */
/** Content-Security-Policy violations any page reported (the app must satisfy the server's policy). */
const cspViolations = [];

function watchCsp(page) {
  page.on("console", (m) => {
    if (m.text().includes("Content Security Policy")) cspViolations.push(m.text());
  });
}

async function serveWeb(page, base) {
  watchCsp(page);
  if (!webDist) return;
  await page.route(
    (url) => url.origin === base && !url.pathname.startsWith("/api/"),
    (route) => {
      const path = join(webDist, decodeURIComponent(new URL(route.request().url()).pathname));
      const file = path.startsWith(webDist + "/") && existsSync(path) && statSync(path).isFile() ? path : join(webDist, "index.html");
      return route.fulfill({ path: file });
    },
  );
}

/** Opens an antd select (`trigger`), picks the option titled `option` (a
 * string, exactly, or a pattern), and waits for the list to close (two open
 * at once would be ambiguous). */
async function pickOption(page, trigger, option) {
  await trigger.click();
  await page.locator(".ant-select-dropdown:visible").getByTitle(option, typeof option === "string" ? { exact: true } : {}).click();
  await page.waitForFunction(() => ![...document.querySelectorAll(".ant-select-dropdown")].some((d) => d.checkVisibility() && !d.classList.contains("ant-select-dropdown-hidden")));
}

/** Picks a wrap-up code by its name in the wrap-up form's list. */
async function chooseWrapUp(page, wrap, label) {
  await pickOption(page, wrap.locator("#wrap_up_code"), label);
}

/** A new page signed in as `username` (password `demo`), in Chinese. */
async function signedInPage(browser, base, username, viewport = { width: 1366, height: 768 }) {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  await serveWeb(page, base);
  await page.goto(base + "/");
  await page.evaluate(() => localStorage.clear());
  await page.goto(base + "/");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "demo");
  await page.getByRole("button", { name: "登录" }).click();
  return page;
}

async function call(base, method, path, token, body) {
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(`${base}/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

async function tokenOf(base, username) {
  const r = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: "demo" }),
  });
  return (await r.json()).token;
}

async function main() {
  const { server, base, sipPort } = await startServer();
  try {
    if (scenarios.includes("desktop")) await desktop(base);
    if (scenarios.includes("twofactor")) await twoFactor(base);
    if (scenarios.includes("softphone")) {
      if (!sipPort) throw new Error("the server printed no `sip on <addr>` line");
      await softphone(base, sipPort);
    }
    if (scenarios.includes("callus")) await callUs(base);
    if (scenarios.includes("designer")) {
      if (!sipPort) throw new Error("the server printed no `sip on <addr>` line");
      await designer(base, sipPort);
    }
    check(cspViolations.length === 0, `no page broke the Content-Security-Policy${cspViolations.length ? `: ${cspViolations.join("; ")}` : ""}`);
    console.log(`screenshots in ${shots}`);
  } finally {
    server.kill("SIGTERM");
    rmSync(data, { recursive: true, force: true });
  }
}

/** What an authenticator app shows for a base32 secret at `unixSecs` (RFC 6238). */
function totpCode(secretB32, unixSecs) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretB32) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(unixSecs / 30)));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[19] & 0x0f;
  const bin = ((h[o] & 0x7f) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(bin % 1_000_000).padStart(6, "0");
}

/** The security page: agent5 sees their sessions and sets up two-factor
 * sign-in by the QR code's key and a first code; the recovery codes show. */
async function securityPage(browser, base) {
  const page = await signedInPage(browser, base, "agent5");
  await page.getByRole("link", { name: "账号安全" }).waitFor();
  check((await page.getByRole("link", { name: "用户与角色" }).count()) === 0, "an agent's desktop has no users link");
  await page.getByRole("link", { name: "账号安全" }).click();
  const sessions = page.getByTestId("sessions");
  await sessions.getByText("当前会话").waitFor();
  check(true, "the security page lists the user's sessions, this one marked");
  await page.getByTestId("totp-start").click();
  const enrol = page.getByTestId("totp-enrol");
  await enrol.locator("img").waitFor();
  check(await enrol.locator("img").evaluate((img) => img.complete && img.naturalWidth > 0), "the QR code shows");
  const secret = (await page.getByTestId("totp-secret").innerText()).trim();
  await page.fill("input[name=totp-code]", totpCode(secret, Date.now() / 1000));
  await enrol.getByRole("button", { name: "确认" }).click();
  const codes = page.getByTestId("recovery-codes");
  await codes.waitFor();
  check((await codes.locator("li").count()) === 10, "two-factor sign-in is on: ten recovery codes, shown once");
  await page.screenshot({ path: join(shots, "security-zh.png") });
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Account security" }).waitFor();
  check(true, "the security page in English");
  await page.screenshot({ path: join(shots, "security-en.png") });
  await page.close();
}

/** The admin's users page: the auditor is also made QA and saved; the
 * server has the new roles, and the link is not shown to an agent. */
async function usersPage(browser, base) {
  const page = await signedInPage(browser, base, "admin");
  await page.getByRole("link", { name: "用户与角色" }).click();
  const row = page.getByTestId("user-auditor");
  await row.waitFor();
  check(await row.locator("input[name=role-auditor]").isChecked(), "the users page shows the auditor's role");
  await row.locator("input[name=role-qa]").check();
  await row.getByRole("button", { name: "保存" }).click();
  await page.getByRole("status").getByText("已保存: auditor").waitFor();
  const admin = await tokenOf(base, "admin");
  const auditor = (await call(base, "GET", "/users", admin)).find((u) => u.username === "auditor");
  check(JSON.stringify(auditor.roles) === JSON.stringify(["auditor", "qa"]), `the server has the new roles: ${JSON.stringify(auditor.roles)}`);
  // A new user: the password is generated, shown once, and must be changed at sign-in.
  await page.getByRole("button", { name: "新建用户" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.locator("input[name=new-username]").fill("nightlead");
  await dialog.locator("input[name=new-display-name]").fill("夜班组长");
  await dialog.getByLabel("班长").check();
  await dialog.getByRole("button", { name: "保存" }).click();
  const shown = page.getByTestId("generated-password");
  await shown.waitFor();
  const generated = (await shown.locator("code").innerText()).trim();
  const signIn = await fetch(`${base}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "nightlead", password: generated }) });
  const session = await signIn.json();
  check(signIn.ok && session.password_change_required === true, "a new user's generated password signs in once, to be changed");
  await page.getByTestId("user-nightlead").waitFor();
  await page.screenshot({ path: join(shots, "users-zh.png") });
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Users and roles" }).waitFor();
  check(true, "the users page in English");
  await page.screenshot({ path: join(shots, "users-en.png") });
  await page.close();
}

/** The admin console: the admin lands on the queues; a colleague saves the
 * sales queue while the admin edits it, so the admin's save is refused with
 * what changed, and goes through once reloaded. 50 agents from a CSV with
 * two bad rows: both reported, nothing created; fixed, all 50 created. The
 * audit log shows the queue's change before and after. */
async function consolePages(browser, base) {
  const page = await signedInPage(browser, base, "admin");
  const queues = page.getByTestId("queues-page");
  await queues.getByRole("heading", { name: "队列" }).waitFor();
  check(new URL(page.url()).pathname === "/admin/queues", "the admin lands on the console's queues");
  await page.getByTestId("queue-sales").waitFor();
  await page.screenshot({ path: join(shots, "console-queues-zh.png") });

  // Two admins, one queue.
  await page.getByTestId("queue-sales").getByRole("button", { name: "编辑" }).click();
  const drawer = page.getByRole("dialog");
  await drawer.getByLabel("名称", { exact: true }).waitFor();
  const colleague = await tokenOf(base, "admin");
  const before = await call(base, "GET", "/queues/sales", colleague);
  await call(base, "PATCH", "/queues/sales", colleague, { wrap_up_secs: before.wrap_up_secs + 7 });
  await drawer.getByLabel("名称", { exact: true }).fill("销售（管理员一）");
  await drawer.getByRole("button", { name: "保存" }).click();
  const stale = page.getByTestId("stale");
  await stale.waitFor();
  check((await stale.innerText()).includes("话后整理（秒）"), "a stale save is refused, naming the field the colleague changed");
  check((await call(base, "GET", "/queues/sales", colleague)).name === before.name, "nothing of the stale save landed");
  await page.screenshot({ path: join(shots, "console-queue-stale-zh.png") });
  await stale.getByRole("button", { name: "重新加载" }).click();
  await stale.waitFor({ state: "detached" });
  await drawer.getByLabel("名称", { exact: true }).fill("销售（管理员一）");
  await drawer.getByRole("button", { name: "保存" }).click();
  await page.getByText("已保存: 销售（管理员一）").waitFor();
  const after = await call(base, "GET", "/queues/sales", colleague);
  check(after.name === "销售（管理员一）" && after.wrap_up_secs === before.wrap_up_secs + 7, "reloaded, the save keeps the colleague's change and adds the admin's");

  // A new queue, with a second routing step and a callback offer.
  await page.getByRole("button", { name: "新建队列" }).click();
  await page.locator("input[name=new-queue-id]").fill("billing");
  await page.locator("input[name=new-queue-name]").fill("账务咨询");
  await page.getByRole("dialog").filter({ has: page.locator("input[name=new-queue-id]") }).getByRole("button", { name: "保存" }).click();
  await page.getByText("已创建队列：账务咨询").waitFor();
  const editor = page.getByRole("dialog").filter({ hasText: "账务咨询 (billing)" });
  await editor.getByRole("tab", { name: "路由步骤" }).click();
  await editor.getByRole("button", { name: "添加步骤" }).click();
  await editor.getByTestId("step-0").getByRole("button", { name: "添加技能要求" }).click();
  await editor.getByRole("tab", { name: "来电体验" }).click();
  await editor.getByLabel("等待多久后提供回拨（秒）").fill("60");
  await editor.getByRole("button", { name: "保存" }).click();
  await page.getByText("已保存: 账务咨询").waitFor();
  const billing = await call(base, "GET", "/queues/billing", colleague);
  check(billing.steps.length === 1 && billing.steps[0].skills.length === 1 && billing.caller_experience.callback_after_secs === 60,
    `a new queue is saved with its routing step and callback offer: ${JSON.stringify(billing.steps)}`);

  // 50 agents from a CSV, two rows bad.
  await page.getByRole("link", { name: "批量导入坐席" }).click();
  await page.getByTestId("import-page").waitFor();
  await page.screenshot({ path: join(shots, "console-import-zh.png") });
  const rows = ["extension,name,username,skills,queues,languages"];
  for (let i = 0; i < 50; i++) rows.push(`${8300 + i},导入坐席${i},import${i},sales:${1 + (i % 10)},sales,zh`);
  const bad = [...rows];
  bad[5] = "8304,导入坐席4,import4,sales:12,sales,zh";
  bad[30] = "83x9,导入坐席29,import29,sales:3,sales,zh";
  const agentsBefore = (await call(base, "GET", "/agents", colleague)).length;
  await page.locator("textarea[name=csv]").fill(bad.join("\n"));
  await page.getByRole("button", { name: "检查" }).click();
  const errors = page.getByTestId("import-errors");
  await errors.waitFor();
  const errorLines = await errors.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.querySelector("td")?.textContent));
  check(JSON.stringify(errorLines) === JSON.stringify(["6", "31"]), `the check lists the two bad rows by line: ${JSON.stringify(errorLines)}`);
  await page.getByRole("button", { name: "导入" }).click();
  await errors.waitFor();
  check((await call(base, "GET", "/agents", colleague)).length === agentsBefore, "with bad rows, nothing is created");
  await page.screenshot({ path: join(shots, "console-import-errors-zh.png") });
  await page.locator("textarea[name=csv]").fill(rows.join("\n"));
  await page.getByRole("button", { name: "检查" }).click();
  await page.getByTestId("import-checked").waitFor();
  await page.getByRole("button", { name: "导入" }).click();
  await page.getByTestId("import-done").getByText("50").waitFor();
  check((await call(base, "GET", "/agents", colleague)).length === agentsBefore + 50, "fixed, the file creates 50 agents");

  // The agents: live state, skills, queues; one moved into the VIP queue.
  await page.getByRole("link", { name: "坐席", exact: true }).click();
  const row = page.getByTestId("agent-8005");
  // Names arrive after the rows: wait for them rather than read the first paint.
  await row.filter({ hasText: "售前" }).filter({ hasText: "二组（售后）" }).waitFor();
  check(true, `the agents page shows skills and the team by name: ${(await row.innerText()).replace(/\s+/g, " ")}`);
  const vipBefore = (await call(base, "GET", "/agents", colleague)).find((a) => a.extension === "8005").queues.includes("vip");
  await row.getByRole("button", { name: "编辑" }).click();
  const agentDrawer = page.getByRole("dialog");
  await agentDrawer.getByLabel("队列", { exact: true }).click();
  await page.locator(".ant-select-dropdown:visible").getByTitle("VIP专线", { exact: true }).click();
  await page.keyboard.press("Escape"); // (a multiple select stays open after a pick)
  await agentDrawer.getByRole("button", { name: "保存" }).click();
  await page.getByText("已保存坐席：").waitFor();
  const agent8005 = (await call(base, "GET", "/agents", colleague)).find((a) => a.extension === "8005");
  check(agent8005.queues.includes("vip") !== vipBefore, `the agent's queues are saved (VIP ${vipBefore ? "left" : "joined"}): ${agent8005.queues}`);
  await row.getByRole("button", { name: "编辑" }).click();
  await page.getByRole("button", { name: "重置 SIP 密码" }).click();
  const sip = (await page.getByTestId("sip-password").locator("code").innerText()).trim();
  check(sip.length === 12, "a new SIP password is generated and shown once");
  await page.screenshot({ path: join(shots, "console-agents-zh.png") });
  await page.getByRole("dialog").getByRole("button", { name: "取消" }).click();

  // A new not-ready reason, named in both languages.
  await page.getByRole("link", { name: "技能、团队与代码" }).click();
  await page.getByTestId("codes-page").getByRole("tab", { name: "示忙原因" }).click();
  await page.getByRole("tabpanel").getByRole("button", { name: "新增" }).click();
  const modal = page.getByRole("dialog");
  await modal.locator("input[name=id]").fill("coaching");
  await modal.locator("input[name=name]").fill("辅导");
  await modal.locator("input[name=en]").fill("Coaching");
  await modal.getByRole("button", { name: "保存" }).click();
  await page.getByTestId("reason-coaching").waitFor();
  await page.screenshot({ path: join(shots, "console-codes-zh.png") });
  const labels = await call(base, "GET", "/labels", colleague);
  const reasonsNow = await call(base, "GET", "/reason-codes", colleague);
  check(reasonsNow.some((r) => r.id === "coaching" && r.label === "辅导") && labels.some((l) => l.kind === "reason" && l.id === "coaching" && l.label === "Coaching"),
    "a new reason code is saved with its English name");

  // Numbers: 1000 runs the demo flow; an outage message is broadcast on it, then taken down.
  await page.getByRole("link", { name: "号码与中继" }).click();
  const n1000 = page.getByTestId("number-1000");
  await n1000.waitFor();
  check((await n1000.innerText()).includes("demo"), "the numbers page shows 1000 running the demo flow");
  await n1000.locator("input[name=broadcast-1000]").fill("tts:cmn:系统升级中，部分业务暂停办理。");
  await n1000.getByRole("button", { name: "发布广播" }).click();
  await n1000.getByRole("button", { name: "撤下广播" }).waitFor();
  const live = await call(base, "GET", "/ivr/broadcasts", colleague);
  check(live.some((b) => b.number === "1000" && b.prompt.includes("系统升级")), "a broadcast is set on 1000 from the page");
  await page.screenshot({ path: join(shots, "console-numbers-zh.png") });
  await n1000.getByRole("button", { name: "撤下广播" }).click();
  await n1000.getByRole("button", { name: "撤下广播" }).waitFor({ state: "detached" });
  check((await call(base, "GET", "/ivr/broadcasts", colleague)).length === 0, "and taken down again");

  // Business hours: China's National Day holidays imported from an iCal file.
  await page.getByRole("link", { name: "营业时间与节假日" }).click();
  const calendarCard = page.getByTestId("calendar");
  await calendarCard.waitFor();
  const ics = join(data, "holidays-2026.ics");
  writeFileSync(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261001\r\nDTEND;VALUE=DATE:20261008\r\nSUMMARY:国庆节\r\nEND:VEVENT\r\n" +
    "BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20261010\r\nSUMMARY:国庆节补班\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
  await calendarCard.locator("input[type=file]").setInputFiles(ics);
  await page.getByTestId("holidays").getByText("2026-10-07").waitFor();
  await page.getByTestId("workdays").getByText("2026-10-10").waitFor();
  const main = await call(base, "GET", "/calendars/main", colleague);
  check(main.schedule.holidays.length === 7 && main.schedule.extra_workdays.includes("2026-10-10"), "holidays and a make-up workday are imported from an iCal file");
  await page.locator("input[name=calendar-name]").fill("客服中心营业时间（含节假日）");
  await calendarCard.getByRole("button", { name: "保存" }).click();
  await page.getByText("已保存日历：").waitFor();
  check((await call(base, "GET", "/calendars/main", colleague)).name === "客服中心营业时间（含节假日）", "the calendar is saved");
  await page.screenshot({ path: join(shots, "console-calendars-zh.png") });

  // Settings: the center's name changes at once; the configuration is shown read-only.
  await page.getByRole("link", { name: "系统设置" }).click();
  await page.getByTestId("runtime-settings").locator("input[name=center_name]").fill("12345 市民服务热线");
  await page.getByTestId("runtime-settings").getByRole("button", { name: "保存" }).click();
  await page.getByText("设置已保存").waitFor();
  await page.reload();
  await page.locator(".console-brand").filter({ hasText: "12345 市民服务热线" }).waitFor();
  check((await page.getByTestId("config").innerText()).includes("SQLite"), "the center is renamed at once; the configuration shows read-only");
  await page.screenshot({ path: join(shots, "console-settings-zh.png") });

  // The wallboard: a caller waiting in the VIP queue shows on its tile, live.
  await page.getByRole("link", { name: "实时监控" }).click();
  const vipTile = page.getByTestId("tile-vip");
  await vipTile.waitFor();
  await page.getByTestId("board-8001").waitFor();
  const waiting = await call(base, "POST", "/contacts", colleague, { queue: "vip", channel: "voice", from: "13900001111" });
  await vipTile.locator(".ant-statistic").first().getByText("1", { exact: true }).waitFor();
  check(true, "the wallboard's VIP tile shows the caller waiting, and the agent grid lists the agents");
  await page.screenshot({ path: join(shots, "console-wallboard-zh.png") });
  await call(base, "POST", `/contacts/${waiting.contact_id}/abandon`, colleague, {});
  await vipTile.locator(".ant-statistic").first().getByText("0", { exact: true }).waitFor();
  // A supervisor acts for an agent from the grid: 8006 is set not ready, then logged out.
  const grid8006 = page.getByTestId("board-8006");
  await grid8006.getByTestId("act-8006").click();
  await page.getByRole("menuitem", { name: "置为未就绪" }).hover();
  await page.getByRole("menu").last().getByRole("menuitem").first().click();
  await grid8006.getByText("未就绪").waitFor();
  await grid8006.getByTestId("act-8006").click();
  await page.getByRole("menuitem", { name: "强制签出" }).click();
  await grid8006.getByText("已签出").waitFor();
  const forced = await call(base, "GET", "/audit?action=agent.force_state", colleague);
  check(forced.length >= 2, `the supervisor sets 8006 not ready, then logs it out, from the agent grid (${forced.length} audited as acting for the agent)`);
  // TV mode: a read-only link for a wall display, opened in a browser of its own, then revoked.
  const displays = page.getByTestId("displays");
  await displays.getByTestId("display-name").fill("三楼大屏");
  await displays.getByTestId("display-create").click();
  const link = (await displays.getByTestId("display-link").locator("code").innerText()).trim();
  const tv = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  try {
    await serveWeb(tv, base);
    await tv.goto(link);
    await tv.getByTestId("tv-page").waitFor();
    await tv.getByTestId("tile-vip").waitFor();
    await tv.getByTestId("board-8001").waitFor();
    const clean = !tv.url().includes("#") && (await tv.getByTestId("act-8001").count()) === 0 && (await tv.locator(".console-brand").count()) === 0;
    await tv.screenshot({ path: join(shots, "wallboard-tv-zh.png") });
    const tvToken = link.split("#")[1];
    const denied = await fetch(`${base}/api/v1/interactions`, { headers: { authorization: `Bearer ${tvToken}` } });
    check(clean && denied.status === 403, `the TV link opens the board full screen with nothing to act on, and its token reads nothing else (interactions: ${denied.status})`);
    await displays.getByRole("button", { name: "停用" }).first().click();
    await page.locator(".ant-popconfirm").getByRole("button", { name: /确\s*定|OK/ }).click();
    await displays.getByText("已停用").waitFor();
    const after = await fetch(`${base}/api/v1/alerts`, { headers: { authorization: `Bearer ${tvToken}` } });
    check(after.status === 401, `revoked: the display's token no longer opens the board (${after.status})`);
  } finally {
    await tv.close();
  }

  // The audit log: the queue's change, before and after.
  await page.getByRole("link", { name: "审计日志" }).click();
  await page.getByTestId("audit-page").waitFor();
  await page.locator("input[name=target]").fill("sales");
  await page.locator("input[name=action]").fill("queue");
  await page.getByRole("button", { name: "查询" }).click();
  await page.getByTestId("audit-detail").filter({ hasText: "销售（管理员一）" }).waitFor();
  check(true, "the audit log shows who changed the queue, before and after");
  await page.screenshot({ path: join(shots, "console-audit-zh.png") });
  await page.getByRole("button", { name: "English" }).click();
  await page.getByRole("heading", { name: "Audit log" }).waitFor();
  check(true, "the console in English");
  await page.getByRole("link", { name: "Queues" }).click();
  await page.getByTestId("queue-sales").waitFor();
  await page.screenshot({ path: join(shots, "console-queues-en.png") });
  // Every console page in English, each with its screenshot.
  for (const [path, heading, shot] of [
    ["/supervisor", "Wallboard", "wallboard"], ["/admin/agents", "Agents", "agents"], ["/admin/codes", "Skills, teams and codes", "codes"],
    ["/admin/prompts", "Prompts", "prompts"], ["/admin/numbers", "Numbers and trunks", "numbers"], ["/admin/calendars", "Hours and holidays", "calendars"],
    ["/admin/agents/import", "Import agents", "import"], ["/admin/audit", "Audit log", "audit"], ["/admin/settings", "Settings", "settings"],
  ]) {
    await page.goto(base + path);
    await page.getByRole("heading", { name: heading, exact: true }).waitFor();
    await page.screenshot({ path: join(shots, `console-${shot}-en.png`) });
  }
  check(true, "every console page opens in English");
  await page.close();
}

/**
 * The IVR flow designer: the admin builds a two-level menu from scratch —
 * nodes dragged from the palette, one branch drawn on the canvas, the rest
 * chosen in the side panel — sees the server's validation on the
 * unconnected node, fixes it, runs the simulator (2 then 1 ends in
 * `support`), publishes, points 1001 at it. Then a real SIP caller
 * (baresip) dials 1001, presses 2 and 1, and agent3 (an after-sales expert
 * in `support`) is offered the call in the browser.
 */
async function designer(base, sipPort) {
  console.log(`designer against ${base}`);
  const tmp = mkdtempSync(join(tmpdir(), "hotline-designer-"));
  const mic = join(tmp, "tone880.wav");
  makeTone(mic, 48000, 880, 30);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [...chromiumArgs, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-audio-capture=${mic}`],
  });
  let caller = null;
  try {
    const admin = await signedInPage(browser, base, "admin", { width: 1600, height: 1000 });
    await admin.getByRole("link", { name: "IVR 流程设计" }).click();
    await admin.getByTestId("designer-page").waitFor();
    await admin.getByTestId("node-hours").waitFor();
    check(true, "the designer opens the demo flow on the canvas");
    await admin.screenshot({ path: join(shots, "designer-demo-zh.png") });

    // A new flow, built from nothing.
    await admin.locator("input[name=new-flow]").fill("hotline2");
    await admin.getByRole("button", { name: "新建流程" }).click();
    await admin.getByTestId("node-hours").waitFor({ state: "detached" });
    const canvas = admin.getByTestId("canvas");
    const editor = admin.getByTestId("node-editor");
    const place = async (kind, x, y) => {
      await admin.getByTestId(`add-${kind}`).dragTo(canvas, { targetPosition: { x, y } });
    };
    await place("menu", 380, 60);
    await admin.getByTestId("node-menu_1").waitFor();
    await editor.locator("input[name=prompt]").fill("tts:cmn:售前咨询请按1，售后服务请按2。");
    await editor.locator("input[name=keys]").fill("1,2");
    await editor.locator("input[name=keys]").blur();
    await place("menu", 620, 260);
    await admin.getByTestId("node-menu_2").waitFor();
    await editor.locator("input[name=prompt]").fill("tts:cmn:报修请按1。");
    await editor.locator("input[name=keys]").fill("1");
    await editor.locator("input[name=keys]").blur();
    const chooseIn = (selectId, option) => pickOption(admin, editor.locator(`[id="${selectId}"]`), option);
    await place("enqueue", 140, 420);
    await admin.getByTestId("node-enqueue_1").waitFor();
    await chooseIn("queue", /\(sales\)$/);
    await place("enqueue", 620, 460);
    await admin.getByTestId("node-enqueue_2").waitFor();
    await chooseIn("queue", /\(support\)$/);

    // Unconnected: the server says so, on the node.
    await admin.getByTestId("node-menu_1").getByTestId("node-problem").first().waitFor();
    const problem = await admin.getByTestId("node-menu_1").getByTestId("node-problem").first().innerText();
    check(/not connected/.test(problem), `an unconnected branch is shown on its node: "${problem}"`);
    await admin.screenshot({ path: join(shots, "designer-problems-zh.png") });

    // One branch drawn on the canvas, the rest chosen in the panel.
    await admin.locator(".react-flow__controls-fitview").click();
    await admin.getByTestId("handle-menu_1-choices.1").dragTo(admin.getByTestId("node-enqueue_1").locator(".react-flow__handle.target"));
    await admin.locator('[data-testid="rf__edge-menu_1:choices.1"]').waitFor({ state: "attached" });
    check(true, "a branch drawn from menu_1's key 1 to enqueue_1");
    await admin.getByTestId("node-menu_1").click();
    await chooseIn("branch-choices.2", "menu_2");
    await chooseIn("branch-on_failure", "enqueue_1");
    await admin.getByTestId("node-menu_2").click();
    await chooseIn("branch-choices.1", "enqueue_2");
    await chooseIn("branch-on_failure", "enqueue_1");
    await admin.getByTestId("problems").getByText("没有问题，可以发布").waitFor();
    check(true, "fixed: the server finds no problem left");

    // The simulator: 2 then 1 ends in support.
    const sim = admin.getByTestId("simulator");
    await sim.locator("input[name=sim-keys]").fill("21");
    await sim.getByRole("button", { name: "运行" }).click();
    await sim.getByTestId("sim-outcome").getByText("enqueue → support").waitFor();
    check((await admin.getByTestId("node-menu_2").getAttribute("class")).includes("visited"), "the simulated caller's path is highlighted on the canvas");
    check((await sim.innerText()).includes("报修请按1"), "the simulator shows each prompt's text");
    await admin.locator(".react-flow__controls-fitview").click();
    await admin.evaluate(() => window.scrollTo(0, 0));
    await admin.screenshot({ path: join(shots, "designer-zh.png") });

    // A test call of the draft, from the browser, before it is published.
    const testCall = admin.getByTestId("test-call");
    await testCall.getByRole("button", { name: "测试呼叫" }).click();
    await testCall.locator("[data-testid=test-call-state][data-state=connected]").waitFor({ timeout: 15_000 });
    await sleep(1500); // the first menu's prompt starts
    await testCall.getByRole("button", { name: "2", exact: true }).click();
    await sleep(1500); // the second menu's prompt starts
    await testCall.getByRole("button", { name: "1", exact: true }).click();
    const adminToken = await tokenOf(base, "admin");
    let tested = null;
    for (let i = 0; i < 75 && !tested; i++) {
      tested = (await call(base, "GET", "/interactions?limit=10", adminToken)).find((x) => (x.to ?? "").startsWith("test-") && x.queue_id === "support");
      if (!tested) await sleep(200);
    }
    check(tested, `a test call of the unpublished draft, keys 2 then 1 from the browser, reaches the support queue (${tested?.to})`);
    await testCall.getByRole("button", { name: "挂断" }).click();
    await testCall.locator("[data-testid=test-call-state][data-state=ended]").waitFor();

    await admin.getByRole("button", { name: "发布" }).click();
    await admin.getByRole("status").getByText("已发布 v1").waitFor();
    await admin.locator("input[name=number]").fill("1001");
    await admin.getByRole("button", { name: "绑定号码" }).click();
    await admin.getByRole("status").getByText("1001").waitFor();
    const token = await tokenOf(base, "admin");
    const numbers = await call(base, "GET", "/ivr/numbers", token);
    check(numbers.some((n) => n.number === "1001" && n.flow_id === "hotline2"), "hotline2 v1 is published and 1001 runs it");
    await admin.getByRole("button", { name: "English" }).click();
    await admin.getByTestId("simulator").getByText("Simulator").waitFor();
    await admin.screenshot({ path: join(shots, "designer-en.png") });

    // Prompts: one recorded from the browser's microphone, one uploaded,
    // spoken text previewed as a caller will hear it.
    await admin.getByRole("button", { name: "中文" }).click();
    await admin.getByRole("link", { name: "提示音" }).click();
    await admin.getByTestId("prompts-page").waitFor();
    await admin.locator("input[name=prompt-name]").fill("recorded_hello");
    await admin.getByRole("button", { name: "录音" }).click();
    await admin.getByRole("button", { name: "停止并保存" }).waitFor();
    await sleep(1500); // what is recorded: a second and a half of the microphone
    await admin.getByRole("button", { name: "停止并保存" }).click();
    const recorded = admin.getByTestId("prompt-recorded_hello");
    await recorded.waitFor();
    const secs = parseFloat(await recorded.locator("td").nth(1).innerText());
    check(secs >= 1, `a prompt recorded in the browser is saved (${secs} s)`);
    const toneWav = join(tmp, "upload.wav");
    makeTone(toneWav, 16000, 660, 2);
    await admin.locator("input[name=prompt-name]").fill("uploaded_tone");
    await admin.locator("input[type=file]").setInputFiles(toneWav);
    await admin.getByTestId("prompt-uploaded_tone").getByText("2.0 s").waitFor();
    check(true, "an uploaded WAV is converted and listed with its length (2.0 s)");
    await admin.getByTestId("tts").getByRole("button", { name: "试听合成" }).click();
    await admin.waitForFunction(() => { const a = document.querySelector("[data-testid=prompt-player]"); return a && a.currentSrc && a.duration > 0.5; });
    check(true, "spoken text is previewed in the page as audio");
    await admin.screenshot({ path: join(shots, "console-prompts-zh.png") });

    // A real caller on 1001.
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    page.setDefaultTimeout(15_000);
    await serveWeb(page, base);
    await page.goto(base + "/");
    await page.evaluate(() => localStorage.clear());
    await agentReady(page, base, "agent3");
    const dir = join(tmp, "caller");
    mkdirSync(dir);
    caller = await startCaller(dir);
    caller.command(`/dial sip:1001@127.0.0.1:${sipPort}`);
    await caller.waitFor("Call established", 10_000);
    await sleep(1500);
    caller.command("/sndcode 2");
    await sleep(1500);
    caller.command("/sndcode 1");
    const agent = await call(base, "GET", "/me", await tokenOf(base, "agent3"));
    await page.getByTestId("softphone-ringing").waitFor({ timeout: 20_000 }).catch(async (e) => {
      const seen = await call(base, "GET", "/interactions?limit=3", token);
      const st = await call(base, "GET", `/agents/${agent.agent_id}/state`, token);
      throw new Error(`${e.message}\nagent3: ${JSON.stringify(st)}\nlatest interactions: ${JSON.stringify(seen)}\ncaller:\n${caller.output()}`);
    });
    const state = await call(base, "GET", `/agents/${agent.agent_id}/state`, token);
    check(state.offer?.queue_id === "support", `the caller pressed 2 then 1 and reached agent3 in support (offer from ${state.offer?.queue_id})`);
    await page.getByTestId("softphone-ringing").getByRole("button", { name: "拒接" }).click().catch(() => {});
    await page.close();
    await admin.close();
  } finally {
    if (caller) await caller.quit();
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Sign-in with a second factor: agent6 set one up (through the API);
 * the page asks for the code after the password. */
async function twoFactor(base) {
  const agent = await tokenOf(base, "agent6");
  const enrolment = await call(base, "POST", "/me/totp", agent, {});
  check(enrolment.qr_svg.includes("<svg"), "enrolment gives a QR code to scan");
  await call(base, "POST", "/me/totp/confirm", agent, { code: totpCode(enrolment.secret, Date.now() / 1000) });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", headless: true, args: chromiumArgs });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(15_000);
  await serveWeb(page, base);
  try {
    console.log(`two-factor sign-in against ${base}`);
    await page.goto(base + "/");
    await page.fill("input[name=username]", "agent6");
    await page.fill("input[name=password]", "demo");
    await page.getByRole("button", { name: "登录" }).click();
    const otp = page.locator("input[name=otp]");
    await otp.waitFor();
    check(await page.getByText("动态验证码").isVisible(), "after the password the page asks for the authenticator's code");
    await page.screenshot({ path: join(shots, "two-factor-zh.png") });
    const right = totpCode(enrolment.secret, Date.now() / 1000 + 30);
    await otp.fill(right === "000000" ? "111111" : "000000");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("alert").filter({ hasText: "验证码错误" }).waitFor();
    check(true, "a wrong code is refused with a message");
    await otp.fill(right);
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByTestId("state-label").waitFor();
    check(true, "the right code signs agent6 in");
    // In English.
    await page.evaluate(() => localStorage.clear());
    await page.goto(base + "/");
    await page.getByRole("button", { name: "登录" }).waitFor();
    await page.getByRole("button", { name: "English" }).click();
    await page.fill("input[name=username]", "agent6");
    await page.fill("input[name=password]", "demo");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("Authenticator code").waitFor();
    check(true, "the code prompt in English");
    await page.screenshot({ path: join(shots, "two-factor-en.png") });
    await securityPage(browser, base);
    await usersPage(browser, base);
    await consolePages(browser, base);
  } finally {
    await browser.close();
  }
}

/** The desktop with contacts submitted through the API. */
async function desktop(base) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: chromiumArgs,
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(15_000);
  await serveWeb(page, base);
  try {
    console.log(`desktop against ${base}`);
    await page.goto(base + "/");
    await page.getByRole("button", { name: "登录" }).waitFor();
    check((await page.locator("html").getAttribute("lang")) === "zh-CN", "Chinese is the default");

    await page.fill("input[name=username]", "agent1");
    await page.fill("input[name=password]", "wrong-password");
    await page.getByRole("button", { name: "登录" }).click();
    await page.getByRole("alert").filter({ hasText: "用户名或密码错误" }).waitFor();
    check(true, "a wrong password is refused with a message");
    await page.fill("input[name=password]", "demo");
    await page.getByRole("button", { name: "登录" }).click();
    const label = page.getByTestId("state-label");
    await label.filter({ hasText: "已签出" }).waitFor();
    check(true, "agent1 signs in, logged out at first");
    await page.locator(".conn.up").waitFor();
    check(true, "the event stream is connected");

    await page.locator("button.go-available").click();
    await label.filter({ hasText: "就绪" }).waitFor();
    check(true, "agent1 goes available");

    // A VIP customer's contact reaches agent1 (the only agent available).
    const sup = await tokenOf(base, "supervisor");
    const customers = await call(base, "GET", "/customers?q=13&limit=50", sup);
    const vip = customers.find((c) => c.tier >= 3) ?? customers[0];
    const { contact_id } = await call(base, "POST", "/contacts", sup, { queue: "sales", channel: "voice", from: vip.phones[0] });
    const pop = page.getByTestId("screen-pop");
    await pop.filter({ hasText: vip.name }).waitFor();
    check(true, `the screen pop shows ${vip.name}`);
    const shown = await page.getByTestId("pop-number").innerText();
    check(shown.includes("****") && shown !== vip.phones[0], `the number is masked for an agent (${shown})`);
    if (vip.tier >= 3) check(await pop.locator(".badge.vip").isVisible(), "the VIP badge shows");
    await label.filter({ hasText: "振铃中" }).waitFor();
    await page.screenshot({ path: join(shots, "desktop-zh.png") });

    // The agent takes it; it ends; the wrap-up form follows.
    const agent = await tokenOf(base, "agent1");
    const me = await call(base, "GET", "/me", agent);
    const st = await call(base, "GET", `/agents/${me.agent_id}/state`, agent);
    await call(base, "POST", `/offers/${st.offer.offer_id}/accept`, agent);
    await label.filter({ hasText: "通话中" }).waitFor();
    check(true, "answered: on a call");
    await call(base, "POST", `/contacts/${contact_id}/finish`, agent);
    const wrap = page.getByTestId("wrap-up");
    await wrap.waitFor();
    await page.locator("[data-testid=screen-pop].ended").filter({ hasText: vip.name }).waitFor();
    check(true, "during wrap-up the caller stays in view, marked as ended");
    const codes = await call(base, "GET", "/wrap-up-codes", agent);
    await chooseWrapUp(page, wrap, codes[0].label);
    await wrap.locator("textarea[name=notes]").fill("客户咨询会员权益，已解答。");
    await wrap.getByRole("button", { name: "保存" }).click();
    await wrap.getByRole("status").filter({ hasText: "已保存" }).waitFor();
    await page.getByTestId("screen-pop").waitFor({ state: "detached" });
    check(true, "saved, the finished call leaves the screen");
    const saved = await call(base, "GET", `/interactions/${contact_id}`, sup);
    check(saved.wrap_up_code === codes[0].id && saved.notes.includes("会员权益"), "the interaction carries the wrap-up code and notes");
    await page.screenshot({ path: join(shots, "desktop-zh-wrap-up.png") });

    // The customer's page: the call just handled is in their history.
    await page.locator(".customer-search input").fill(vip.name);
    await page.getByRole("button", { name: "搜索客户" }).click();
    await page.locator(".customer-search").getByRole("button", { name: vip.name }).click();
    const history = page.getByTestId("customer-page");
    await history.filter({ hasText: codes[0].label }).waitFor();
    check(true, `the customer's page lists the call with its wrap-up code, by name (${codes[0].label})`);

    await page.reload();
    await label.waitFor();
    check(true, "a reload keeps the session");

    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    check((await page.locator("html").getAttribute("lang")) === "en", "English on request");
    await page.getByTestId("reason-select").click();
    const reasons = await page.locator(".ant-select-dropdown:visible").innerText();
    await page.keyboard.press("Escape");
    check(reasons.includes("Lunch") && !reasons.includes("午餐"), "reason codes configured in Chinese read in English (their English labels)");
    check(await page.getByRole("button", { name: "Go available" }).isVisible(), "the state buttons say what they do (Go available)");
    await page.screenshot({ path: join(shots, "desktop-en.png") });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    check(true, "sign-out returns to the login page");
    await page.screenshot({ path: join(shots, "login-en.png") });
  } catch (e) {
    await page.screenshot({ path: join(shots, "failure.png") }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
  }
}

// ---------------------------------------------------------------- softphone

/** A port free for both UDP and TCP on 127.0.0.1 (baresip listens on both). */
async function freePort() {
  for (;;) {
    const udp = createSocket("udp4");
    const port = await new Promise((ok, fail) => {
      udp.once("error", fail);
      udp.bind(0, "127.0.0.1", () => ok(udp.address().port));
    });
    const tcpFree = await new Promise((ok) => {
      const tcp = createServer();
      tcp.once("error", () => ok(false));
      tcp.listen(port, "127.0.0.1", () => tcp.close(() => ok(true)));
    });
    udp.close();
    if (tcpFree) return port;
  }
}

/** `seconds` of a half-scale sine at `hz`, mono 16-bit, made by sox. */
function makeTone(path, rate, hz, seconds) {
  const r = spawnSync("sox", ["-n", "-r", String(rate), "-c", "1", "-b", "16", path, "synth", String(seconds), "sine", String(hz), "vol", "0.5"]);
  if (r.status !== 0) throw new Error(`sox failed (apt-get install sox): ${r.stderr ?? r.error}`);
}

/**
 * A headless baresip that calls from 5550100 without registering, sending
 * a 440 Hz tone as its microphone; driven through its stdin.
 */
async function startCaller(dir) {
  const rec = join(dir, "rec");
  mkdirSync(rec);
  const tone = join(dir, "tone440.wav");
  makeTone(tone, 8000, 440, 60);
  const lo = 30000 + (process.pid % 100) * 20;
  writeFileSync(
    join(dir, "config"),
    [
      `sip_listen 127.0.0.1:${await freePort()}`,
      "net_interface 127.0.0.1",
      "audio_player alsa,null",
      "audio_alert alsa,null",
      `audio_source aufile,${tone}`,
      "audio_srate 8000",
      "audio_channels 1",
      `rtp_ports ${lo}-${lo + 19}`,
      "module_path /usr/lib/baresip/modules",
      "module stdio.so",
      "module g711.so",
      "module aufile.so",
      "module alsa.so",
      "module sndfile.so",
      "module_app account.so",
      "module_app menu.so",
      `snd_path ${rec}`,
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "accounts"), "<sip:5550100@127.0.0.1>;regint=0;audio_codecs=PCMU/8000/1\n");
  const proc = spawn("baresip", ["-f", dir], { stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let exited = null;
  proc.stdout.on("data", (d) => (out += d));
  proc.stderr.on("data", (d) => (out += d));
  proc.on("exit", (code, signal) => (exited = code ?? signal));
  proc.on("error", (e) => (exited = String(e)));
  const caller = {
    /** What a terminal would show: no status line, no redraw of each typed key. */
    output: () =>
      out
        .split(/[\r\n]/)
        .filter((l, i, all) => l.trim() && !l.includes("(bit/s)") && !(all[i + 1] ?? "").startsWith(l))
        .join("\n"),
    command(line) {
      if (exited !== null) throw new Error(`baresip has exited (${exited}):\n${caller.output()}`);
      proc.stdin.write(line + "\n");
    },
    /** How often `needle` has appeared. */
    count: (needle) => out.split(needle).length - 1,
    /** Waits until `needle` has appeared `times` times. */
    async waitFor(needle, ms, times = 1) {
      const deadline = Date.now() + ms;
      while (caller.count(needle) < times) {
        if (exited !== null) throw new Error(`baresip exited (${exited}) before \`${needle}\`:\n${caller.output()}`);
        if (Date.now() > deadline) throw new Error(`baresip: no \`${needle}\` within ${ms} ms:\n${caller.output()}`);
        await sleep(100);
      }
    },
    async quit() {
      if (exited === null) {
        proc.stdin.write("/quit\n");
        for (let i = 0; i < 30 && exited === null; i++) await sleep(100);
      }
      if (exited === null) proc.kill("SIGKILL");
    },
  };
  // baresip is ready for commands once its user agent is up.
  await caller.waitFor("baresip is ready", 10_000).catch(() => sleep(1000));
  return caller;
}

/** A 16-bit PCM WAV: its channels, rate and interleaved samples. */
function parseWav(buf) {
  if (buf.length < 12 || buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") throw new Error("not a RIFF/WAVE file");
  let fmt = null;
  for (let at = 12; at + 8 <= buf.length; ) {
    const id = buf.toString("ascii", at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === "fmt ") {
      fmt = { tag: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
      if (fmt.tag === 0xfffe && size >= 40) fmt.tag = buf.readUInt16LE(body + 24);
      if (fmt.tag !== 1 || fmt.bits !== 16) throw new Error(`format ${fmt.tag} with ${fmt.bits} bits, want 16-bit PCM`);
    } else if (id === "data") {
      if (!fmt) throw new Error("data before fmt");
      const available = buf.length - body;
      let len = size === 0 || size > available ? available : size;
      len -= len % (2 * fmt.channels);
      const samples = new Int16Array(len / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(body + 2 * i);
      return { channels: fmt.channels, rate: fmt.rate, samples };
    }
    at = body + size + (size & 1);
  }
  throw new Error("no data chunk");
}

function channelOf(wav, c) {
  const out = new Float64Array(wav.samples.length / wav.channels);
  for (let i = 0; i < out.length; i++) out[i] = wav.samples[i * wav.channels + c];
  return out;
}

/**
 * The share of a signal's energy that is a tone at `hz` (about 1 for a pure
 * tone, about 0 for another tone, noise or silence): Goertzel power summed
 * over 50 ms blocks, so phase jumps (lost packets, concealment) do not
 * cancel out, against the signal's mean square.
 */
function toneShare(x, rate, hz) {
  const block = Math.round(rate / 20);
  const blocks = Math.floor(x.length / block);
  if (blocks === 0) return 0;
  const coeff = 2 * Math.cos((2 * Math.PI * hz) / rate);
  let power = 0;
  let energy = 0;
  for (let b = 0; b < blocks; b++) {
    let s1 = 0;
    let s2 = 0;
    for (let i = b * block; i < (b + 1) * block; i++) {
      const s = x[i] + coeff * s1 - s2;
      s2 = s1;
      s1 = s;
      energy += x[i] * x[i];
    }
    power += (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (block * block);
  }
  const ms = energy / (blocks * block);
  return ms < 1 ? 0 : (2 * (power / blocks)) / ms;
}

/** The longest run of 50 ms blocks quieter than rms 100 (of 32767), in seconds. */
function silentRun(x, rate) {
  const block = Math.round(rate / 20);
  let best = 0;
  let run = 0;
  for (let at = 0; at + block <= x.length; at += block) {
    let e = 0;
    for (let i = at; i < at + block; i++) e += x[i] * x[i];
    run = Math.sqrt(e / block) < 100 ? run + 1 : 0;
    best = Math.max(best, run);
  }
  return best / 20;
}

function describeTones(x, rate) {
  const rms = Math.sqrt(x.reduce((a, v) => a + v * v, 0) / Math.max(1, x.length));
  return `${(x.length / rate).toFixed(2)} s, rms ${rms.toFixed(0)}, 440 Hz ${toneShare(x, rate, 440).toFixed(3)}, 880 Hz ${toneShare(x, rate, 880).toFixed(3)}`;
}

/**
 * Listens to the softphone's remote audio in the page for `ms`: an
 * AnalyserNode on the <audio> element's stream, power spectra averaged;
 * the strongest frequency between 100 Hz and 4 kHz, and the share of that
 * band's power within 25 Hz of 440 Hz.
 */
async function listenInPage(page, ms, selector = "[data-testid=softphone-audio]") {
  return page.evaluate(async ([ms, selector]) => {
    const el = document.querySelector(selector);
    const stream = el && el.srcObject;
    if (!stream) return { error: "no remote stream on the softphone's <audio>" };
    const ctx = new AudioContext();
    await ctx.resume();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    ctx.createMediaStreamSource(stream).connect(analyser);
    const bins = new Float32Array(analyser.frequencyBinCount);
    const sum = new Float64Array(analyser.frequencyBinCount);
    const wave = new Float32Array(analyser.fftSize);
    let rms = 0;
    const rounds = Math.max(1, Math.floor(ms / 200));
    for (let r = 0; r < rounds; r++) {
      await new Promise((ok) => setTimeout(ok, 200));
      analyser.getFloatFrequencyData(bins);
      for (let k = 0; k < bins.length; k++) sum[k] += Number.isFinite(bins[k]) ? 10 ** (bins[k] / 10) : 0;
      analyser.getFloatTimeDomainData(wave);
      rms += Math.sqrt(wave.reduce((a, v) => a + v * v, 0) / wave.length) / rounds;
    }
    const hzPerBin = ctx.sampleRate / analyser.fftSize;
    let peak = -1;
    let band = 0;
    let near440 = 0;
    for (let k = Math.ceil(100 / hzPerBin); k <= Math.floor(4000 / hzPerBin); k++) {
      band += sum[k];
      if (Math.abs(k * hzPerBin - 440) <= 25) near440 += sum[k];
      if (peak < 0 || sum[k] > sum[peak]) peak = k;
    }
    await ctx.close();
    return { peakHz: peak * hzPerBin, share440: band > 0 ? near440 / band : 0, rms, rate: ctx.sampleRate };
  }, [ms, selector]);
}

/** A real SIP caller reaches agent1's browser through the IVR and the queue. */
async function softphone(base, sipPort) {
  console.log(`softphone against ${base} (SIP on ${sipPort})`);
  const tmp = mkdtempSync(join(tmpdir(), "hotline-softphone-"));
  const mic = join(tmp, "tone880.wav");
  makeTone(mic, 48000, 880, 30);

  const version = await menuOn1000(base, "e2e-web");
  check(true, `IVR flow e2e-web v${version} (a menu: 1 for sales) published on 1000`);

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      ...chromiumArgs,
      "--use-fake-device-for-media-stream",
      "--use-fake-ui-for-media-stream",
      `--use-file-for-fake-audio-capture=${mic}`,
      "--autoplay-policy=no-user-gesture-required",
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(15_000);
  await serveWeb(page, base);
  let caller = null;
  try {
    const { label, goAvailable } = await agentReady(page, base);
    const phone = page.getByTestId("softphone");
    check(true, "the softphone comes online when the desktop opens, and agent1 goes available");

    const dir = join(tmp, "caller");
    mkdirSync(dir);
    caller = await startCaller(dir);
    // Dials 1000, waits for the IVR to answer, presses 1 (RFC 4733).
    const dialAndPress1 = async () => {
      const before = caller.count("Call established");
      caller.command(`/dial sip:1000@127.0.0.1:${sipPort}`);
      await caller.waitFor("Call established", 10_000, before + 1);
      await sleep(1500);
      caller.command("/sndcode 1");
    };
    await dialAndPress1();
    const ringing = page.getByTestId("softphone-ringing");
    await ringing.waitFor({ timeout: 20_000 });
    await page.getByTestId("screen-pop").filter({ hasText: "1000" }).waitFor();
    const number = await page.getByTestId("pop-number").innerText();
    check(number.includes("*") && number.endsWith("00"), `the caller's call rings in the browser, with its screen pop (${number}, dialled 1000)`);

    await ringing.getByRole("button", { name: "接听" }).click();
    const status = page.getByTestId("softphone-status");
    await page.locator("[data-testid=softphone-status][data-state=connected]").waitFor({ timeout: 10_000 });
    const connectedAt = Date.now();
    check((await status.getAttribute("data-connection")) === "connected", "answered in the browser: WebRTC connected");
    check(true, "the caller's call is established (the IVR answered, 1 pressed, the agent took it)");
    await label.filter({ hasText: "通话中" }).waitFor();
    await sleep(4000);

    const heard = await listenInPage(page, 1500);
    if (heard.error) throw new Error(heard.error);
    check(Math.abs(heard.peakHz - 440) <= 15 && heard.share440 > 0.5, `the browser hears the caller's 440 Hz (peak ${heard.peakHz.toFixed(1)} Hz, ${(100 * heard.share440).toFixed(0)} % of the band, rms ${heard.rms.toFixed(3)})`);
    await superviseTheCall(browser, base, page);
    const timer = await page.getByTestId("softphone-timer").innerText();
    check(/^\d+:\d\d$/.test(timer) && timer !== "0:00", `the call timer runs (${timer})`);
    await phone.getByRole("button", { name: "5" }).click();
    await phone.locator(".phone-keys").filter({ hasText: "5" }).waitFor();
    await caller.waitFor("received event: '5'", 5_000);
    check(true, "a key pressed in the browser reaches the caller as RFC 4733");
    await page.screenshot({ path: join(shots, "desktop-softphone-zh.png") });
    const muteAt = Date.now() - connectedAt;
    await phone.getByRole("button", { name: "静音" }).click();
    await sleep(1500);
    await phone.getByRole("button", { name: "取消静音" }).click();
    await sleep(500);

    await phone.getByRole("button", { name: "挂断" }).click();
    await caller.waitFor("session closed", 10_000);
    check(true, "hang up in the browser: the caller's call closes");
    await page.getByTestId("wrap-up").waitFor();
    check(true, "the wrap-up form appears");
    await page.locator("[data-testid=softphone-status][data-state=ended]").waitFor();

    // The call's recording: the caller left, the browser agent right.
    const sup = await tokenOf(base, "supervisor");
    const me = await call(base, "GET", "/me", await tokenOf(base, "agent1"));
    const list = await call(base, "GET", "/interactions?limit=20", sup);
    const interaction = list.find((i) => i.channel === "voice" && i.agent_id === me.agent_id && (i.from ?? "").includes("5550100"));
    check(interaction !== undefined, `the call is an interaction of agent1 (${interaction?.id}, outcome ${interaction?.outcome})`);
    let recording = null;
    for (let i = 0; i < 50 && !recording?.sha256; i++) {
      const full = await call(base, "GET", `/interactions/${interaction.id}`, sup);
      recording = (full.recordings ?? [])[0] ?? null;
      if (!recording?.sha256) await sleep(100);
    }
    check(recording?.sha256, `the call was recorded and the recording closed (${recording?.id}, ${recording?.duration_ms} ms)`);
    const r = await fetch(`${base}/api/v1/recordings/${recording.id}/audio`, { headers: { authorization: `Bearer ${sup}` } });
    if (!r.ok) throw new Error(`GET recording audio: ${r.status} ${await r.text()}`);
    const wav = parseWav(Buffer.from(await r.arrayBuffer()));
    check(wav.channels === 2, `the recording is stereo (${wav.channels} ch at ${wav.rate} Hz, ${(wav.samples.length / wav.channels / wav.rate).toFixed(2)} s)`);
    // Seconds 1 to 3.5 of the call: both sides talking, before any key or mute.
    const span = (x, from, to) => x.subarray(Math.floor(from * wav.rate), Math.floor(to * wav.rate));
    const left = span(channelOf(wav, 0), 1, 3.5);
    const right = span(channelOf(wav, 1), 1, 3.5);
    check(toneShare(left, wav.rate, 440) > 0.5 && toneShare(left, wav.rate, 880) < 0.1, `left (the caller) is 440 Hz: ${describeTones(left, wav.rate)}`);
    check(toneShare(right, wav.rate, 880) > 0.5 && toneShare(right, wav.rate, 440) < 0.1, `right (the browser agent) is 880 Hz: ${describeTones(right, wav.rate)}`);
    // Muted for 1.5 s from about `muteAt`: the browser's side falls silent, the caller's does not
    // (a busy machine may drop a moment of the caller's audio; a muted caller would be silent
    // for the whole 1.5 s).
    const quiet = silentRun(span(channelOf(wav, 1), muteAt / 1000 - 0.5, muteAt / 1000 + 2.5), wav.rate);
    const callerThen = silentRun(span(channelOf(wav, 0), muteAt / 1000 - 0.5, muteAt / 1000 + 2.5), wav.rate);
    check(quiet >= 1.0 && callerThen < 1.0, `muting silences the browser's side only (${quiet.toFixed(1)} s silent right, ${callerThen.toFixed(1)} s left)`);
    await page.screenshot({ path: join(shots, "desktop-softphone-zh-wrap-up.png") });

    // Reject: the offer ends, the caller keeps waiting; then the caller gives up.
    const agentTok = await tokenOf(base, "agent1");
    const offerNow = async () => (await call(base, "GET", `/agents/${me.agent_id}/state`, agentTok)).offer;
    await page.getByRole("button", { name: "结束整理" }).click();
    await label.filter({ hasText: "就绪" }).waitFor();
    const terminatedBefore = caller.count("terminated");
    await dialAndPress1();
    await ringing.waitFor();
    const rang = await offerNow();
    await ringing.getByRole("button", { name: "拒接" }).click();
    for (let i = 0; i < 50; i++) {
      const o = await offerNow();
      if (!o || o.offer_id !== rang.offer_id) break;
      await sleep(100);
    }
    const closed = caller.count("session closed");
    const after = await offerNow();
    check(!after || after.offer_id !== rang.offer_id, `reject ends the offer (${rang.offer_id} → ${after ? `${after.offer_id}, offered again` : "none"})`);
    check(caller.count("session closed") === closed && caller.count("terminated") === terminatedBefore, "the rejected caller keeps waiting in the queue");
    const hungUp = caller.count("terminate call '");
    caller.command("/hangup");
    await caller.waitFor("terminate call '", 5_000, hungUp + 1);
    await ringing.waitFor({ state: "hidden" });
    check(true, "the caller gives up: the browser stops ringing");

    // The caller hangs up a call answered in the browser: the browser's call ends by itself.
    if (await goAvailable.isEnabled()) await goAvailable.click();
    await label.filter({ hasText: "就绪" }).waitFor();
    await dialAndPress1();
    await ringing.getByRole("button", { name: "接听" }).click();
    await page.locator("[data-testid=softphone-status][data-state=connected]").waitFor({ timeout: 10_000 });
    await sleep(500);
    caller.command("/hangup");
    await page.locator("[data-testid=softphone-status][data-state=ended]").waitFor({ timeout: 5_000 });
    const wrap = page.getByTestId("wrap-up");
    await wrap.waitFor();
    check(true, "the caller hangs up: the browser's call ends and the wrap-up form appears");
    // The agent picks a wrap-up code; the interaction carries it.
    const codes = await call(base, "GET", "/wrap-up-codes", agentTok);
    await chooseWrapUp(page, wrap, codes[1].label);
    await wrap.getByRole("button", { name: "保存" }).click();
    await wrap.getByRole("status").filter({ hasText: "已保存" }).waitFor();
    const latest = (await call(base, "GET", "/interactions?limit=5", sup)).find((i) => i.agent_id === me.agent_id && i.outcome === "answered");
    check(latest?.wrap_up_code === codes[1].id, `the interaction shows the wrap-up code (${latest?.wrap_up_code})`);

    // A blind transfer from the desktop: the caller goes to support with a note; agent1 wraps up.
    await page.getByRole("button", { name: "结束整理" }).click();
    await label.filter({ hasText: "就绪" }).waitFor();
    await dialAndPress1();
    await ringing.getByRole("button", { name: "接听" }).click();
    await page.locator("[data-testid=softphone-status][data-state=connected]").waitFor({ timeout: 10_000 });
    const controls = page.getByTestId("call-controls");
    await controls.getByTestId("transfer-target").fill("support");
    await controls.getByTestId("transfer-note").fill("已核实身份，账单问题");
    await controls.getByTestId("transfer").click();
    await page.locator("[data-testid=softphone-status][data-state=ended]").waitFor({ timeout: 10_000 });
    await page.getByTestId("wrap-up").waitFor();
    let moved = null;
    for (let i = 0; i < 50 && !moved; i++) {
      moved = (await call(base, "GET", "/calls", sup)).find((c) => c.queue_id === "support");
      if (!moved) await sleep(100);
    }
    const pop = moved && (await call(base, "GET", `/interactions/${moved.contact_id}`, sup));
    check(pop?.ivr?.transfer_note === "已核实身份，账单问题" && pop?.priority >= 50,
      `transferred from the desktop: the caller waits in support with the note and a boost (${moved?.phase}, priority ${pop?.priority}); agent1's call ends into wrap-up`);
    const closedAt = caller.count("terminate call '");
    caller.command("/hangup");
    await caller.waitFor("terminate call '", 5_000, closedAt + 1);
  } catch (e) {
    await page.screenshot({ path: join(shots, "failure-softphone.png") }).catch(() => {});
    if (caller) console.error(`----- the caller's baresip -----\n${caller.output()}\n-----`);
    throw e;
  } finally {
    await caller?.quit();
    await browser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * While agent1 (the browser, 880 Hz) talks to the caller (440 Hz): the
 * agent holds and resumes from the desktop; a supervisor's wallboard shows
 * a waiting contact raise the long-wait alert (a 1 s threshold set through
 * the API instead of five minutes), acknowledges it, and listens to the
 * live call in the browser, hearing both tones.
 */
async function superviseTheCall(browser, base, agentPage) {
  const hold = agentPage.getByTestId("hold");
  await hold.filter({ hasText: "保持" }).click();
  await agentPage.getByTestId("held").waitFor();
  await hold.filter({ hasText: "恢复通话" }).click();
  await agentPage.getByTestId("held").waitFor({ state: "hidden" });
  check(true, "the agent holds the caller from the desktop and takes them back");
  const pause = agentPage.getByTestId("secure-pause");
  await pause.filter({ hasText: "暂停录音" }).click();
  await agentPage.getByTestId("paused").waitFor();
  await pause.filter({ hasText: "恢复录音" }).click();
  await agentPage.getByTestId("paused").waitFor({ state: "hidden" });
  check(true, "the agent pauses the recording (secure pause) and resumes it from the desktop");

  const sup = await tokenOf(base, "supervisor");
  await call(base, "PUT", "/queues/support/alert-rules", sup, { waiting_secs: 1, service_level: false, not_ready_secs: null, call_secs: null });
  const { contact_id: waiting } = await call(base, "POST", "/contacts", sup, { queue: "support", channel: "voice", from: "13900139000" });
  const board = await signedInPage(browser, base, "supervisor", { width: 1600, height: 1000 });
  try {
    await board.waitForURL("**/supervisor");
    const alert = board.getByTestId("alert-long_wait-support");
    await alert.waitFor({ timeout: 15_000 });
    check((await alert.innerText()).includes("客户等待过久"), "the wallboard raises the long-wait alert for the waiting caller");
    await alert.getByRole("button", { name: "确认" }).click();
    await alert.filter({ hasText: "已确认 · supervisor" }).waitFor();
    const acked = (await call(base, "GET", "/alerts", sup)).find((a) => a.kind === "long_wait" && a.subject === "support");
    check(acked?.acked_by === "supervisor", `acknowledged on the board, and for the API (${acked?.acked_by})`);

    const live = board.getByTestId("live-calls").locator("tr", { hasText: "通话中" }).first();
    await live.waitFor();
    await live.getByRole("button", { name: "监听" }).click();
    await live.getByText("监听中").waitFor({ timeout: 10_000 });
    // Both sides within 10 s of listening (the browser's audio takes a moment to flow).
    const both = (h) => h.share440 > 0.15 && h.share440 < 0.85 && h.rms > 0.01;
    let heard = null;
    for (const until = Date.now() + 10_000; Date.now() < until && !(heard && both(heard)); ) {
      heard = await listenInPage(board, 1500, "[data-testid=monitor-audio]");
      if (heard.error) throw new Error(heard.error);
    }
    const seen = both(heard) ? "" : `; the call as the API shows it: ${JSON.stringify(await call(base, "GET", "/calls", sup))}`;
    check(both(heard),
      `listening in the browser, the supervisor hears both sides (440 Hz is ${(100 * heard.share440).toFixed(0)} % of the band, the rest the agent's 880 Hz; rms ${heard.rms.toFixed(3)})${seen}`);
    await board.screenshot({ path: join(shots, "wallboard-monitoring-zh.png") });
    await live.getByRole("button", { name: "结束监听" }).click();
    await live.getByText("监听中").waitFor({ state: "hidden" });
    check(true, "the supervisor stops listening; the call goes on");
  } finally {
    await call(base, "POST", `/contacts/${waiting}/abandon`, sup, {}).catch(() => {});
    await board.close();
  }
}

/** Publishes flow `id` on 1000: a menu where key 1 queues in sales. */
async function menuOn1000(base, id) {
  const admin = await tokenOf(base, "admin");
  const flow = {
    id,
    start: "menu",
    nodes: {
      menu: { type: "menu", prompt: "greeting", choices: { 1: "q" }, timeout_secs: 10, retries: 3, on_failure: "bye" },
      q: { type: "enqueue", queue: "sales" },
      bye: { type: "hangup" },
    },
  };
  const saved = await call(base, "PUT", `/ivr/flows/${id}`, admin, flow);
  await call(base, "POST", `/ivr/flows/${id}/versions/${saved.version}/publish`, admin, {});
  await call(base, "PUT", "/ivr/numbers/1000", admin, { flow_id: id });
  await sleep(1500);
  return saved.version;
}

/** agent1 signs in on `page`; their softphone comes online and they go available. */
async function agentReady(page, base, username = "agent1") {
  await page.goto(base + "/");
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", "demo");
  await page.getByRole("button", { name: "登录" }).click();
  const label = page.getByTestId("state-label");
  await label.waitFor();
  await page.locator("[data-testid=softphone].online").waitFor();
  await page.locator(".conn.up").waitFor();
  if ((await label.innerText()).includes("话后整理")) await page.getByRole("button", { name: "结束整理" }).click();
  const goAvailable = page.locator("button.go-available");
  if (await goAvailable.isEnabled()) await goAvailable.click();
  await label.filter({ hasText: "就绪" }).waitFor();
  return { label, goAvailable };
}

/** Launches Chromium whose fake microphone plays `wav`. */
function browserWithMic(wav) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [...chromiumArgs, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-audio-capture=${wav}`, "--autoplay-policy=no-user-gesture-required"],
  });
}

/** A website visitor calls 1000 from `/call` and reaches agent1's browser. */
async function callUs(base) {
  console.log(`call us against ${base}`);
  const tmp = mkdtempSync(join(tmpdir(), "hotline-callus-"));
  makeTone(join(tmp, "caller440.wav"), 48000, 440, 30);
  makeTone(join(tmp, "agent880.wav"), 48000, 880, 30);
  await menuOn1000(base, "e2e-callus");

  const agentBrowser = await browserWithMic(join(tmp, "agent880.wav"));
  const callerBrowser = await browserWithMic(join(tmp, "caller440.wav"));
  try {
    const agent = await agentBrowser.newPage({ viewport: { width: 1366, height: 768 } });
    agent.setDefaultTimeout(15_000);
    await serveWeb(agent, base);
    await agentReady(agent, base);
    check(true, "agent1 waits in the browser, available");

    const visitor = await callerBrowser.newPage({ viewport: { width: 1366, height: 768 } });
    visitor.setDefaultTimeout(15_000);
    await serveWeb(visitor, base);
    await visitor.goto(base + "/call");
    await visitor.getByRole("button", { name: "拨打热线" }).click();
    await visitor.locator("[data-testid=call-us][data-state=connected]").waitFor();
    check(true, "the /call page calls 1000 over WebRTC without an account");
    await visitor.screenshot({ path: join(shots, "call-us-zh.png") });
    // The IVR's menu: the visitor presses 1 on the page's keypad (RFC 4733).
    await sleep(1500);
    await visitor.locator(".call-card .phone-keys").getByRole("button", { name: "1", exact: true }).click();

    const ringing = agent.getByTestId("softphone-ringing");
    await ringing.waitFor({ timeout: 20_000 });
    check(true, "key 1 on the page's keypad chose the menu: the web call rings in agent1's browser");
    await ringing.getByRole("button", { name: "接听" }).click();
    await agent.locator("[data-testid=softphone-status][data-state=connected]").waitFor({ timeout: 10_000 });
    await sleep(4000);
    const agentHears = await listenInPage(agent, 1500);
    if (agentHears.error) throw new Error(agentHears.error);
    check(Math.abs(agentHears.peakHz - 440) <= 15, `the agent hears the visitor's 440 Hz (peak ${agentHears.peakHz.toFixed(1)} Hz)`);
    const visitorHears = await listenInPage(visitor, 1500, "[data-testid=call-us-audio]");
    if (visitorHears.error) throw new Error(visitorHears.error);
    check(Math.abs(visitorHears.peakHz - 880) <= 15, `the visitor hears the agent's 880 Hz (peak ${visitorHears.peakHz.toFixed(1)} Hz)`);

    await visitor.getByRole("button", { name: "挂断" }).click();
    await agent.locator("[data-testid=softphone-status][data-state=ended]").waitFor({ timeout: 10_000 });
    await agent.getByTestId("wrap-up").waitFor();
    check(true, "the visitor hangs up: the agent's call ends and the wrap-up form appears");

    const sup = await tokenOf(base, "supervisor");
    const list = await call(base, "GET", "/interactions?limit=20", sup);
    const it = list.find((i) => i.channel === "voice" && i.from === "web" && i.outcome === "answered");
    check(it !== undefined, `the web call is an answered interaction (${it?.id})`);
    let recording = null;
    for (let i = 0; i < 50 && !recording?.sha256; i++) {
      const full = await call(base, "GET", `/interactions/${it.id}`, sup);
      recording = (full.recordings ?? [])[0] ?? null;
      if (!recording?.sha256) await sleep(100);
    }
    const r = await fetch(`${base}/api/v1/recordings/${recording.id}/audio`, { headers: { authorization: `Bearer ${sup}` } });
    const wav = parseWav(Buffer.from(await r.arrayBuffer()));
    const span = (x) => x.subarray(Math.floor(1 * wav.rate), Math.floor(3.5 * wav.rate));
    const left = span(channelOf(wav, 0));
    const right = span(channelOf(wav, 1));
    check(toneShare(left, wav.rate, 440) > 0.5, `recording left (the visitor) is 440 Hz: ${describeTones(left, wav.rate)}`);
    check(toneShare(right, wav.rate, 880) > 0.5, `recording right (the agent) is 880 Hz: ${describeTones(right, wav.rate)}`);
  } finally {
    await agentBrowser.close();
    await callerBrowser.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
