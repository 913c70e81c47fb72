//! The one translation table: every string the UI shows goes through [`t`].
//!
//! Keys are dotted (`nav.products`); each row gives English and Simplified Chinese. A missing
//! key shows the key itself, so a gap is visible on screen rather than silently blank.
//! `{n}`-style placeholders are filled with [`tf`].

use leptos::prelude::*;

use crate::state::g;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
    /// Chinese if the browser's first language is Chinese, else English.
    pub fn from_browser() -> Lang {
        let nav = window().navigator().language().unwrap_or_default();
        if nav.starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// Translate `key` into the current language (reactive: re-runs when the language changes).
pub fn t(key: &'static str) -> &'static str {
    let lang = g().lang.get();
    match rows().find(|(k, _, _)| *k == key) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => key,
    }
}

// Online Debug (issue 12 §3).
mod debug;
mod groups;
// history (issue 14)
mod history;
// Device simulation (issue 13).
mod simulate;
// Real-time monitoring (issue 14).
mod monitoring;

/// Every row: the main table, then the feature tables kept in `i18n/`.
fn rows() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TABLE
        .iter()
        .chain(groups::TABLE)
        .chain(history::TABLE)
        .chain(simulate::TABLE)
        .chain(monitoring::TABLE)
        .chain(debug::TABLE)
}

