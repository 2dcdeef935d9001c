// The UI's two languages. Chinese is the default (the demo center is a
// Chinese contact center); the choice is kept in the browser. A typed
// dictionary instead of an i18n library: every key exists in both
// languages, which the compiler checks, and there is nothing to load.

const zh = {
  appName: "热线联络中心",
  login: "登录",
  logout: "退出",
  username: "用户名",
  password: "密码",
  loginFailed: "用户名或密码错误",
  tooManyAttempts: "尝试次数过多，请稍后再试",
  otp: "动态验证码（或恢复码）",
  otpRequired: "请输入身份验证器中的验证码",
  otpWrong: "验证码错误或已使用",
  language: "English",
  available: "就绪",
  notReady: "未就绪",
  loggedOut: "已签出",
  wrapUp: "话后整理",
  busy: "通话中",
  reserved: "振铃中",
  idle: "空闲",
  timeInState: "状态时长",
  handledToday: "今日处理",
  reason: "原因",
  incoming: "来电",
  queue: "队列",
  waited: "等待",
  caller: "来电号码",
  customer: "客户",
  tier: "等级",
  tags: "标签",
  unknownCustomer: "未识别的客户",
  ivrInputs: "IVR 信息",
  recentInteractions: "近期联络记录",
  noInteractions: "暂无记录",
  wrapUpCode: "整理代码",
  notes: "备注",
  save: "保存",
  saved: "已保存",
  ready: "就绪",
  endWrapUp: "结束整理",
  connection: "连接",
  connected: "已连接",
  reconnecting: "重新连接中…",
  search: "搜索客户",
  searchPlaceholder: "电话或姓名",
  noResults: "没有找到客户",
  lastCall: "最近通话",
  outcome: "结果",
  seconds: "秒",
  vip: "VIP",
  noCall: "当前没有通话",
  softphone: "网页电话",
  phoneOnline: "在线",
  phoneOffline: "离线",
  phoneTurnOn: "开启",
  phoneTurnOff: "关闭",
  phoneUnavailable: "网页电话暂不可用",
  phoneRinging: "来电振铃",
  answer: "接听",
  reject: "拒接",
  hangUp: "挂断",
  mute: "静音",
  unmute: "取消静音",
  keypad: "拨号盘",
  callTime: "通话时长",
  speaker: "扬声器",
  microphone: "麦克风",
  defaultDevice: "默认设备",
  micNextCall: "麦克风从下次通话起生效",
  callStarting: "正在打开麦克风…",
  callAnswering: "正在接听…",
  callConnecting: "正在连接…",
  callConnected: "通话中",
  callReconnecting: "网络中断，正在重连…",
  callEnded: "通话已结束",
  callFailed: "通话失败",
  callTaken: "来电已被他人接听",
  callGone: "来电已结束",
  micUnavailable: "无法使用麦克风",
  networkFailed: "网络连接失败",
  callUs: "拨打热线",
  callUsHint: "点击按钮，用浏览器直接拨打客服热线",
  calling: "正在接通…",
  hangUpCall: "挂断",
} as const;

export type Key = keyof typeof zh;

/** Translates a key in the current language (what components receive). */
export type T = (key: Key) => string;

const en: Record<Key, string> = {
  appName: "Hotline Contact Center",
  login: "Sign in",
  logout: "Sign out",
  username: "Username",
  password: "Password",
  loginFailed: "Wrong username or password",
  tooManyAttempts: "Too many attempts, try again later",
  otp: "Authenticator code (or a recovery code)",
  otpRequired: "Enter the code from your authenticator app",
  otpWrong: "Wrong or used code",
  language: "中文",
  available: "Available",
  notReady: "Not ready",
  loggedOut: "Logged out",
  wrapUp: "Wrap-up",
  busy: "On a call",
  reserved: "Ringing",
  idle: "Idle",
  timeInState: "Time in state",
  handledToday: "Handled today",
  reason: "Reason",
  incoming: "Incoming",
  queue: "Queue",
  waited: "Waited",
  caller: "Caller",
  customer: "Customer",
  tier: "Tier",
  tags: "Tags",
  unknownCustomer: "Unknown customer",
  ivrInputs: "IVR inputs",
  recentInteractions: "Recent interactions",
  noInteractions: "None yet",
  wrapUpCode: "Wrap-up code",
  notes: "Notes",
  save: "Save",
  saved: "Saved",
  ready: "Ready",
  endWrapUp: "End wrap-up",
  connection: "Connection",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  search: "Find a customer",
  searchPlaceholder: "Phone or name",
  noResults: "No customer found",
  lastCall: "Last call",
  outcome: "Outcome",
  seconds: "s",
  vip: "VIP",
  noCall: "No call right now",
  softphone: "Softphone",
  phoneOnline: "Online",
  phoneOffline: "Offline",
  phoneTurnOn: "Turn on",
  phoneTurnOff: "Turn off",
  phoneUnavailable: "Softphone unavailable",
  phoneRinging: "Ringing",
  answer: "Answer",
  reject: "Reject",
  hangUp: "Hang up",
  mute: "Mute",
  unmute: "Unmute",
  keypad: "Keypad",
  callTime: "Call time",
  speaker: "Speaker",
  microphone: "Microphone",
  defaultDevice: "Default device",
  micNextCall: "The microphone applies from the next call",
  callStarting: "Opening the microphone…",
  callAnswering: "Answering…",
  callConnecting: "Connecting…",
  callConnected: "On the call",
  callReconnecting: "Connection lost, reconnecting…",
  callEnded: "Call ended",
  callFailed: "Call failed",
  callTaken: "Someone else took the call",
  callGone: "The call is no longer ringing",
  micUnavailable: "Microphone unavailable",
  networkFailed: "Network connection failed",
  callUs: "Call us",
  callUsHint: "Call our hotline from your browser:",
  calling: "Calling…",
  hangUpCall: "Hang up",
};

export type Lang = "zh-CN" | "en";

const dictionaries: Record<Lang, Record<Key, string>> = { "zh-CN": zh, en };

const STORAGE = "hotline.lang";

export function currentLang(): Lang {
  const saved = typeof localStorage !== "undefined" ? localStorage.getItem(STORAGE) : null;
  return saved === "en" ? "en" : "zh-CN";
}

export function setLang(lang: Lang): void {
  localStorage.setItem(STORAGE, lang);
  document.documentElement.lang = lang;
}

export function translate(lang: Lang, key: Key): string {
  return dictionaries[lang][key];
}

/** `mm:ss`, or `h:mm:ss` past an hour. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(h > 0 ? 2 : 1, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
