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

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const bin = process.env.HOTLINE_BIN;
if (!bin) throw new Error("HOTLINE_BIN must name the hotline binary");
const shots = resolve(process.env.SCREENSHOTS ?? join(here, "../../target/screenshots"));
mkdirSync(shots, { recursive: true });
const data = mkdtempSync(join(tmpdir(), "hotline-web-"));

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`  ok  ${what}`);
}

/** Starts the server; resolves with its base URL once it listens. */
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
        ok({ server, base: m[1] });
      }
    });
    server.on("exit", (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
  });
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
  const { server, base } = await startServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(15_000);
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
    const codes = await call(base, "GET", "/wrap-up-codes", agent);
    await wrap.locator("select[name=wrap_up_code]").selectOption(codes[0].id);
    await wrap.locator("textarea[name=notes]").fill("客户咨询会员权益，已解答。");
    await wrap.getByRole("button", { name: "保存" }).click();
    await wrap.getByRole("status").filter({ hasText: "已保存" }).waitFor();
    check((await page.getByTestId("screen-pop").count()) === 0, "the finished call leaves the screen");
    const saved = await call(base, "GET", `/interactions/${contact_id}`, sup);
    check(saved.wrap_up_code === codes[0].id && saved.notes.includes("会员权益"), "the interaction carries the wrap-up code and notes");
    await page.screenshot({ path: join(shots, "desktop-zh-wrap-up.png") });

    await page.reload();
    await label.waitFor();
    check(true, "a reload keeps the session");

    await page.getByRole("button", { name: "English" }).click();
    await page.getByRole("button", { name: "Sign out" }).waitFor();
    check((await page.locator("html").getAttribute("lang")) === "en", "English on request");
    await page.screenshot({ path: join(shots, "desktop-en.png") });
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    check(true, "sign-out returns to the login page");
    await page.screenshot({ path: join(shots, "login-en.png") });
    console.log(`screenshots in ${shots}`);
  } catch (e) {
    await page.screenshot({ path: join(shots, "failure.png") }).catch(() => {});
    throw e;
  } finally {
    await browser.close();
    server.kill("SIGTERM");
    rmSync(data, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
