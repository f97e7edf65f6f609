import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatDeadline, formatNumber, quoted } from "../src/messages/format.js";

// 2026-11-23 19:30 UTC is 2026-11-24 00:30 in Almaty (UTC+5).
const AT = Date.UTC(2026, 10, 23, 19, 30);

describe("dates and numbers for the learner's locale and the course's zone", () => {
  it("formats dates in the course's time zone", () => {
    expect(formatDate(AT, "en", "Asia/Almaty")).toBe("November 24, 2026");
    expect(formatDate(AT, "en", "Europe/London")).toBe("November 23, 2026");
    expect(formatDate(AT, "kk", "Asia/Almaty")).toBe("2026 ж. 24 қараша");
  });

  it("writes Russian dates without «г.» so a sentence never ends in «г..»", () => {
    expect(formatDate(AT, "ru", "Asia/Almaty")).toBe("24 ноября 2026");
    expect(formatDateTime(AT, "ru", "Asia/Almaty")).toBe("24 ноября 2026 в 00:30");
  });

  it("shows a deadline as the last minute that still counts", () => {
    const midnight = Date.UTC(2026, 10, 23, 19, 0);
    expect(formatDeadline(midnight, "en", "Asia/Almaty")).toBe("November 23, 2026 at 23:59");
  });

  it("formats numbers per locale", () => {
    expect(formatNumber(1234.56, "en")).toBe("1,234.6");
    expect(formatNumber(1234.56, "ru")).toBe("1\u00a0234,6"); // no-break space
    expect(formatNumber(1234.56, "kk")).toBe("1\u00a0234,6");
  });
});

describe("quotes the code adds around a value", () => {
  it("are «…» in Kazakh and Russian and “…” in English (locales/README.md)", () => {
    expect(quoted("Module 1", "en")).toBe("“Module 1”");
    expect(quoted("Модуль 1", "ru")).toBe("«Модуль 1»");
    expect(quoted("1-модуль", "kk")).toBe("«1-модуль»");
  });
});
