// The designer's words in both languages: node types, their fields and
// branches, and the panels. (Kept beside the designer: the app-wide
// dictionary holds what every page shares.)

import type { Lang } from "../i18n";

const zh = {
  kinds: {
    play: "播放", menu: "按键菜单", collect: "收号", say: "播报", set: "设置变量", condition: "条件",
    schedule: "工作时间", lookup: "查询", language: "语言", enqueue: "进入队列", transfer: "转接", voicemail: "留言", hangup: "挂机",
  },
  fields: {
    prompts: "提示音（每行一个；tts:cmn:文字 为合成语音）", prompt: "提示音", timeout_secs: "超时（秒）", retries: "重试次数",
    invalid_prompt: "输入错误提示音", var: "变量", min_digits: "最少位数", max_digits: "最多位数", secure: "安全输入（不记录、不外传）", terminator: "结束键",
    validate: "校验", value: "值", as: "读法", lang: "语言", equals: "等于", schedule: "或直接填写时间表（JSON）", backend: "数据源",
    params: "参数（JSON）", calendar: "营业时间日历", prefix: "结果前缀", queue: "队列", priority: "优先级", number: "号码", mailbox: "信箱",
  } as Record<string, string>,
  branches: {
    next: "下一步", on_failure: "失败", on_error: "出错", then: "是", otherwise: "否", open: "上班", closed: "下班",
  } as Record<string, string>,
  designer: "IVR 流程设计", flow: "流程", newFlow: "新建流程", palette: "节点（拖到画布或点击添加）", start: "起点",
  setStart: "设为起点", deleteNode: "删除节点", keys: "菜单按键（逗号分隔）", noSelection: "选择一个节点来编辑",
  problems: "问题", noProblems: "没有问题，可以发布", undo: "撤销", redo: "重做", layout: "自动排列",
  saveDraft: "保存草稿", publish: "发布", published: "已发布", draft: "草稿", versions: "版本", compare: "比较",
  rollback: "回滚到此版本", added: "新增", removed: "删除", changed: "修改", simulator: "模拟器", caller: "主叫号码",
  time: "来电时间", keysPressed: "按键", run: "运行", outcome: "结果", waitingAt: "等待按键于", numberTo: "号码指向此流程",
  pointNumber: "绑定号码", savedDraft: "已保存草稿 v", publishedVersion: "已发布 v", numberSet: "号码已指向此流程：",
  stale: "他人已保存了新版本；请重新加载", testCall: "测试呼叫", testCallHelp: "用浏览器麦克风拨打当前草稿（无需发布）", hangUp: "挂断", testCallState: { idle: "未呼叫", calling: "正在接通…", connected: "通话中", ended: "已结束", failed: "失败" }, reload: "重新加载", by: "由", target: "去向", lookupAnswers: "查询结果（JSON，null 表示失败）",
};

type Labels = typeof zh;

const en: Labels = {
  kinds: {
    play: "Play", menu: "Menu", collect: "Collect digits", say: "Say", set: "Set variable", condition: "Condition",
    schedule: "Schedule", lookup: "Lookup", language: "Language", enqueue: "Enqueue", transfer: "Transfer", voicemail: "Voicemail", hangup: "Hang up",
  },
  fields: {
    prompts: "Prompts (one per line; tts:eng:text is speech)", prompt: "Prompt", timeout_secs: "Timeout (s)", retries: "Retries",
    invalid_prompt: "Invalid-input prompt", var: "Variable", min_digits: "Min digits", max_digits: "Max digits", secure: "Secure input (never logged or kept)", terminator: "End key",
    validate: "Check", value: "Value", as: "Say as", lang: "Language", equals: "Equals", schedule: "Or hours here (JSON)", backend: "Backend",
    params: "Parameters (JSON)", calendar: "Calendar", prefix: "Result prefix", queue: "Queue", priority: "Priority", number: "Number", mailbox: "Mailbox",
  },
  branches: { next: "next", on_failure: "failure", on_error: "error", then: "yes", otherwise: "no", open: "open", closed: "closed" },
  designer: "IVR flow designer", flow: "Flow", newFlow: "New flow", palette: "Nodes (drag onto the canvas or click)", start: "Start",
  setStart: "Make start", deleteNode: "Delete node", keys: "Menu keys (comma-separated)", noSelection: "Select a node to edit it",
  problems: "Problems", noProblems: "No problems: ready to publish", undo: "Undo", redo: "Redo", layout: "Auto-layout",
  saveDraft: "Save draft", publish: "Publish", published: "Published", draft: "Draft", versions: "Versions", compare: "Compare",
  rollback: "Roll back to this version", added: "Added", removed: "Removed", changed: "Changed", simulator: "Simulator", caller: "Caller number",
  time: "Call time", keysPressed: "Keys", run: "Run", outcome: "Outcome", waitingAt: "Waiting for a key at", numberTo: "Point a number at this flow",
  pointNumber: "Point number", savedDraft: "Draft saved: v", publishedVersion: "Published: v", numberSet: "The number now runs this flow: ",
  stale: "Someone else saved a newer version; reload", testCall: "Test call", testCallHelp: "Call this draft from the browser's microphone (no need to publish)", hangUp: "Hang up", testCallState: { idle: "Not calling", calling: "Calling…", connected: "On the call", ended: "Ended", failed: "Failed" }, reload: "Reload", by: "by", target: "Goes to", lookupAnswers: "Lookup answers (JSON; null fails)",
};

export function labels(lang: Lang): Labels {
  return lang === "en" ? en : zh;
}

export type { Labels };
