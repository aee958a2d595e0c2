//! What kind of device a session was signed in from, for the list of
//! signed-in devices on `/account`: a browser and a system, as codes that
//! the catalogue names (`device.browser.wechat` → 微信 / WeChat). The
//! whole User-Agent string is never kept.

/// Browsers, most specific first (WeChat's and QQ's say "Chrome" too).
const BROWSERS: &[(&str, &str)] = &[
    ("MicroMessenger", "wechat"),
    ("QQBrowser", "qq"),
    ("UCBrowser", "uc"),
    ("HuaweiBrowser", "huawei"),
    ("MiuiBrowser", "xiaomi"),
    ("Edg/", "edge"),
    ("Firefox/", "firefox"),
    ("Chrome/", "chrome"),
    ("CriOS/", "chrome"),
    ("Safari/", "safari"),
];

const SYSTEMS: &[(&str, &str)] = &[
    ("HarmonyOS", "harmony"),
    ("Android", "android"),
    ("iPhone", "ios"),
    ("iPad", "ios"),
    ("Windows", "windows"),
    ("Mac OS X", "macos"),
    ("Linux", "linux"),
];

/// `"wechat android"`, `"safari ios"`; `"other other"` for anything unknown.
pub fn summary(user_agent: &str) -> String {
    let find = |table: &[(&str, &'static str)]| {
        table.iter().find(|(needle, _)| user_agent.contains(needle)).map_or("other", |(_, c)| c)
    };
    format!("{} {}", find(BROWSERS), find(SYSTEMS))
}

/// Every catalogue key a summary can name.
pub fn all_label_keys() -> Vec<String> {
    let mut keys: Vec<String> =
        BROWSERS.iter().map(|(_, c)| format!("device.browser.{c}")).collect();
    keys.extend(SYSTEMS.iter().map(|(_, c)| format!("device.system.{c}")));
    keys.push("device.browser.other".into());
    keys.push("device.system.other".into());
    keys
}

/// The catalogue keys of a stored summary: (browser, system).
pub fn label_keys(stored: &str) -> (String, String) {
    let known = |code: &str, table: &[(&str, &str)]| {
        if table.iter().any(|(_, c)| *c == code) { code.to_owned() } else { "other".to_owned() }
    };
    let (browser, system) = stored.split_once(' ').unwrap_or(("", ""));
    (
        format!("device.browser.{}", known(browser, BROWSERS)),
        format!("device.system.{}", known(system, SYSTEMS)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_phones_are_named() {
        let wechat = "Mozilla/5.0 (Linux; Android 12; M2012K11AC) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Version/4.0 Chrome/86.0.4240.99 XWEB/4365 MMWEBSDK/20221012 Mobile Safari/537.36 \
                      MMWEBID/1234 MicroMessenger/8.0.30.2260(0x28001E3B) WeChat/arm64 Weixin NetType/WIFI";
        assert_eq!(summary(wechat), "wechat android");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1";
        assert_eq!(summary(iphone), "safari ios");
        assert_eq!(summary(""), "other other");
        assert_eq!(summary("curl/8.0"), "other other");
        assert_eq!(
            label_keys("wechat android"),
            ("device.browser.wechat".into(), "device.system.android".into())
        );
        assert_eq!(
            label_keys("<b> x"),
            ("device.browser.other".into(), "device.system.other".into())
        );
    }
}
