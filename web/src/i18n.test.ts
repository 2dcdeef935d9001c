import { describe, expect, it } from "vitest";
import { clock, translate, Key } from "./i18n";

describe("i18n", () => {
  it("has every key in both languages, and they differ", () => {
    const keys: Key[] = ["appName", "login", "available", "notReady", "wrapUp", "incoming", "ivrInputs", "save", "softphone", "answer", "reject", "hangUp", "mute", "callTaken"];
    for (const k of keys) {
      expect(translate("zh-CN", k).length).toBeGreaterThan(0);
      expect(translate("en", k).length).toBeGreaterThan(0);
      expect(translate("zh-CN", k)).not.toBe(translate("en", k));
    }
    expect(translate("zh-CN", "available")).toBe("就绪");
  });

  it("formats times in state", () => {
    expect(clock(0)).toBe("0:00");
    expect(clock(65_400)).toBe("1:05");
    expect(clock(3_725_000)).toBe("1:02:05");
    expect(clock(-5)).toBe("0:00");
  });
});