/// Translate and fill `{name}` placeholders.
pub fn tf(key: &'static str, args: &[(&str, String)]) -> String {
    let mut s = t(key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// A reactive translated string, for component props that take `Signal<String>`.
pub fn tr(key: &'static str) -> Signal<String> {
    Signal::derive(move || t(key).to_string())
}

#[rustfmt::skip]
static TABLE: &[(&str, &str, &str)] = &[
    ("app.title", "fleetdeck", "fleetdeck"),
    // navigation
    ("nav.overview", "Overview", "概览"),
    ("nav.section.devices", "Devices", "设备"),
    ("nav.products", "Products", "产品"),
    ("nav.devices", "Devices", "设备"),
    ("nav.groups", "Groups", "分组"),
    ("nav.section.maintenance", "Maintenance", "监控运维"),
    ("nav.monitoring", "Real-time Monitoring", "实时监控"),
    ("nav.alerts", "Alerts", "告警"),
    ("nav.debug", "Online Debug", "在线调试"),
    ("nav.simulate", "Device Simulation", "设备模拟器"),
    ("nav.logs", "Device Log", "日志服务"),
    ("nav.ota", "OTA Update", "OTA 升级"),
    ("nav.remote_config", "Remote Config", "远程配置"),
    ("nav.section.admin", "Admin", "管理"),
    ("nav.users", "Users", "用户"),
    ("nav.audit", "Audit log", "审计日志"),
    ("nav.settings", "Settings", "设置"),
    ("nav.menu", "Menu", "菜单"),
    ("nav.collapse", "Collapse sidebar", "收起侧栏"),
    // top bar and user menu
    ("topbar.product", "Current product", "当前产品"),
    ("topbar.all_products", "All products", "全部产品"),
    ("topbar.theme", "Light / dark theme", "浅色 / 深色主题"),
    ("menu.password", "Change password", "修改密码"),
    ("menu.tokens", "API tokens", "API 令牌"),
    ("menu.language", "Language", "语言"),
    ("menu.logout", "Log out", "退出登录"),
    ("role.viewer", "Viewer", "只读"),
    ("role.operator", "Operator", "运维"),
    ("role.admin", "Admin", "管理员"),
    ("live.live", "live", "实时"),
    ("live.idle", "not live", "未连接"),
    ("live.connecting", "connecting…", "连接中…"),
    ("live.reconnecting", "reconnecting…", "重新连接中…"),
    ("err.forbidden", "Not allowed for your role.", "您的角色无权执行此操作。"),
    ("auth.signed_out", "You were signed out (logged out elsewhere, or your account or token was changed).", "您已被登出（在别处登出，或账户、令牌已变更）。"),
    // common words
    ("common.actions", "Actions", "操作"),
    ("common.apply", "Apply", "应用"),
    ("common.cancel", "Cancel", "取消"),
    ("common.close", "Close", "关闭"),
    ("common.collapse", "Collapse", "收起"),
    ("common.expand", "Expand", "展开"),
    ("common.copy", "Copy", "复制"),
    ("common.copied", "Copied to the clipboard.", "已复制到剪贴板。"),
    ("common.create", "Create", "创建"),
    ("common.created", "Created", "创建时间"),
    ("common.delete", "Delete", "删除"),
    ("common.done", "Done", "完成"),
    ("common.error", "Error", "错误"),
    ("common.load_failed", "Could not load this.", "加载失败。"),
    ("common.loading", "Loading…", "加载中…"),
    ("common.empty", "Nothing here yet.", "暂无内容。"),
    ("common.no_match", "Nothing matches these filters.", "没有符合筛选条件的结果。"),
    ("common.no_match_hint", "Clear or change the filters above.", "请清除或修改上方的筛选条件。"),
    ("common.on", "On", "开启"),
    ("common.off", "Off", "关闭"),
    ("common.refresh", "Refresh", "刷新"),
    ("common.retry", "Retry", "重试"),
    ("common.save", "Save", "保存"),
    ("common.edit", "Edit", "编辑"),
    ("common.remove", "Remove", "移除"),
    ("common.secret_hidden", "hidden (operators and admins can show it)", "已隐藏（运维和管理员可查看）"),
    ("common.show_secret", "Show secret", "查看密钥"),
    ("common.since", "From", "从"),
    ("common.until", "To", "至"),
    ("common.time", "Time", "时间"),
    ("common.view", "View", "查看"),
    ("common.admins_only", "Only admins can see this page.", "只有管理员可以查看此页面。"),
    ("common.admins_only_hint", "Ask an admin if you need access.", "如需访问，请联系管理员。"),
    // why a load failed, in words (components::states::explain)
    ("load.offline", "The server did not answer.", "服务器没有响应。"),
    ("load.offline_hint", "Check the network connection and that the server is running, then retry.", "请检查网络连接以及服务器是否在运行，然后重试。"),
    ("load.bad_answer", "The server's answer could not be read.", "无法解析服务器的响应。"),
    ("load.bad_answer_hint", "The console and the server may be different versions: reload the page.", "控制台与服务器的版本可能不一致，请刷新页面。"),
    ("load.signed_out", "Your session has ended.", "您的会话已结束。"),
    ("load.signed_out_hint", "Sign in again to continue.", "请重新登录后继续。"),
    ("load.forbidden", "Your role may not see this.", "您的角色无权查看此内容。"),
    ("load.not_found", "This does not exist (any more).", "该内容不存在（或已被删除）。"),
    ("load.not_found_hint", "It may have been deleted or renamed. Go back to the list and pick it again.", "它可能已被删除或重命名。请返回列表重新选择。"),
    ("load.busy", "Too many requests right now.", "当前请求过多。"),
    ("load.busy_hint", "Wait a moment, then retry.", "请稍候再重试。"),
    ("load.server_error", "The server failed while answering.", "服务器处理请求时出错。"),
    ("load.server_error_hint", "Retry; if it keeps failing, the server's log says why.", "请重试；如果仍然失败，请查看服务器日志了解原因。"),
    ("load.refused_hint", "The server refused the request; the details below say why.", "服务器拒绝了该请求，原因见下方详情。"),
    ("load.details", "Details", "详情"),
    ("page.prev", "Previous", "上一页"),
    ("page.next", "Next", "下一页"),
    ("page.range", "{from}–{to} of {total}", "第 {from}–{to} 条，共 {total} 条"),
    ("page.size", "{n} / page", "{n} 条/页"),
    // login
    ("login.title", "Sign in", "登录"),
    ("login.username", "Username", "用户名"),
    ("login.password", "Password", "密码"),
    ("login.submit", "Sign in", "登录"),
    ("login.signing_in", "Signing in…", "登录中…"),
    ("login.missing", "Enter your username and password.", "请输入用户名和密码。"),
    ("login.bad_credentials", "Wrong username or password.", "用户名或密码错误。"),
    // placeholders
    ("placeholder.title", "Not available yet", "暂未开放"),
    ("placeholder.chapter", "Chapter {n} of the maintenance guide", "运维指南第 {n} 章"),
    ("placeholder.hint", "This chapter is planned but not built yet. Devices, products and their logs are available now.", "此功能已在计划中，尚未完成。设备、产品及其日志现已可用。"),
    ("notfound.title", "Page not found", "页面不存在"),
    ("notfound.hint", "The link may be old or mistyped.", "链接可能已过期或有误。"),
    // overview
    ("overview.products", "Products", "产品数"),
    ("overview.devices", "Devices", "设备数"),
    ("overview.status_chart", "Device status", "设备状态"),
    ("overview.per_product_chart", "Devices per product", "各产品设备数"),
    ("overview.empty", "No devices yet", "还没有设备"),
    ("overview.empty_hint", "Create a product, then add devices to it (one by one or from a CSV file).", "先创建产品，再为其添加设备（逐个添加或通过 CSV 批量导入）。"),
    // device status and disconnect reasons
    ("status.online", "Online", "在线"),
    ("status.offline", "Offline", "离线"),
    ("status.inactive", "Inactive", "未激活"),
    ("status.disabled", "Disabled", "已禁用"),
    ("disconnect.200", "normal disconnect", "正常断开"),
    ("disconnect.427", "kicked: the same device connected elsewhere", "被踢下线：同一设备在别处连接"),
    ("disconnect.1910", "keepalive timeout", "心跳超时"),
    ("disconnect.1911", "TCP connection closed", "TCP 连接断开"),
    ("disconnect.other", "other reason", "其他原因"),
    // products
    ("product.create", "Create product", "创建产品"),
    ("product.created", "Product created.", "产品已创建。"),
    ("product.deleted", "Product deleted.", "产品已删除。"),
    ("product.delete_title", "Delete product {name}?", "删除产品 {name}？"),
    ("product.delete_confirm", "Product {pk} and its {n} devices will be deleted. Devices flashed with its credentials can no longer connect.", "产品 {pk} 及其 {n} 台设备将被删除，烧录了其证书的设备将无法再连接。"),
    ("product.name", "Product name", "产品名称"),
    ("product.key", "ProductKey", "ProductKey"),
    ("product.secret", "ProductSecret", "ProductSecret"),
    ("product.node_type", "Node type", "节点类型"),
    ("product.node.direct", "Directly connected device", "直连设备"),
    ("product.node.gateway", "Gateway", "网关设备"),
    ("product.node.sub_device", "Sub-device", "网关子设备"),
    ("product.data_format", "Data format", "数据格式"),
    ("product.format.alink_json", "ICA standard (Alink JSON)", "ICA 标准数据格式（Alink JSON）"),
    ("product.format.custom", "Custom (parsed by script)", "透传/自定义（脚本解析）"),
    ("product.dynamic_registration", "Dynamic registration", "动态注册"),
    ("product.dynamic_registration_hint", "Devices may fetch their DeviceSecret with the ProductSecret.", "设备可使用 ProductSecret 获取自己的 DeviceSecret。"),
    ("product.description", "Description", "描述"),
    ("product.devices", "Devices", "设备数"),
    ("product.search", "Search name or ProductKey", "搜索名称或 ProductKey"),
    ("product.empty", "No products yet", "还没有产品"),
    ("product.empty_hint", "A product describes a kind of device: its thing model and credentials. Create one to start adding devices.", "产品定义一类设备：物模型与证书。创建产品后即可添加设备。"),
    ("product.show_migration", "Moving a flashed fleet? Set ProductKey / ProductSecret", "迁移已烧录的设备？指定 ProductKey / ProductSecret"),
    ("product.hide_migration", "Generate ProductKey / ProductSecret for me", "自动生成 ProductKey / ProductSecret"),
    ("product.migration_hint", "Leave empty to generate. Give the values your devices are flashed with to move them without reflashing.", "留空则自动生成。填写设备已烧录的值，即可无需重新烧录完成迁移。"),
    ("product.tab.tsl", "Thing model", "物模型"),
    ("product.tab.devices", "Devices", "设备"),
    // devices
    ("device.add", "Add device", "添加设备"),
    ("device.added", "Device {dn} added.", "设备 {dn} 已添加。"),
    ("device.batch_add", "Batch add (CSV)", "批量添加（CSV）"),
    ("device.search", "DeviceName starts with…", "DeviceName 前缀…"),
    ("device.all_statuses", "All statuses", "全部状态"),
    ("device.name", "DeviceName", "DeviceName"),
    ("device.name_rule", "4–32 characters: letters, digits and - _ @ . :", "4–32 个字符：字母、数字及 - _ @ . :"),
    ("device.nickname", "Nickname", "备注名称"),
    ("device.product", "Product", "产品"),
    ("device.pick_product", "Choose a product", "请选择产品"),
    ("device.status", "Status", "状态"),
    ("device.last_online", "Last online", "最后上线时间"),
    ("device.last_offline", "Last offline", "最后离线时间"),
    ("device.activated", "Activated", "激活时间"),
    ("device.ip", "IP address", "IP 地址"),
    ("device.sdk", "SDK", "SDK"),
    ("device.gateway", "Gateway", "网关"),
    ("device.tags", "Tags", "标签"),
    ("device.groups", "Groups", "分组"),
    ("device.secret", "DeviceSecret", "DeviceSecret"),
    ("device.secret_optional", "DeviceSecret (optional)", "DeviceSecret（可选）"),
    ("device.secret_hint", "Leave empty to generate; give it for a device already flashed with one.", "留空则自动生成；设备已烧录密钥时请填写。"),
    ("device.disconnect_reason", "Last disconnect", "最近断开原因"),
    ("device.enable", "Enable", "启用"),
    ("device.disable", "Disable", "禁用"),
    ("device.enabled_ok", "Device enabled.", "设备已启用。"),
    ("device.disabled_ok", "Device disabled.", "设备已禁用。"),
    ("device.disable_title", "Disable {dn}?", "禁用 {dn}？"),
    ("device.disable_confirm", "A disabled device is disconnected and refused when it connects again, until it is enabled.", "禁用后设备将被断开，重新连接时会被拒绝，直到再次启用。"),
    ("device.delete_title", "Delete {dn}?", "删除 {dn}？"),
    ("device.delete_confirm", "The device, its secret and its data are deleted. It cannot connect any more.", "设备及其密钥、数据将被删除，设备将无法再连接。"),
    ("device.deleted", "Device deleted.", "设备已删除。"),
    ("device.reset", "Reset activation", "重置激活"),
    ("device.reset_hint", "Back to inactive, so dynamic registration may register it again", "恢复为未激活，动态注册可再次注册该设备"),
    ("device.reset_title", "Reset activation of {dn}?", "重置 {dn} 的激活状态？"),
    ("device.reset_confirm", "The device is disconnected and becomes inactive. Dynamic registration (register / regnwl) may then register it again and hand out new credentials; its DeviceSecret, properties and logs stay.", "设备将被断开并变为未激活。之后动态注册（register / regnwl）可再次注册并下发新凭证；其 DeviceSecret、属性和日志保留。"),
    ("device.reset_ok", "Activation reset.", "已重置激活。"),
    ("device.empty", "No devices yet", "还没有设备"),
    ("device.empty_hint", "Add a device, or import many from a CSV file (DeviceName[,DeviceSecret[,Nickname]]).", "添加设备，或从 CSV 文件批量导入（DeviceName[,DeviceSecret[,Nickname]]）。"),
    ("device.no_match_hint", "DeviceName search matches the beginning of the name. Clear the filters to see all devices.", "DeviceName 搜索按名称前缀匹配。清除筛选条件可查看全部设备。"),
    ("device.csv_format", "One device per line: DeviceName[,DeviceSecret[,Nickname]]. A header line is optional. Up to 10,000 rows.", "每行一台设备：DeviceName[,DeviceSecret[,Nickname]]，表头可选，最多 10,000 行。"),
    ("device.csv_file", "CSV file", "CSV 文件"),
    ("device.csv_paste", "…or paste the rows", "…或直接粘贴内容"),
    ("device.csv_preview", "Checked here: {ok} valid rows, {bad} rows with errors.", "本地检查：{ok} 行有效，{bad} 行有误。"),
    ("device.import_mode", "If some rows are invalid", "部分行有误时"),
    ("device.mode_all", "Create nothing (all or nothing)", "全部不创建（全部成功或全部失败）"),
    ("device.mode_valid", "Create the valid rows", "创建有效的行"),
    ("device.import", "Import", "导入"),
    ("device.import_created", "devices created", "台设备已创建"),
    ("device.import_errors", "rows refused", "行被拒绝"),
    ("device.import_line", "Line", "行号"),
    ("device.tab.info", "Info", "设备信息"),
    ("device.tab.tsl", "TSL data", "物模型数据"),
    ("device.tab.messages", "Messages", "消息"),
    ("device.tab.logs", "Logs", "日志"),
    ("device.props_empty", "No property values yet", "暂无属性数据"),
    ("device.props_empty_hint", "Values appear here as soon as the device posts properties; this page updates by itself.", "设备上报属性后，数值会显示在这里，页面自动更新。"),
    ("device.props_live_hint", "Latest value of each property; new posts replace them live.", "每个属性的最新值；新的上报会实时替换。"),
    ("device.messages_count", "{n} messages since this page opened", "自打开本页以来共 {n} 条消息"),
    ("device.messages_empty", "No messages yet", "暂无消息"),
    ("device.messages_empty_hint", "Messages to and from this device appear here live while this page is open.", "本页打开期间，设备收发的消息会实时显示在这里。"),
    ("device.pause", "Pause", "暂停"),
    ("device.resume", "Resume", "继续"),
    ("device.clear", "Clear", "清空"),
    ("device.up", "UP", "上行"),
    ("device.down", "DOWN", "下行"),
    // run log
    ("logs.all_types", "All types", "全部类型"),
    ("logs.trace_id", "Trace ID", "Trace ID"),
    ("logs.type", "Type", "业务类型"),
    ("logs.operation", "Operation", "操作"),
    ("logs.status", "Status", "状态码"),
    ("logs.content", "Content", "内容"),
    ("logs.empty", "No log entries", "暂无日志"),
    ("logs.empty_hint", "Connects, messages and checks of this device are logged here. Widen the filters or wait for the device to talk.", "设备的上下线、消息与校验都会记录在这里。可放宽筛选条件或等待设备通信。"),
    // audit
    ("audit.actor", "Actor", "操作人"),
    ("audit.action", "Action", "操作"),
    ("audit.action_ph", "Action, e.g. device.disable", "操作，如 device.disable"),
    ("audit.target", "Target", "对象"),
    ("audit.result", "Result", "结果"),
    ("audit.details", "Details", "详情"),
    ("audit.empty", "No audit entries", "暂无审计记录"),
    ("audit.empty_hint", "Changes made by users and API tokens are recorded here. Widen the filters or the time range.", "用户和 API 令牌所做的变更都记录在这里。可放宽筛选条件或时间范围。"),
    // users
    ("user.create", "Create user", "创建用户"),
    ("user.created", "User created.", "用户已创建。"),
    ("user.updated", "User updated.", "用户已更新。"),
    ("user.role_changed", "Role changed.", "角色已修改。"),
    ("user.deleted", "User deleted.", "用户已删除。"),
    ("user.delete_title", "Delete user {name}?", "删除用户 {name}？"),
    ("user.delete_confirm", "The user can no longer sign in; their API tokens stop working.", "该用户将无法登录，其 API 令牌也将失效。"),
    ("user.username", "Username", "用户名"),
    ("user.username_rule", "3–32 characters: letters, digits and . _ -", "3–32 个字符：字母、数字及 . _ -"),
    ("user.password", "Password", "密码"),
    ("user.password_rule", "At least {n} characters.", "至少 {n} 个字符。"),
    ("user.role", "Role", "角色"),
    ("user.state", "State", "状态"),
    ("user.active", "Active", "正常"),
    ("user.disabled", "Disabled", "已禁用"),
    ("user.enable", "Enable", "启用"),
    ("user.disable", "Disable", "禁用"),
    ("user.you", "you", "你"),
    // settings
    ("settings.tab.password", "Password", "密码"),
    ("settings.tab.tokens", "API tokens", "API 令牌"),
    ("settings.tab.about", "About", "关于"),
    ("settings.current_password", "Current password", "当前密码"),
    ("settings.new_password", "New password", "新密码"),
    ("settings.repeat_password", "Repeat the new password", "再次输入新密码"),
    ("settings.change_password", "Change password", "修改密码"),
    ("settings.password_changed", "Password changed.", "密码已修改。"),
    ("settings.password_mismatch", "The two new passwords differ.", "两次输入的新密码不一致。"),
    ("settings.password_fill", "Fill in all three fields; the new password twice.", "请填写全部三项，新密码需输入两次。"),
    ("tokens.name", "Token name", "令牌名称"),
    ("tokens.name_ph", "e.g. ci-export", "如 ci-export"),
    ("tokens.name_required", "Give the token a name so you can recognise it later.", "请为令牌命名，便于日后识别。"),
    ("tokens.create", "Create token", "创建令牌"),
    ("tokens.created", "Token {name} created.", "令牌 {name} 已创建。"),
    ("tokens.show_once", "Copy the secret now: it is shown only this once.", "请立即复制密钥：它只显示这一次。"),
    ("tokens.last_used", "Last used", "最近使用"),
    ("tokens.revoke", "Revoke", "吊销"),
    ("tokens.revoke_title", "Revoke token {name}?", "吊销令牌 {name}？"),
    ("tokens.revoke_confirm", "Scripts using this token stop working at once.", "使用该令牌的脚本将立即失效。"),
    ("tokens.revoked", "Token revoked.", "令牌已吊销。"),
    ("tokens.empty", "No API tokens", "暂无 API 令牌"),
    ("tokens.empty_hint", "Create a token for scripts and CI; send it as Authorization: Bearer <token>.", "为脚本和 CI 创建令牌；请求时以 Authorization: Bearer <token> 发送。"),
    ("about.version", "Version", "版本"),
    ("about.mqtt_port", "MQTT port", "MQTT 端口"),
    ("about.demo", "Demo mode", "演示模式"),
    // name rules (model::registry::NameError)
    ("name.device", "DeviceName must be 4–32 characters of letters, digits and - _ @ . :", "DeviceName 须为 4–32 个字符，仅含字母、数字及 - _ @ . :"),
    ("name.product_key", "ProductKey must be 6–32 letters or digits", "ProductKey 须为 6–32 个字母或数字"),
    ("name.secret", "A secret must be 16–64 letters or digits", "密钥须为 16–64 个字母或数字"),
    ("name.product_name", "A name must be 1–64 characters", "名称须为 1–64 个字符"),
    ("product.edit", "Edit product", "编辑产品"),
    ("product.updated", "Product updated.", "产品已更新。"),
    // thing-model editor
    ("tsl.properties", "Properties", "属性"),
    ("tsl.events", "Events", "事件"),
    ("tsl.services", "Services", "服务"),
    ("tsl.add_property", "Add property", "添加属性"),
    ("tsl.add_event", "Add event", "添加事件"),
    ("tsl.add_service", "Add service", "添加服务"),
    ("tsl.edit_title", "Edit {id}", "编辑 {id}"),
    ("tsl.apply_item", "Apply", "确定"),
    ("tsl.no_properties", "No properties yet. Add the values your devices report, e.g. temperature or a switch.", "暂无属性。添加设备上报的数据，如温度或开关。"),
    ("tsl.no_events", "No events yet. Add what devices announce, e.g. a fault.", "暂无事件。添加设备主动上报的事件，如故障。"),
    ("tsl.no_services", "No services yet. Add commands the console can call, e.g. a reboot.", "暂无服务。添加控制台可调用的指令，如重启。"),
    ("tsl.identifier", "Identifier", "标识符"),
    ("tsl.name", "Name", "名称"),
    ("tsl.data_type", "Data type", "数据类型"),
    ("tsl.specs", "Specs", "数据定义"),
    ("tsl.access", "Access", "读写类型"),
    ("tsl.access.rw", "read/write (rw)", "读写（rw）"),
    ("tsl.access.r", "read-only (r)", "只读（r）"),
    ("tsl.event_type", "Event type", "事件类型"),
    ("tsl.event.info", "info", "信息"),
    ("tsl.event.alert", "alert", "告警"),
    ("tsl.event.error", "error", "故障"),
    ("tsl.call_type", "Call type", "调用方式"),
    ("tsl.call.async", "async", "异步"),
    ("tsl.call.sync", "sync", "同步"),
    ("tsl.input_params", "Input parameters", "输入参数"),
    ("tsl.output_params", "Output parameters", "输出参数"),
    ("tsl.param_add", "Add parameter", "添加参数"),
    ("tsl.min", "Min", "最小值"),
    ("tsl.max", "Max", "最大值"),
    ("tsl.step", "Step", "步长"),
    ("tsl.unit", "Unit", "单位"),
    ("tsl.unit_name", "Unit name", "单位名称"),
    ("tsl.length", "Max length (characters)", "数据长度（字符）"),
    ("tsl.bool_0", "Label for 0", "0 的含义"),
    ("tsl.bool_1", "Label for 1", "1 的含义"),
    ("tsl.enum_values", "Values and labels", "枚举值与描述"),
    ("tsl.enum_add", "Add value", "添加枚举项"),
    ("tsl.value", "value", "值"),
    ("tsl.label", "label", "描述"),
    ("tsl.array_size", "Max elements", "元素个数"),
    ("tsl.array_item", "Element type", "元素类型"),
    ("tsl.type.int", "int (32-bit integer)", "int（整数型）"),
    ("tsl.type.float", "float (single)", "float（单精度浮点）"),
    ("tsl.type.double", "double", "double（双精度浮点）"),
    ("tsl.type.bool", "bool", "bool（布尔型）"),
    ("tsl.type.enum", "enum", "enum（枚举型）"),
    ("tsl.type.text", "text", "text（字符串）"),
    ("tsl.type.date", "date (UTC ms)", "date（时间型）"),
    ("tsl.type.struct", "struct", "struct（结构体）"),
    ("tsl.type.array", "array", "array（数组）"),
    ("tsl.type.unsupported", "unsupported", "不支持"),
    ("tsl.try_value", "Try a value", "试一个值"),
    ("tsl.try_value_ph", "e.g. 42 or {\"a\":1}", "如 42 或 {\"a\":1}"),
    ("tsl.try_ok", "valid for this type", "符合该类型"),
    ("tsl.problems", "{n} problems; the model cannot be saved until they are fixed:", "{n} 个问题，修正后才能保存："),
    ("tsl.other_problems", "{n} problems elsewhere in the model.", "模型其他位置还有 {n} 个问题。"),
    ("tsl.server_refused", "The server refused the model:", "服务器拒绝了该模型："),
    ("tsl.saved", "Thing model saved.", "物模型已保存。"),
    ("tsl.unsaved", "unsaved changes", "有未保存的修改"),
    ("tsl.revert", "Revert", "撤销修改"),
    ("tsl.import", "Import .json", "导入 .json"),
    ("tsl.import_bad", "This file is not a thing model: {e}", "该文件不是物模型：{e}"),
    ("tsl.export", "Export", "导出"),
    ("tsl.form_view", "Form", "表单"),
    ("tsl.raw_view", "Raw JSON", "原始 JSON"),
    ("tsl.raw_error", "Not applied — the JSON does not parse as a thing model: {e}", "未应用——该 JSON 不是有效的物模型：{e}"),
    ("tsl.raw_hint", "Edits apply as soon as the text is a valid thing model; Save stores them.", "文本为有效物模型时修改即生效；点击保存以存储。"),
    ("tsl.remove_title", "Remove {id}?", "移除 {id}？"),
    ("tsl.remove_confirm", "It is removed from the draft; Save stores the change. Devices that still send it will be refused.", "将从草稿中移除，保存后生效。仍上报它的设备将被拒绝。"),
    ("tsl.unreadable", "The stored model could not be read:", "无法读取已存储的模型："),
    // device log chapter
    ("logs.tab.run", "Cloud run log", "云端运行日志"),
    ("logs.tab.local", "Device local log", "设备本地日志"),
    ("logs.tab.reports", "Reports", "日志报表"),
    ("logs.tab.export", "Export", "日志转储"),
    ("logs.live_tail", "Live tail", "实时追踪"),
    ("logs.empty_hint_all", "Every connect, message and check of every device is logged here. Widen the filters (or the time range) or wait for devices to talk.", "所有设备的上下线、消息与校验都记录在这里。可放宽筛选条件或时间范围，或等待设备通信。"),
    ("device.importing", "Importing…", "导入中…"),
    // device page: values with their meaning, connection parameters (issue 11 §3, §6)
    ("device.props_offline_hint", "The device is offline: these are the last values it posted.", "设备离线：以下是它最后上报的数值。"),
    ("device.props_code", "The value the device sent", "设备上报的原始值"),
    ("device.props_stale", "stale", "已过时"),
    ("device.props_last_known", "last known", "最后已知值"),
    ("device.tab.connect", "Connection", "连接参数"),
    ("device.conn.broker", "Broker address", "接入地址"),
    ("device.conn.host", "Host", "主机"),
    ("device.conn.port", "Port (MQTT)", "端口（MQTT）"),
    ("device.conn.tls_port", "Port (MQTT over TLS)", "端口（MQTT over TLS）"),
    ("device.conn.product_key", "ProductKey", "ProductKey"),
    ("device.conn.device_name", "DeviceName", "DeviceName"),
    ("device.conn.host_hint", "Host is the address of this page; start the server with --mqtt-public HOST:PORT if devices reach the broker at another address.", "主机取自本页面的地址；若设备需通过其他地址访问服务端，请以 --mqtt-public HOST:PORT 启动服务。"),
    ("device.conn.credentials", "MQTT connection parameters", "MQTT 连接参数"),
    ("device.conn.sdk_python", "Python Link SDK", "Python Link SDK"),
    ("device.conn.sdk_c4", "C SDK 4.x", "C SDK 4.x"),
    ("device.conn.sdk_c3", "C SDK 3.x", "C SDK 3.x"),
    ("device.conn.client_id", "clientId", "clientId"),
    ("device.conn.username", "username", "username"),
    ("device.conn.password", "password", "password"),
    ("device.conn.timestamp", "timestamp", "timestamp"),
    ("device.conn.password_hidden", "Only operators and admins see passwords.", "仅运维人员和管理员可查看密码。"),
    ("device.conn.viewer_note", "Ask an operator for the password, or for the DeviceSecret to let the SDK sign it.", "请向运维人员索取密码，或索取 DeviceSecret 由 SDK 自行签名。"),
    ("device.conn.ts_python", "Signed now (timestamp in seconds); the server does not expire it, so it keeps working.", "按当前时间签名（秒级时间戳）；服务端不校验时效，可长期使用。"),
    ("device.conn.ts_c", "The C SDKs always sign with this fixed timestamp (ms).", "C SDK 始终使用这个固定时间戳（毫秒）签名。"),
    ("device.conn.try_it", "Try it from a terminal", "在终端中试用"),
    ("device.conn.mosquitto", "mosquitto_pub (C SDK 4.x form): connect and post one property", "mosquitto_pub（C SDK 4.x 参数）：连接并上报一个属性"),
    ("device.conn.paho", "Python with paho-mqtt (Python SDK form): the same", "Python + paho-mqtt（Python SDK 参数）：同上"),
    ("about.broker", "Broker address for devices", "设备接入地址"),
    ("about.broker_tls", "Broker address (TLS)", "接入地址（TLS）"),
    ("about.broker_configured", "Set with --mqtt-public.", "由 --mqtt-public 指定。"),
    ("about.broker_derived", "This page's host and the MQTT port; set --mqtt-public HOST:PORT if devices use another address.", "本页面的主机与 MQTT 端口；若设备使用其他地址，请设置 --mqtt-public HOST:PORT。"),
    ("login.demo_title", "Demo console.", "演示环境。"),
    ("login.demo_hint", "Sample products and devices are loaded. Sign in as admin: the password was printed once on the server's console (standard output) when it first started, unless it was started with --admin-password.", "已载入示例产品和设备。请以 admin 登录：密码在服务端首次启动时打印在其控制台（标准输出）上，除非启动时指定了 --admin-password。"),
    // scope, live lists, recovery after a network blip (issue 11 §1, §2, §4)
    ("scope.showing", "Showing product {product}", "当前仅显示产品 {product}"),
    ("scope.show_all", "Show all products", "显示全部产品"),
    ("scope.note", "Product: {product}", "产品：{product}"),
    ("scope.status_note", "Status: {status}", "状态：{status}"),
    ("scope.search_note", "DeviceName starts with “{q}”", "DeviceName 以“{q}”开头"),
    ("overview.empty_scoped", "{product} has no devices. Show all products, or add devices to it on its page.", "{product} 还没有设备。可显示全部产品，或在该产品页面中添加设备。"),
    ("live.offline", "offline", "离线"),
    ("live.offline_since", "offline — last updated {time}", "离线 — 最后更新于 {time}"),
    ("load.unreachable", "Can't reach the server.", "无法连接到服务器。"),
    ("load.retrying_in", "Retrying by itself in {n} s.", "{n} 秒后自动重试。"),
    ("load.banner_retrying", "Can't reach the server — retrying in {n} s. What you see may be out of date.", "无法连接到服务器 — {n} 秒后重试。当前显示的内容可能已过期。"),
    ("load.banner_trying", "Can't reach the server — trying again now. What you see may be out of date.", "无法连接到服务器 — 正在重试。当前显示的内容可能已过期。"),
    // Phones, time zones and the missing-device page (issue 11, sections 5 and 7).
    ("menu.time_zone", "Times in", "时间显示"),
    ("menu.tz_local", "Local", "本地时区"),
    ("menu.tz_utc", "UTC", "UTC"),
    ("device.missing_title", "There is no device {dn}", "设备 {dn} 不存在"),
    ("device.missing_hint", "It may have been deleted, or the link is wrong. Find it in the device list.", "它可能已被删除，或链接有误。请在设备列表中查找。"),
    ("device.missing_product_devices", "Devices of", "查看产品设备"),
    ("device.missing_all", "All devices", "全部设备"),
    ("logs.show_content", "Show the full content", "查看完整内容"),
];

/// The translated sentence for a registry name rule.
pub fn name_error(e: &model::registry::NameError) -> String {
    use model::registry::NameError;
    t(match e {
        NameError::DeviceName => "name.device",
        NameError::ProductKey => "name.product_key",
        NameError::Secret => "name.secret",
        NameError::ProductName => "name.product_name",
    })
    .to_string()
}

/// Whether `key` has a translation (tests of components that pick keys).
#[cfg(test)]
pub fn has_key(key: &str) -> bool {
    rows().any(|(k, _, _)| *k == key)
}

#[cfg(test)]
mod tests {
    use super::rows;
    use std::collections::HashSet;

    fn sources(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    #[test]
    fn keys_are_unique_and_complete() {
        let mut seen = HashSet::new();
        for (k, en, zh) in rows() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!en.is_empty() && !zh.is_empty(), "empty translation for {k}");
        }
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let prefixes = [
            "about.",
            "app.",
            "audit.",
            "common.",
            "device.",
            "disconnect.",
            "err.",
            "group.",
            "live.",
            "load.",
            "login.",
            "logs.",
            "menu.",
            "monitoring.",
            "name.",
            "nav.",
            "notfound.",
            "overview.",
            "page.",
            "placeholder.",
            "product.",
            "role.",
            "scope.",
            "settings.",
            "status.",
            "tokens.",
            "topbar.",
            "tsl.",
            "user.",
        ];
        let mut missing = Vec::new();
        for text in &files {
            for part in text.split('"').skip(1).step_by(2) {
                let looks_like_key = prefixes.iter().any(|p| part.starts_with(p) && part.len() > p.len())
                    && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_');
                if looks_like_key && !seen.contains(part) {
                    missing.push(part.to_string());
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "keys used but not translated: {missing:?}");
    }
}
