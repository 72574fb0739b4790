// Labels in English and Chinese. The browser's language picks one; the switch in the
// header overrides it and is remembered. Static labels carry `data-i18n` attributes.

/** Every label, by language. Both languages have exactly the same keys (a unit test checks). */
export const MESSAGES = {
  en: {
    "app.title": "Lucky wheel",
    "lang.switch": "中文",
    "lang.switchLabel": "切换到中文",
    "account.hello": "Hi, {name}",
    "account.logout": "Log out",
    "login.title": "Log in to spin",
    "login.username": "Username",
    "login.password": "Password",
    "login.submit": "Log in",
    "login.register": "Create account",
    "login.rules": "Usernames: 3–32 letters, digits, _ . -; passwords: at least 8 characters.",
    "login.demoLabel": "Demo player:",
    "login.welcome": "Welcome, {name}! Press Spin to try your luck.",
    "login.registered": "Account created — welcome, {name}!",
    "login.loggedOut": "Logged out. See you soon!",
    "wheel.label": "Prize wheel with {count} prizes (listed under “Prizes”)",
    "wheel.spin": "Spin",
    "wheel.go": "GO",
    "wheel.spinning": "Spinning…",
    "wheel.loginFirst": "Log in to spin the wheel.",
    "phase.upcoming": "Starts in {time}",
    "phase.closed": "This activity has ended. Thanks for playing!",
    "phase.soldOut": "Sold out — every prize has found a home.",
    "phase.loading": "Loading the wheel…",
    "phase.unavailable": "Cannot load the activity: {reason}",
    "phase.ends": "Ends in {time}",
    "result.won": "You won: {prize}!",
    "result.wonFree": "You won: {prize}! It is free — enjoy.",
    "result.payWithin": "Pay {price} to claim it before the time runs out.",
    "result.thanks": "{prize} — not this time. Try again!",
    "result.missed": "{prize} is sold out — no win this time.",
    "result.creating": "Creating your order…",
    "result.slow": "Your order is on its way; it will show under “My prizes” shortly.",
    "result.close": "Close",
    "prizes.title": "Prizes",
    "prizes.left": "{left} of {total} left",
    "prizes.soldOut": "Sold out",
    "prizes.free": "Free",
    "prizes.odds": "Odds follow the prizes left: the more of a prize remains, the likelier it is.",
    "prizes.oddsWeight": "Odds follow each prize's weight.",
    "orders.title": "My prizes",
    "orders.empty": "Nothing won yet — give the wheel a spin!",
    "orders.payBy": "{time} left to pay",
    "orders.payOverdue": "The pay time is over",
    "orders.pay": "Pay {price}",
    "orders.giveUp": "Give up",
    "orders.confirmGiveUp": "Sure? Give up",
    "orders.confirmHint": "Press “Sure? Give up” to give up the {prize}.",
    "orders.givingUp": "Giving up the {prize}…",
    "orders.gaveUp": "You gave up the {prize}; it went back to the pool.",
    "orders.payOpened": "Pay in the window that opened; this page updates when the payment arrives.",
    "orders.payLink": "Open the payment page",
    "orders.paid": "Paid! The {prize} is yours.",
    "orders.payWaiting": "Still waiting for the payment of the {prize}. Press Pay to open the page again.",
    "status.queued": "Creating",
    "status.pending_payment": "Awaiting payment",
    "status.paid": "Paid",
    "status.fulfilled": "Yours",
    "status.cancelled": "Given up",
    "status.expired": "Expired",
    "status.refunded": "Refunded",
    "error.sold_out": "Sold out — every prize has been won.",
    "error.quota_exceeded": "You have used all your draws in this activity.",
    "error.activity_not_open": "The activity is not open for drawing right now.",
    "error.rate_limited": "Too many tries — wait a moment and try again.",
    "error.rate_limited_for": "Too many tries — try again in {seconds} s.",
    "error.unavailable": "The draw is paused for a moment and nothing was taken — please try again shortly.",
    "error.unauthenticated": "Your session has ended — please log in again.",
    "error.invalid_credentials": "Wrong username or password.",
    "error.username_taken": "That username is taken — pick another.",
    "error.forbidden": "You are not allowed to do that.",
    "error.not_found": "Not found.",
    "error.invalid_state": "That order can no longer be changed.",
    "error.invalid_request": "The request was not accepted: {reason}",
    "error.network": "Cannot reach the server — check your connection and try again.",
    "error.unknown": "Something went wrong: {reason}",
    "time.days": "{days}d {clock}",
    "footer.text": "Fair draws, exact stock: the server picks the prize, the wheel just shows it.",
  },
  zh: {
    "app.title": "幸运大转盘",
    "lang.switch": "English",
    "lang.switchLabel": "Switch to English",
    "account.hello": "你好，{name}",
    "account.logout": "退出登录",
    "login.title": "登录后即可抽奖",
    "login.username": "用户名",
    "login.password": "密码",
    "login.submit": "登录",
    "login.register": "注册新账号",
    "login.rules": "用户名 3–32 位字母、数字或 _ . -；密码至少 8 位。",
    "login.demoLabel": "演示账号：",
    "login.welcome": "欢迎，{name}！点击“抽奖”试试手气。",
    "login.registered": "注册成功，欢迎你，{name}！",
    "login.loggedOut": "已退出登录，欢迎再来！",
    "wheel.label": "奖品转盘，共 {count} 个奖项（详见“奖品”列表）",
    "wheel.spin": "抽奖",
    "wheel.go": "抽奖",
    "wheel.spinning": "转盘转动中…",
    "wheel.loginFirst": "请先登录再抽奖。",
    "phase.upcoming": "距离开始还有 {time}",
    "phase.closed": "活动已结束，感谢参与！",
    "phase.soldOut": "奖品已全部抽完。",
    "phase.loading": "正在加载转盘…",
    "phase.unavailable": "无法加载活动：{reason}",
    "phase.ends": "距离结束还有 {time}",
    "result.won": "恭喜你抽中：{prize}！",
    "result.wonFree": "恭喜你抽中：{prize}！免费领取。",
    "result.payWithin": "请在倒计时结束前支付 {price} 领取奖品。",
    "result.thanks": "{prize} —— 差一点点，再试一次吧！",
    "result.missed": "{prize} 已抽完，这次没有中奖。",
    "result.creating": "正在生成订单…",
    "result.slow": "订单正在生成，稍后会出现在“我的奖品”中。",
    "result.close": "关闭",
    "prizes.title": "奖品",
    "prizes.left": "剩余 {left} / {total}",
    "prizes.soldOut": "已抽完",
    "prizes.free": "免费",
    "prizes.odds": "中奖概率按剩余数量计算：剩得越多，越容易抽中。",
    "prizes.oddsWeight": "中奖概率按各奖品的权重计算。",
    "orders.title": "我的奖品",
    "orders.empty": "还没有中奖，去转一转吧！",
    "orders.payBy": "剩余支付时间 {time}",
    "orders.payOverdue": "支付时间已过",
    "orders.pay": "支付 {price}",
    "orders.giveUp": "放弃",
    "orders.confirmGiveUp": "确定放弃？",
    "orders.confirmHint": "再按一次“确定放弃？”即放弃{prize}。",
    "orders.givingUp": "正在放弃{prize}…",
    "orders.gaveUp": "你已放弃{prize}，奖品已放回奖池。",
    "orders.payOpened": "请在新打开的窗口中完成支付，支付成功后本页会自动更新。",
    "orders.payLink": "打开支付页面",
    "orders.paid": "支付成功！{prize}归你啦。",
    "orders.payWaiting": "仍在等待{prize}的付款，可再次点击“支付”打开支付页面。",
    "status.queued": "生成中",
    "status.pending_payment": "待支付",
    "status.paid": "已支付",
    "status.fulfilled": "已领取",
    "status.cancelled": "已放弃",
    "status.expired": "已过期",
    "status.refunded": "已退款",
    "error.sold_out": "奖品已全部抽完。",
    "error.quota_exceeded": "你在本活动的抽奖次数已用完。",
    "error.activity_not_open": "活动当前不在抽奖时间内。",
    "error.rate_limited": "操作太频繁，请稍后再试。",
    "error.rate_limited_for": "操作太频繁，请 {seconds} 秒后再试。",
    "error.unavailable": "抽奖暂停片刻，本次未扣减任何奖品，请稍后重试。",
    "error.unauthenticated": "登录已失效，请重新登录。",
    "error.invalid_credentials": "用户名或密码错误。",
    "error.username_taken": "该用户名已被占用，请换一个。",
    "error.forbidden": "你没有权限进行此操作。",
    "error.not_found": "未找到。",
    "error.invalid_state": "该订单当前状态不能再修改。",
    "error.invalid_request": "请求未被接受：{reason}",
    "error.network": "无法连接服务器，请检查网络后重试。",
    "error.unknown": "出错了：{reason}",
    "time.days": "{days}天 {clock}",
    "footer.text": "公平抽奖、库存精确：奖品由服务器抽取，转盘只负责展示。",
  },
};

/** The languages offered, in the order the switch cycles through them. */
export const LANGUAGES = Object.keys(MESSAGES);

/** The HTML `lang` value of each language. */
export const HTML_LANG = { en: "en", zh: "zh-CN" };

/** The language to use: a remembered choice, else the first browser language we speak, else English. */
export function pickLanguage(stored, browserLanguages) {
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of browserLanguages ?? []) {
    const base = String(tag).toLowerCase().split("-")[0];
    if (LANGUAGES.includes(base)) return base;
  }
  return "en";
}

/** `key` in `language` with `{name}` placeholders filled from `values`. */
export function translate(language, key, values = {}) {
  const template = MESSAGES[language]?.[key] ?? MESSAGES.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** Sets every `data-i18n` element's text (and `data-i18n-label` element's aria-label). */
export function applyLabels(root, language) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = translate(language, element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", translate(language, element.dataset.i18nLabel));
  }
}
